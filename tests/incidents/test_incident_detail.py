"""The incident page: incidents:detail."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import AffectedParty, Incident
from tests import factories

S = Incident.Status
DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def detail(client, incident):
    return client.get(incident.get_absolute_url())


def move_actions(response):
    """The lifecycle moves the page offers, by the address each button or form posts to."""
    reference = response.context["incident"].reference
    pattern = rf'action="/incidents/{reference}/move/(\w+)/"[^>]*data-move="\1"'
    return re.findall(pattern, response.content.decode())


@pytest.fixture
def declared(comms):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(comms, public_title="Delivery delays")


def test_it_shows_the_incidents_facts(client_as, viewer, comms, declared):
    factories.make_party(declared, description="Customers in the north", estimated_count=1200)

    with time_machine.travel(DECLARED + timedelta(minutes=42), tick=False):
        response = detail(client_as(viewer), declared)

    html = factories.page_text(response)
    assert '<h1 class="h3 mb-2" dir="auto">Angry replies about late deliveries</h1>' in html
    assert "CR-2026-001 · Negative comments" in html
    assert "Orders from the north warehouse are late." in html
    assert "Sev 2" in html and "Triage" in html
    assert "<dt>Lead</dt><dd>Comms Tester</dd>" in html
    assert '<dt>Public title</dt><dd dir="auto">Delivery delays</dd>' in html
    assert "<dt>Platforms</dt><dd>X, Instagram</dd>" in html
    assert '<span class="badge text-bg-light border me-1" dir="auto">#late</span>' in html
    assert "14 Mar 2026, 09:00 UTC" in html
    assert "the audience has waited 42 min" in html
    assert '<strong>Customers</strong>: <span dir="auto">Customers in the north</span>' in html
    assert "(about 1,200)" in html


def test_the_timeline_tells_who_did_what(client_as, viewer, comms, manager, declared):
    factories.make_party(declared, by=comms, description="Customers in the north")
    declared.start_response(by=manager, reason="Facts gathered")

    response = detail(client_as(viewer), declared)

    timeline = [(e.reason, e.subject, e.by) for e in response.context["timeline"]]
    assert timeline == [
        ("Start responding: Facts gathered", "Incident", manager),
        ("Added", "Affected party: Customers in the north", comms),
        ("Declared", "Incident", comms),
    ]
    html = factories.page_text(response)
    assert "<strong>Start responding: Facts gathered</strong>" in html
    assert "Manager Tester ·" in html


def test_the_timeline_shows_the_latest_thirty_of_a_long_history(client_as, viewer, declared):
    for n in range(34):
        declared.title = f"Title {n}"
        declared.save_edit(by=viewer, expected_version=declared.version, fields=["title"])

    response = detail(client_as(viewer), declared)

    assert len(response.context["timeline"]) == 30
    assert response.context["timeline"][0].detail == "Title: Title 32 → Title 33"
    assert "The latest 30 ·" in factories.page_text(response)


def test_a_viewer_sees_no_buttons_that_change_anything(client_as, viewer, declared):
    factories.make_party(declared)

    response = detail(client_as(viewer), declared)

    html = factories.page_text(response)
    for label in ("Edit incident", "Start responding", "Add affected party", "Declare incident"):
        assert label not in html
    assert "Cancel as a false alarm" not in html
    assert move_actions(response) == []
    assert "/edit/" not in html
    assert reverse("incidents:history", args=[declared.reference]) in html


def test_comms_sees_the_moves_but_not_cancel(client_as, comms, declared):
    response = detail(client_as(comms), declared)

    html = factories.page_text(response)
    assert move_actions(response) == ["respond"]
    assert ">Start responding</button>" in html
    assert "Edit incident" in html
    assert "Add affected party" in html
    assert "Cancel as a false alarm" not in html


def test_a_manager_sees_the_cancel_button_with_its_reason_field(client_as, manager, declared):
    response = detail(client_as(manager), declared)

    html = factories.page_text(response)
    assert move_actions(response) == ["respond", "cancel"]
    assert "Cancel as a false alarm…</summary>" in html
    assert '<textarea id="cancel-reason" name="reason"' in html


def test_plain_moves_share_an_optional_note_and_reopen_asks_for_one(client_as, comms):
    resolved = factories.make_incident(comms, status=S.RESOLVED)
    responding = factories.make_incident(comms, status=S.RESPONDING)

    reopen = factories.page_text(detail(client_as(comms), resolved))
    plain = factories.page_text(detail(client_as(comms), responding))

    assert "Reopen…</summary>" in reopen
    assert '<label for="reopen-reason" class="form-label">Why reopen it?</label>' in reopen
    assert '<textarea id="reopen-reason" name="reason"' in reopen
    assert "required" in reopen.split('id="reopen-reason"')[1].split(">")[0]
    assert '<label for="move-note" class="form-label small mb-1">Note for the history' in plain
    assert "required" not in plain.split('id="move-note"')[1].split(">")[0]
    assert 'move-note"' not in reopen


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (S.RESPONDING, ["monitor", "resolve", "cancel"]),
        (S.MONITORING, ["respond", "resolve"]),
        (S.RESOLVED, ["reopen"]),
        # A frozen incident offers a manager only the way back.
        (S.CANCELLED, ["reopen_frozen"]),
        (S.CLOSED, ["reopen_frozen"]),
    ],
)
def test_the_buttons_follow_the_status(status, actions, client_as, manager):
    incident = factories.make_incident(manager, status=status)

    response = detail(client_as(manager), incident)

    assert move_actions(response) == actions


def test_a_closed_incident_offers_no_edit(client_as, manager):
    incident = factories.make_incident(manager)
    factories.make_party(incident)
    factories.walk_to(incident, S.CLOSED)

    response = detail(client_as(manager), incident)

    html = factories.page_text(response)
    assert "Edit incident" not in html
    assert "Add affected party" not in html
    assert "/edit/" not in html


def test_a_cancelled_incident_says_why(client_as, viewer, manager, declared):
    declared.cancel(by=manager, reason="Parody account, not ours")

    response = detail(client_as(viewer), declared)

    assert (
        '<strong>Cancelled:</strong> <span dir="auto">Parody account, not ours</span>'
        in factories.page_text(response)
    )


def test_it_requires_login(client, declared):
    response = detail(client, declared)

    assert response.url == f"{reverse('login')}?next={declared.get_absolute_url()}"


def test_it_rejects_post(client_as, comms, declared):
    response = client_as(comms).post(declared.get_absolute_url())

    assert response.status_code == 405


def test_it_answers_404_for_an_unknown_reference(client_as, viewer):
    response = client_as(viewer).get(reverse("incidents:detail", args=["CR-1999-999"]))

    assert response.status_code == 404


# One page view costs the same number of queries however much the incident holds.
MAX_QUERIES = factories.INCIDENT_PAGE_QUERIES


@pytest.mark.parametrize("parties", [1, 50])
def test_the_page_queries_do_not_grow_with_parties(
    parties, client_as, manager, declared, django_assert_max_num_queries
):
    for n in range(parties):
        factories.make_party(
            declared,
            description=f"Group {n}",
            outreach_status=AffectedParty.Outreach.CONTACTED,
            outreach_at=DECLARED,
        )
    client = client_as(manager)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = detail(client, declared)

    assert len(response.context["parties"]) == parties


@pytest.mark.parametrize("changes", [1, 50])
def test_the_page_queries_do_not_grow_with_history(
    changes, client_as, manager, comms, declared, django_assert_max_num_queries
):
    party = factories.make_party(declared)
    for n in range(changes):
        declared.title = f"Title {n}"
        declared.lead = comms if n % 2 else manager
        declared.save_edit(by=manager, expected_version=declared.version, fields=["title", "lead"])
        party.description = f"Group {n}"
        party.save_edit(by=comms, expected_version=party.version, fields=["description"])
    client = client_as(manager)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = detail(client, declared)

    assert len(response.context["timeline"]) == min(30, 2 + 2 * changes)
