"""The acknowledgement clock and the time to acknowledgement, as the pages show them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.models import Statement
from tests import factories

DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def major(comms):
    """Severity 2: one hour allowed for the first public word."""
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(comms, severity=Incident.Severity.MAJOR)


@pytest.fixture
def acknowledged(major, comms):
    with time_machine.travel(DECLARED + timedelta(minutes=23), tick=False):
        factories.make_statement(major, comms, status=Statement.Status.PUBLISHED)
    return factories.reload(major)


def page_at(client, url, minutes):
    with time_machine.travel(DECLARED + timedelta(minutes=minutes), tick=False):
        return factories.page_text(client.get(url))


def test_the_incident_page_counts_down_to_the_acknowledgement(client_as, viewer, major):
    html = page_at(client_as(viewer), major.get_absolute_url(), 20)

    assert 'data-clock="ok"' in html
    assert "Acknowledgement due in 40 min" in html
    assert "None yet: the audience has waited 20 min" in html


def test_the_incident_page_warns_when_the_acknowledgement_is_due_soon(client_as, viewer, major):
    html = page_at(client_as(viewer), major.get_absolute_url(), 48)

    assert "Acknowledgement due soon, in 12 min" in html
    assert 'data-clock="due"' in html


def test_the_incident_page_says_the_acknowledgement_is_overdue(client_as, viewer, major):
    html = page_at(client_as(viewer), major.get_absolute_url(), 65)

    assert "Acknowledgement overdue by 5 min" in html
    # Told by a word and an icon, not by colour alone.
    assert '<span class="clock-icon" aria-hidden="true">⚠</span>' in html


def test_the_incident_page_shows_the_time_to_acknowledgement(client_as, viewer, acknowledged):
    html = page_at(client_as(viewer), acknowledged.get_absolute_url(), 300)

    assert "Acknowledged 23 min after detection, within the 1 h target" in html
    assert "the audience has waited" not in html
    assert (
        'data-clock="done"><span class="clock-icon" aria-hidden="true">✓</span> Acknowledged'
        in html
    )


def test_a_late_acknowledgement_says_it_missed_the_target(client_as, viewer, major, comms):
    with time_machine.travel(DECLARED + timedelta(minutes=75), tick=False):
        factories.make_statement(major, comms, status=Statement.Status.PUBLISHED)

    html = page_at(client_as(viewer), major.get_absolute_url(), 300)

    assert "Acknowledged 1 h 15 min after detection, over the 1 h target" in html
    # Not the green tick of a timely one: a warning mark, told by its icon and class too.
    assert (
        'data-clock="late"><span class="clock-icon" aria-hidden="true">⚠</span> Acknowledged'
        in html
    )
    assert 'data-clock="done"' not in html


def test_an_incident_cancelled_before_any_public_word_shows_its_clock_stopped(
    client_as, manager, major
):
    with time_machine.travel(DECLARED + timedelta(minutes=40), tick=False):
        major.cancel(by=manager, reason="Parody account")

    html = page_at(client_as(manager), major.get_absolute_url(), 300)

    assert 'data-clock="stopped"' in html
    assert "Clock stopped: cancelled 40 min after detection" in html
    assert "Acknowledgement" not in html


def test_the_list_shows_the_time_to_acknowledgement(client_as, viewer, acknowledged, comms):
    with time_machine.travel(DECLARED, tick=False):
        factories.make_incident(comms, title="Still silent", severity=Incident.Severity.CRITICAL)

    html = page_at(client_as(viewer), reverse("incidents:list"), 40)

    assert "Acknowledged 23 min after detection" in html
    assert "Acknowledgement overdue by 10 min" in html


def test_the_dashboard_shows_each_open_incidents_clock(client_as, viewer, major, comms):
    with time_machine.travel(DECLARED, tick=False):
        factories.make_incident(comms, title="Minor typo", severity=Incident.Severity.MINOR)

    html = page_at(client_as(viewer), reverse("incidents:dashboard"), 65)

    assert "Acknowledgement overdue by 5 min" in html
    assert "Acknowledgement due in 22 h 55 min" in html
    assert "Open for <strong>1 h 5 min</strong>" in html
