"""The company's status page (/status/) and its feed: the open public incidents and those
ended recently, nothing internal, the same answer for everyone, with the public caching rules."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.public import public_page_url
from tests import factories

START = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
S = Incident.Status


def at(days=0, minutes=0):
    return time_machine.travel(START + timedelta(days=days, minutes=minutes), tick=False)


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def make_public(comms, manager, public_title, **overrides):
    incident = factories.make_incident(
        comms, title=f"INTERNAL {public_title}", public_title=public_title, **overrides
    )
    incident.open_public_page(by=manager)
    return incident


def test_it_says_there_is_nothing_to_report_when_nothing_is_public(client, comms, manager):
    factories.make_incident(comms, public_title="Never opened")

    response = client.get(reverse("responses:status-page"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "No public notices right now" in page
    assert "Never opened" not in page


def test_it_lists_open_and_recently_ended_public_incidents_only(client, comms, manager):
    with at(days=0):
        ongoing = make_public(comms, manager, "Slow checkout")
        recent = make_public(comms, manager, "Late parcels")
        walk_resolved(recent, manager)
        make_public(comms, manager, "Practice run", is_drill=True)
        closed_page = make_public(comms, manager, "Taken down")
        closed_page.close_public_page(by=manager)
    with at(days=-30):
        old = make_public(comms, manager, "Old outage")
        walk_resolved(old, manager)

    with at(days=3):
        response = client.get(reverse("responses:status-page"))

    page = response.content.decode()
    assert "Slow checkout" in page and "Late parcels" in page
    assert (
        page.index("Slow checkout") < page.index("Recently resolved") < page.index("Late parcels")
    )
    for hidden in ("Practice run", "Taken down", "Old outage", "INTERNAL", "No public notices"):
        assert hidden not in page
    assert public_page_url(ongoing) in page and public_page_url(recent) in page


def walk_resolved(incident, manager):
    incident.start_response(by=manager)
    factories.reload(incident).resolve(by=manager)


def test_an_incident_public_before_titles_were_required_shows_a_neutral_heading(
    client, comms, manager
):
    incident = make_public(comms, manager, "Slow checkout")
    # As a page opened before this release may be: open, with no public title.
    Incident.objects.filter(pk=incident.pk).update(public_title="")

    page = client.get(reverse("responses:status-page")).content.decode()
    public_page = client.get(public_page_url(incident)).content.decode()

    assert "Service notice" in page and "INTERNAL" not in page
    assert "Service notice" in public_page and "INTERNAL" not in public_page


@pytest.mark.parametrize("name", ["responses:status-page", "responses:status-feed"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_it_follows_the_public_caching_rules(name, signed_in, client, comms, manager):
    make_public(comms, manager, "Slow checkout")
    if signed_in:
        client.force_login(comms)
    with at(minutes=1):
        first = client.get(reverse(name))
        again = client.get(
            reverse(name),
            headers={"If-None-Match": first["ETag"], "If-Modified-Since": first["Last-Modified"]},
        )

    assert first.status_code == 200
    assert directives(first) == {"public", "max-age=30", "stale-while-revalidate=30"}
    assert not first.cookies and not first.has_header("Vary")
    assert again.status_code == 304


def test_a_change_the_audience_sees_changes_the_answer(client, comms, manager):
    with at(minutes=0):
        incident = make_public(comms, manager, "Slow checkout")
    with at(minutes=1):
        first = client.get(reverse("responses:status-page"))
    with at(minutes=2):
        incident.start_response(by=manager)
        factories.reload(incident).monitor(by=manager)
    with at(minutes=3):
        again = client.get(
            reverse("responses:status-page"), headers={"If-None-Match": first["ETag"]}
        )

    assert again.status_code == 200
    assert "Monitoring" in again.content.decode()


def test_its_feed_has_one_entry_per_listed_incident(client, comms, manager):
    make_public(comms, manager, "Slow checkout")
    make_public(comms, manager, "Late parcels")

    response = client.get(reverse("responses:status-feed"))

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    titles = sorted(entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry"))
    assert titles == ["Late parcels: We are working on it", "Slow checkout: We are working on it"]
    assert "INTERNAL" not in response.content.decode()


def test_the_status_page_links_to_its_feed_and_public_pages_link_to_it(client, comms, manager):
    incident = make_public(comms, manager, "Slow checkout")

    page = client.get(reverse("responses:status-page")).content.decode()
    public_page = client.get(public_page_url(incident)).content.decode()

    feed = reverse("responses:status-feed")
    assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in page
    assert f'href="{reverse("responses:status-page")}"' in public_page


@pytest.mark.parametrize("count", [1, 30])
def test_its_query_count_does_not_grow_with_incidents(
    count, client, comms, manager, django_assert_max_num_queries
):
    for number in range(count):
        make_public(comms, manager, f"Notice {number}")

    # The public profile (one) and the listed incidents (one).
    for name in ("responses:status-page", "responses:status-feed"):
        with django_assert_max_num_queries(2):
            response = client.get(reverse(name))
        assert response.content.decode().count("Notice ") >= count
