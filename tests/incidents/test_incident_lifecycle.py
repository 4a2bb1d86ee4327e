"""The incident's lifecycle: every move of the table, who may make it, and the refusals."""

from datetime import UTC, datetime

import pytest
import time_machine

from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from incidents.models.postmortem import CLOSED_REASON
from tests import factories

S = Incident.Status

DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MOVED = datetime(2026, 3, 14, 11, 45, tzinfo=UTC)

# The lifecycle of PRODUCT.md, written out independently of Incident.MOVES so that a wrong row
# in the model's table fails here: action -> (statuses it may start from, status it leads to).
LIFECYCLE = {
    "respond": ({S.TRIAGE, S.MONITORING}, S.RESPONDING),
    "monitor": ({S.RESPONDING}, S.MONITORING),
    "resolve": ({S.RESPONDING, S.MONITORING}, S.RESOLVED),
    "reopen": ({S.RESOLVED}, S.RESPONDING),
    "cancel": ({S.TRIAGE, S.RESPONDING}, S.CANCELLED),
    "close": ({S.RESOLVED}, S.CLOSED),
    # The way back from a frozen incident: the same verb, a manager's move, with a reason.
    "reopen_frozen": ({S.CLOSED, S.CANCELLED}, S.RESPONDING),
}
# Table rows that share one verb: a status that one of them allows is not refused by the verb.
VERB = {"reopen_frozen": "reopen"}
LABELS = {
    "respond": "Start responding",
    "monitor": "Move to monitoring",
    "resolve": "Mark resolved",
    "reopen": "Reopen",
    "cancel": "Cancel as a false alarm",
    "close": "Close",
    "reopen_frozen": "Reopen",
}
ALLOWED = [
    (status, action) for action, (sources, _) in LIFECYCLE.items() for status in sorted(sources)
]


def _verb_sources(action):
    verb = VERB.get(action, action)
    return set().union(*(src for a, (src, _) in LIFECYCLE.items() if VERB.get(a, a) == verb))


REFUSED = [
    (status, action) for status in S for action in LIFECYCLE if status not in _verb_sources(action)
]
CANCEL_REASON = "The post was a parody account, not ours"


def do(incident, action, *, by, reason=""):
    """Call the verb behind ``action`` the way code outside the views does."""
    verbs = {
        "respond": incident.start_response,
        "monitor": incident.monitor,
        "resolve": incident.resolve,
        "reopen": incident.reopen,
        "cancel": incident.cancel,
        "close": lambda by, reason: factories.close_with_postmortem(incident, by=by),
        "reopen_frozen": incident.reopen,
    }
    if action in ("cancel", "reopen_frozen"):
        reason = reason or CANCEL_REASON
    if action == "reopen":
        reason = reason or "Flare-up: a second video went viral"
    return verbs[action](by=by, reason=reason)


def incident_in(status, by):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(by, status=status)


def test_the_table_covers_every_status_and_action_exactly_once():
    assert set(Incident.MOVES) == set(LIFECYCLE)
    # Every pair is allowed, refused, or allowed through the other row of the same verb.
    shared = [
        (status, action)
        for status in S
        for action, (sources, _) in LIFECYCLE.items()
        if status not in sources and status in _verb_sources(action)
    ]
    assert len(ALLOWED) + len(REFUSED) + len(shared) == len(S) * len(LIFECYCLE)


@pytest.mark.parametrize(("status", "action"), ALLOWED)
def test_it_makes_every_allowed_move(status, action, comms, manager):
    incident = incident_in(status, comms)
    before = factories.reload(incident)
    history_before = incident.history.count()

    with time_machine.travel(MOVED, tick=False):
        do(incident, action, by=manager, reason=f"Reason to {action}")

    after = factories.reload(incident)
    assert after.status == LIFECYCLE[action][1]
    assert after.version == before.version + 1
    assert incident.status == after.status  # the caller's instance follows the row
    expected = {
        "resolved_at": before.resolved_at,
        "closed_at": before.closed_at,
        "cancelled_at": before.cancelled_at,
        "cancel_reason": before.cancel_reason,
    }
    expected.update(
        {
            "resolve": {"resolved_at": MOVED},
            "reopen": {"resolved_at": None},
            "reopen_frozen": {"resolved_at": None, "closed_at": None, "cancelled_at": None},
            "cancel": {"cancelled_at": MOVED, "cancel_reason": f"Reason to {action}"},
            "close": {"closed_at": MOVED},
        }.get(action, {})
    )
    assert {name: getattr(after, name) for name in expected} == expected
    assert incident.history.count() == history_before + 1
    row = incident.history.first()
    assert row.status == after.status
    assert row.history_user == manager
    assert row.history_date == MOVED
    assert row.history_change_reason == {
        "cancel": f"Cancelled: Reason to {action}",
        "reopen": f"Reopened: Reason to {action}",
        "reopen_frozen": f"Reopened: Reason to {action}",
        # Closing is submitting the post-mortem, which takes no separate note.
        "close": CLOSED_REASON,
    }.get(action, f"{LABELS[action]}: Reason to {action}")


@pytest.mark.parametrize("action", ["respond", "monitor", "resolve", "close"])
def test_it_records_the_moves_label_when_no_reason_is_given(action, comms, manager):
    source = sorted(LIFECYCLE[action][0])[0]
    incident = incident_in(source, comms)

    do(incident, action, by=manager)

    expected = CLOSED_REASON if action == "close" else LABELS[action]
    assert incident.history.first().history_change_reason == expected


def test_it_resolves_then_reopens_and_forgets_the_resolution_time(comms):
    incident = incident_in(S.RESPONDING, comms)
    with time_machine.travel(MOVED, tick=False):
        incident.resolve(by=comms)
    assert factories.reload(incident).resolved_at == MOVED

    incident.reopen(by=comms, reason="Flare-up: a second video went viral")

    reopened = factories.reload(incident)
    assert reopened.status == S.RESPONDING
    assert reopened.resolved_at is None


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_it_refuses_every_move_the_table_does_not_allow(status, action, comms, manager):
    incident = incident_in(status, comms)
    stored = factories.snapshot(incident)
    history_before = incident.history.count()

    with pytest.raises(TransitionRefused) as refused:
        do(incident, action, by=manager, reason="Trying anyway")

    assert LABELS[action] in str(refused.value)
    assert factories.snapshot(incident) == stored
    assert incident.history.count() == history_before


def test_the_refusal_names_the_move_and_the_current_status(comms):
    incident = incident_in(S.TRIAGE, comms)

    with pytest.raises(TransitionRefused) as refused:
        incident.resolve(by=comms)

    assert str(refused.value) == "“Mark resolved” is not possible while the incident is Triage."


def test_it_judges_the_status_in_the_database_not_a_stale_instance(comms):
    incident = incident_in(S.TRIAGE, comms)
    elsewhere = Incident.objects.get(pk=incident.pk)
    elsewhere.start_response(by=comms)

    # ``incident`` still says Triage in memory; responding twice must not succeed.
    with pytest.raises(TransitionRefused):
        incident.start_response(by=comms)
    assert incident.history.count() == 2


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.RESPONDING, "monitor"),
        (S.TRIAGE, "respond"),
        (S.MONITORING, "resolve"),
        (S.RESOLVED, "reopen"),
    ],
)
def test_comms_may_make_the_everyday_moves(status, action, comms):
    incident = incident_in(status, comms)

    do(incident, action, by=comms)

    after = factories.reload(incident)
    assert after.status == LIFECYCLE[action][1]
    assert incident.history.first().history_user == comms


@pytest.mark.parametrize(("status", "action"), [(S.TRIAGE, "cancel"), (S.RESOLVED, "close")])
def test_it_refuses_cancel_and_close_by_comms(status, action, comms):
    incident = incident_in(status, comms)
    stored = factories.snapshot(incident)

    with pytest.raises(TransitionRefused) as refused:
        do(incident, action, by=comms)

    assert str(refused.value).startswith(f"You may not {LABELS[action].lower()}")
    assert factories.snapshot(incident) == stored


@pytest.mark.parametrize(("status", "action"), ALLOWED)
def test_it_refuses_every_move_by_a_viewer(status, action, comms, viewer):
    incident = incident_in(status, comms)
    stored = factories.snapshot(incident)
    history_before = incident.history.count()

    with pytest.raises(TransitionRefused):
        do(incident, action, by=viewer)

    assert factories.snapshot(incident) == stored
    assert incident.history.count() == history_before


def test_it_refuses_a_move_without_an_actor(comms):
    incident = incident_in(S.TRIAGE, comms)

    with pytest.raises(TransitionRefused):
        incident.start_response(by=None)

    assert factories.reload(incident).status == S.TRIAGE


@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_it_refuses_to_cancel_without_a_reason(reason, comms, manager):
    incident = incident_in(S.TRIAGE, comms)
    stored = factories.snapshot(incident)

    with pytest.raises(TransitionRefused, match="Say why the incident is cancelled."):
        incident.cancel(by=manager, reason=reason)

    assert factories.snapshot(incident) == stored


@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_it_refuses_to_reopen_without_a_reason(reason, comms, manager):
    incident = incident_in(S.RESOLVED, comms)
    stored = factories.snapshot(incident)

    with pytest.raises(TransitionRefused, match="Say why the incident is reopened."):
        incident.reopen(by=manager, reason=reason)

    assert factories.snapshot(incident) == stored


def test_a_note_goes_into_the_history_after_the_moves_label(comms):
    incident = incident_in(S.RESPONDING, comms)

    incident.resolve(by=comms, reason="  Cause fixed by the warehouse  ")

    assert incident.history.first().history_change_reason == (
        "Mark resolved: Cause fixed by the warehouse"
    )


def test_cancel_keeps_the_reason_without_surrounding_blanks(comms, manager):
    incident = incident_in(S.TRIAGE, comms)

    incident.cancel(by=manager, reason="  No recall exists  ")

    assert factories.reload(incident).cancel_reason == "No recall exists"
    assert incident.history.first().history_change_reason == "Cancelled: No recall exists"


def test_move_runs_the_verb_behind_a_button(comms):
    incident = incident_in(S.TRIAGE, comms)

    incident.move("respond", by=comms, reason="Facts gathered")

    assert factories.reload(incident).status == S.RESPONDING
    assert incident.history.first().history_change_reason == "Start responding: Facts gathered"


@pytest.mark.parametrize("action", ["close", "explode", ""])
def test_move_refuses_names_that_are_not_buttons(action, comms, manager):
    incident = incident_in(S.RESOLVED, comms)
    stored = factories.snapshot(incident)

    with pytest.raises(TransitionRefused, match="not a move an incident can make here"):
        incident.move(action, by=manager)

    assert factories.snapshot(incident) == stored


def test_button_moves_show_what_the_user_may_do_now(comms, manager, viewer):
    incident = incident_in(S.RESPONDING, comms)

    assert [a for a, _ in incident.button_moves(manager)] == ["monitor", "resolve", "cancel"]
    assert [a for a, _ in incident.button_moves(comms)] == ["monitor", "resolve"]
    assert incident.button_moves(viewer) == []


def test_close_is_never_offered_as_a_button(comms, manager):
    incident = incident_in(S.RESOLVED, comms)

    assert [a for a, _ in incident.button_moves(manager)] == ["reopen"]
