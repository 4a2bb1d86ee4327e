"""Moving an incident through its lifecycle with a button: incidents:move."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from tests import factories

S = Incident.Status
DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 14, 10, 5, tzinfo=UTC)


def move_url(incident, action):
    return reverse("incidents:move", args=[incident.reference, action])


@pytest.mark.parametrize("role", ["comms", "manager", "admin"])
def test_it_starts_the_response_for_each_role_that_may(role, request, client_as, incident):
    user = request.getfixturevalue(role)

    response = client_as(user).post(
        move_url(incident, "respond"), {"reason": "Facts gathered"}, follow=True
    )

    assert response.redirect_chain == [(incident.get_absolute_url(), 302)]
    stored = factories.reload(incident)
    assert stored.status == S.RESPONDING
    assert stored.version == 2
    row = incident.history.first()
    assert (row.history_user, row.history_change_reason) == (
        user,
        "Start responding: Facts gathered",
    )
    assert factories.messages_shown(response) == [
        ("success", f"{incident.reference} is now Responding.")
    ]


def test_without_a_reason_the_history_records_the_buttons_label(client_as, comms, incident):
    client_as(comms).post(move_url(incident, "respond"))

    assert incident.history.first().history_change_reason == "Start responding"


def test_it_marks_an_incident_resolved_at_this_moment(client_as, comms):
    with time_machine.travel(DECLARED, tick=False):
        incident = factories.make_incident(comms, status=S.MONITORING)

    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).post(
            move_url(incident, "resolve"), {"reason": "Cause fixed"}, follow=True
        )

    stored = factories.reload(incident)
    assert (stored.status, stored.resolved_at) == (S.RESOLVED, NOW)
    assert ("success", f"{incident.reference} is now Resolved.") in factories.messages_shown(
        response
    )


def test_a_manager_cancels_a_false_alarm_with_a_reason(client_as, manager, comms):
    with time_machine.travel(DECLARED, tick=False):
        incident = factories.make_incident(comms)
    with time_machine.travel(NOW, tick=False):
        response = client_as(manager).post(
            move_url(incident, "cancel"), {"reason": "Parody account, not ours"}, follow=True
        )

    stored = factories.reload(incident)
    assert stored.status == S.CANCELLED
    assert stored.cancelled_at == NOW
    assert stored.cancel_reason == "Parody account, not ours"
    row = incident.history.first()
    assert (row.history_user, row.history_change_reason) == (
        manager,
        "Cancelled: Parody account, not ours",
    )
    assert factories.messages_shown(response) == [
        ("success", f"{incident.reference} is now Cancelled.")
    ]
    assert "Cancelled: Parody account, not ours" in factories.page_text(response)


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_to_cancel_without_a_reason(reason, client_as, manager, incident):
    stored = factories.snapshot(incident)

    response = client_as(manager).post(
        move_url(incident, "cancel"), {"reason": reason}, follow=True
    )

    assert factories.snapshot(incident) == stored
    assert factories.messages_shown(response) == [("danger", "Say why the incident is cancelled.")]


def test_a_reopen_without_a_note_is_refused_and_says_why(client_as, comms):
    incident = factories.make_incident(comms, status=S.RESOLVED)
    stored = factories.snapshot(incident)

    response = client_as(comms).post(move_url(incident, "reopen"), {"reason": " "}, follow=True)

    assert factories.snapshot(incident) == stored
    assert factories.messages_shown(response) == [("danger", "Say why the incident is reopened.")]


def test_a_reopen_with_a_note_reopens_and_keeps_the_note(client_as, comms):
    incident = factories.make_incident(comms, status=S.RESOLVED)

    response = client_as(comms).post(
        move_url(incident, "reopen"), {"reason": "A second video went viral"}, follow=True
    )

    stored = factories.reload(incident)
    assert (stored.status, stored.resolved_at) == (S.RESPONDING, None)
    row = incident.history.first()
    assert (row.history_user, row.history_change_reason) == (
        comms,
        "Reopened: A second video went viral",
    )
    assert factories.messages_shown(response) == [
        ("success", f"{incident.reference} is now Responding.")
    ]
    assert "Reopened: A second video went viral" in factories.page_text(response)


def test_a_note_too_long_moves_nothing_and_says_so(client_as, comms, incident):
    stored = factories.snapshot(incident)

    response = client_as(comms).post(
        move_url(incident, "respond"), {"reason": "x" * 2001}, follow=True
    )

    assert factories.snapshot(incident) == stored
    assert factories.messages_shown(response) == [
        ("danger", "Nothing moved: The note is too long: at most 2000 characters (it has 2001).")
    ]


def test_it_refuses_a_crafted_cancel_by_comms(client_as, comms, incident):
    stored = factories.snapshot(incident)

    response = client_as(comms).post(
        move_url(incident, "cancel"), {"reason": "I think it is fine"}, follow=True
    )

    assert factories.snapshot(incident) == stored
    assert incident.history.count() == 1
    assert factories.messages_shown(response) == [
        ("danger", "You may not cancel as a false alarm.")
    ]


def test_it_refuses_any_move_by_a_viewer(client_as, viewer, incident):
    stored = factories.snapshot(incident)

    response = client_as(viewer).post(move_url(incident, "respond"))

    assert response.status_code == 403
    assert factories.snapshot(incident) == stored


def test_it_refuses_a_move_the_lifecycle_does_not_allow(client_as, comms, incident):
    stored = factories.snapshot(incident)

    response = client_as(comms).post(move_url(incident, "resolve"), follow=True)

    assert factories.snapshot(incident) == stored
    assert incident.history.count() == 1
    assert factories.messages_shown(response) == [
        ("danger", "“Mark resolved” is not possible while the incident is Triage.")
    ]


@pytest.mark.parametrize("action", ["explode", "close"])
def test_it_refuses_an_action_that_is_not_a_button(action, client_as, manager):
    incident = factories.make_incident(manager, status=S.RESOLVED)
    stored = factories.snapshot(incident)

    response = client_as(manager).post(move_url(incident, action), follow=True)

    assert factories.snapshot(incident) == stored
    assert factories.messages_shown(response) == [
        ("danger", "That is not a move an incident can make here.")
    ]


def test_a_second_press_of_the_same_button_is_refused(client_as, comms, incident):
    client_as(comms).post(move_url(incident, "respond"), follow=True)

    response = client_as(comms).post(move_url(incident, "respond"), follow=True)

    assert incident.history.count() == 2
    assert factories.messages_shown(response) == [
        ("danger", "“Start responding” is not possible while the incident is Responding.")
    ]


def test_it_requires_login(client, incident):
    response = client.post(move_url(incident, "respond"))

    assert response.url.startswith(f"{reverse('login')}?next=")
    assert factories.reload(incident).status == S.TRIAGE


def test_it_rejects_get(client_as, comms, incident):
    response = client_as(comms).get(move_url(incident, "respond"))

    assert response.status_code == 405
    assert factories.reload(incident).status == S.TRIAGE


def test_it_answers_404_for_an_unknown_incident(client_as, comms, db):
    response = client_as(comms).post(reverse("incidents:move", args=["CR-1999-999", "respond"]))

    assert response.status_code == 404
