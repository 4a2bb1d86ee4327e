"""The Atom feed of each public page: its published statements and public updates only, under
the page's own caching rules (no cookie, ETag/Last-Modified and 304, public for 30 seconds)."""

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine
from django.urls import reverse

from responses.models import ProgressUpdate, Statement
from responses.public import public_page_url
from tests import factories

START = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def at(minutes):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def feed_url(incident):
    return reverse("responses:public-feed", args=[incident.public_token])


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def opened(comms, manager):
    with at(0):
        incident = factories.make_incident(
            comms, title="INTERNAL TITLE spreadsheet 181304", public_title="Delayed orders"
        )
        factories.make_statement(
            incident, comms, status=Statement.Status.PUBLISHED, body="PUBLISHED WORD"
        )
        factories.make_statement(incident, comms, body="DRAFT WORDING")
        factories.make_statement(
            incident, comms, status=Statement.Status.IN_REVIEW, body="WORDING IN REVIEW"
        )
        factories.make_update(
            incident, kind="public", status=ProgressUpdate.Status.PUBLISHED, body="PUBLIC UPDATE"
        )
        factories.make_update(incident, kind="public", body="DRAFT UPDATE")
        factories.make_update(incident, kind="internal", body="INTERNAL NOTE")
        factories.make_action_item(incident, title="Call the biggest customers back")
        incident.open_public_page(by=manager)
    return incident


def entries(response):
    root = ElementTree.fromstring(response.content)
    return root, root.findall(f"{ATOM}entry")


def test_it_holds_the_published_statements_and_updates_and_nothing_else(client, opened):
    with at(1):
        response = client.get(feed_url(opened))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root, found = entries(response)
    assert root.find(f"{ATOM}title").text == "Delayed orders"
    texts = [entry.find(f"{ATOM}summary").text for entry in found]
    assert len(found) == 2
    assert any("PUBLISHED WORD" in text for text in texts)
    assert any("PUBLIC UPDATE" in text for text in texts)
    body = response.content.decode()
    for secret in ("DRAFT WORDING", "WORDING IN REVIEW", "DRAFT UPDATE", "INTERNAL NOTE"):
        assert secret not in body
    assert "INTERNAL TITLE" not in body
    assert "Call the biggest customers back" not in body  # the action plan is the page's alone
    links = [entry.find(f"{ATOM}link").get("href") for entry in found]
    page = "http://testserver" + public_page_url(opened)
    assert sorted(links) == [f"{page}#progress-1", f"{page}#update-1"]


def test_the_public_page_links_to_its_feed(client, opened):
    with at(1):
        page = client.get(public_page_url(opened)).content.decode()

    expected = f'<link rel="alternate" type="application/atom+xml" href="{feed_url(opened)}"'
    assert expected in page


@pytest.mark.parametrize("signed_in", [False, True])
def test_it_follows_the_public_pages_caching_rules(signed_in, client, opened, comms):
    if signed_in:
        client.force_login(comms)
    with at(1):
        first = client.get(feed_url(opened))
        again = client.get(
            feed_url(opened),
            headers={
                "If-None-Match": first["ETag"],
                "If-Modified-Since": first["Last-Modified"],
            },
        )

    assert directives(first) == {"public", "max-age=30", "stale-while-revalidate=30"}
    assert not first.cookies and not first.has_header("Vary")
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_a_newly_published_update_changes_the_feed(client, opened, manager):
    with at(1):
        first = client.get(feed_url(opened))
    with at(5):
        factories.make_update(
            opened, kind="public", status=ProgressUpdate.Status.PUBLISHED, body="NEWER UPDATE"
        )
    with at(6):
        again = client.get(feed_url(opened), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert "NEWER UPDATE" in again.content.decode()


def test_a_closed_or_unknown_page_has_no_feed(client, opened, manager):
    opened.close_public_page(by=manager)

    assert client.get(feed_url(opened)).status_code == 404
    assert client.get(reverse("responses:public-feed", args=["x" * 32])).status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_its_query_count_does_not_grow_with_entries(
    count, client, comms, manager, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    for number in range(count):
        factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
        factories.make_update(
            incident, kind="public", status=ProgressUpdate.Status.PUBLISHED, body=f"U{number}"
        )
    incident.open_public_page(by=manager)

    # The page's state (one), its statements with their publications (two), its updates (one).
    with django_assert_max_num_queries(4):
        response = client.get(feed_url(incident))

    assert len(entries(response)[1]) == 2 * count
