"""What the audience reads: the company, the status in words, labels, corrections, and a plain
"not found" that names no tool."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.models import Statement
from responses.public import public_page_url
from tests import factories

S = Statement.Status
FIRST = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)


def visible_text(response):
    body = factories.page_text(response).split("<body", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def publish(incident, by, minutes, **fields):
    with time_machine.travel(FIRST + timedelta(minutes=minutes), tick=False):
        return factories.make_statement(incident, by, status=S.PUBLISHED, **fields)


@pytest.fixture
def opened(comms, manager):
    incident = factories.make_incident(comms, public_title="Delayed orders")
    incident.open_public_page(by=manager)
    return incident


def test_it_names_the_company_from_the_setting(client, opened, settings):
    settings.COMPANY_NAME = "Northwind Parcels"

    response = client.get(public_page_url(opened))

    html = factories.page_text(response)
    assert "<title>Delayed orders · Northwind Parcels</title>" in html
    assert 'data-testid="company">Northwind Parcels</p>' in html


def test_without_a_company_name_it_shows_none(client, opened, settings):
    settings.COMPANY_NAME = ""

    html = factories.page_text(client.get(public_page_url(opened)))

    assert "<title>Delayed orders</title>" in html and 'data-testid="company"' not in html


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Incident.Status.TRIAGE, "We are working on it."),
        (Incident.Status.RESPONDING, "We are working on it."),
        (Incident.Status.MONITORING, "Monitoring."),
        (Incident.Status.RESOLVED, "Resolved."),
        (Incident.Status.CLOSED, "Resolved."),
        (Incident.Status.CANCELLED, "Closed."),
    ],
)
def test_it_tells_the_status_in_the_audiences_words(status, words, client, comms, manager):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)
    factories.walk_to(incident, status)

    text = visible_text(client.get(public_page_url(incident)))

    assert words in text


def test_it_uses_labels_never_internal_codes(client, opened, comms):
    publish(opened, comms, 0, kind="acknowledgement", target_platforms=["linkedin", "x", "bluesky"])

    text = visible_text(client.get(public_page_url(opened)))

    assert "Acknowledgement ·" in text
    assert "Posted on LinkedIn, X, Bluesky." in text
    for code in ("acknowledgement ", "linkedin", "bluesky", "published"):
        assert code not in text


def test_it_says_when_it_was_last_updated(client, opened, comms):
    publish(opened, comms, 0, body="First word.")
    publish(opened, comms, 90, body="Second word.")

    text = visible_text(client.get(public_page_url(opened)))

    assert "Last updated" in text and "2 May 2031, 10:30 UTC" in text


def test_a_correction_supersedes_every_statement_published_before_it(client, opened, comms):
    publish(opened, comms, 0, body="ONE: the outage hit Leeds.")
    publish(opened, comms, 30, kind="apology", body="TWO: sorry about Leeds.")
    publish(opened, comms, 60, kind="correction", body="FIX: it was York, not Leeds.")
    publish(opened, comms, 120, kind="closing", body="AFTER: all is well.")

    response = client.get(public_page_url(opened))

    notes = {
        row["statement"].body.split(":")[0]: row["superseded_by"]
        for row in response.context["rows"]
    }
    assert notes["AFTER"] is None and notes["FIX"] is None
    assert notes["ONE"]["statement"].body.startswith("FIX")
    assert notes["TWO"]["statement"].body.startswith("FIX")
    html = factories.page_text(response)
    note = 'Superseded by <a href="#update-3">the correction of 2 May 2031, 10:00 UTC</a>.'
    assert html.count(note) == 2
    assert 'id="update-3"' in html


def test_each_statement_points_to_the_first_correction_after_it(client, opened, comms):
    publish(opened, comms, 0, body="ONE")
    publish(opened, comms, 30, kind="correction", body="FIX ONE")
    publish(opened, comms, 60, kind="correction", body="FIX TWO")

    rows = client.get(public_page_url(opened)).context["rows"]

    pointed = {r["statement"].body: r["superseded_by"] for r in rows}
    assert pointed["ONE"]["statement"].body == "FIX ONE"
    assert pointed["FIX ONE"]["statement"].body == "FIX TWO"
    assert pointed["FIX TWO"] is None


def test_without_a_correction_nothing_is_superseded(client, opened, comms):
    publish(opened, comms, 0, body="ONE")
    publish(opened, comms, 30, kind="apology", body="TWO")

    html = factories.page_text(client.get(public_page_url(opened)))

    assert "Superseded" not in html


def test_user_text_reads_in_its_own_direction(client, opened, comms):
    publish(opened, comms, 0, body="نحن نعمل على حل المشكلة")

    html = factories.page_text(client.get(public_page_url(opened)))

    assert '<h1 class="h3" dir="auto">Delayed orders</h1>' in html
    assert 'dir="auto">نحن نعمل على حل المشكلة</p>' in html


@pytest.mark.parametrize(
    "path",
    [
        reverse("responses:public-page", args=["no-such-token"]),
        "/p/",
        "/p/a/b/c/",
    ],
)
def test_an_unknown_public_address_is_a_plain_not_found(path, client, db, settings):
    settings.COMPANY_NAME = "Northwind Parcels"

    response = client.get(path)

    html = factories.page_text(response)
    assert response.status_code == 404
    assert "Page not found" in html and "Northwind Parcels" in html
    assert "Crisis Desk" not in html and "crisis" not in html.lower()
    assert "Sign in" not in html and "dashboard" not in html.lower()


def test_a_closed_public_page_is_a_plain_not_found(client, opened, manager):
    url = public_page_url(opened)
    opened.close_public_page(by=manager)

    response = client.get(url)

    assert response.status_code == 404
    assert "Crisis Desk" not in factories.page_text(response)


def test_elsewhere_not_found_is_the_apps_own_page(client_as, viewer):
    response = client_as(viewer).get(reverse("incidents:detail", args=["CR-1999-999"]))

    assert response.status_code == 404
    assert "Crisis Desk" in factories.page_text(response)
