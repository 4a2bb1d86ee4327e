"""The action item's verbs (responses.ActionItem): adding, the lifecycle, the plan's order."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crisis.lifecycle import FrozenRecord, TransitionRefused
from incidents.models import Incident
from responses.models import ActionItem
from tests import factories

S = ActionItem.Status
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def item(incident, comms):
    return factories.make_action_item(incident, comms)


def item_in(status, incident, comms):
    item = factories.make_action_item(incident, comms)
    if status == S.IN_PROGRESS:
        item.start(by=comms)
    elif status == S.DONE:
        item.complete(by=comms)
    elif status == S.DROPPED:
        item.drop(by=comms, reason="No longer needed.")
    return factories.reload(item)


def last_change(item):
    """The newest history row (by id: a moment travelled to may be earlier than the creation)."""
    return item.history.order_by("-history_id").first()


def titles(incident):
    return list(incident.action_items.values_list("title", flat=True))


# Adding


def test_a_new_item_goes_to_the_end_of_the_plan_with_its_author_in_history(incident, comms):
    first = factories.make_action_item(incident, comms, title="First")
    second = factories.make_action_item(incident, comms, title="Second")

    assert (first.position, second.position) == (1, 2)
    assert titles(incident) == ["First", "Second"]
    assert second.created_by == comms
    row = second.history.get()
    assert (row.history_user, row.history_change_reason) == (comms, "Added")
    assert second.status == S.OPEN


def test_a_new_item_due_in_the_past_is_refused_by_its_due_field(incident):
    item = ActionItem(incident=incident, title="Call the regulator", due_at=NOW - 2 * HOUR)

    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as refused:
        item.full_clean()

    assert refused.value.message_dict == {"due_at": ["A new item cannot be due in the past."]}


def test_an_existing_item_may_keep_a_due_time_that_has_passed(incident, comms):
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        item = factories.make_action_item(incident, comms, due_at=NOW - timedelta(hours=1))

    with time_machine.travel(NOW, tick=False):
        item.full_clean()


def test_an_item_cannot_be_added_to_a_closed_incident(comms):
    incident = factories.make_incident(comms, status=Incident.Status.CLOSED)

    with pytest.raises(FrozenRecord):
        factories.make_action_item(incident, comms)

    assert not ActionItem.objects.exists()


# The lifecycle


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (S.OPEN, ["start", "complete", "drop"]),
        (S.IN_PROGRESS, ["complete", "drop"]),
        (S.DONE, ["reopen"]),
        (S.DROPPED, ["reopen"]),
    ],
)
def test_the_moves_offered_follow_the_status(status, allowed, incident, comms):
    item = item_in(status, incident, comms)

    assert [action for action, _move in item.allowed_moves(comms)] == allowed


def test_a_viewer_is_offered_no_move(item, viewer):
    assert item.allowed_moves(viewer) == []


def test_nothing_is_offered_on_a_closed_incident(item, comms):
    factories.walk_to(item.incident, Incident.Status.CLOSED)

    assert factories.reload(item).allowed_moves(comms) == []


def test_starting_records_when_and_who(item, comms):
    with time_machine.travel(NOW, tick=False):
        item.start(by=comms)

    stored = factories.reload(item)
    assert (stored.status, stored.started_at, stored.version) == (S.IN_PROGRESS, NOW, 2)
    assert last_change(stored).history_user == comms


@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.DONE, S.DROPPED])
def test_only_an_open_item_can_be_started(status, incident, comms):
    item = item_in(status, incident, comms)
    before = factories.snapshot(item)

    with pytest.raises(TransitionRefused, match="not possible"):
        item.start(by=comms)

    assert factories.snapshot(item) == before


@pytest.mark.parametrize("status", [S.OPEN, S.IN_PROGRESS])
def test_completing_records_when_and_the_note(status, incident, comms):
    item = item_in(status, incident, comms)

    with time_machine.travel(NOW, tick=False):
        item.complete(by=comms, note="  All 212 complaints answered. ")

    stored = factories.reload(item)
    assert (stored.status, stored.completed_at) == (S.DONE, NOW)
    assert last_change(stored).history_change_reason == "Done: All 212 complaints answered."


def test_completing_without_a_note_is_fine(item, comms):
    item.complete(by=comms)

    assert last_change(item).history_change_reason == "Done"


@pytest.mark.parametrize("status", [S.DONE, S.DROPPED])
def test_a_finished_item_cannot_be_completed_again(status, incident, comms):
    item = item_in(status, incident, comms)

    with pytest.raises(TransitionRefused, match="not possible"):
        item.complete(by=comms)


def test_a_viewer_may_not_complete_an_item(item, viewer):
    with pytest.raises(TransitionRefused, match="You may not mark done"):
        item.complete(by=viewer)

    assert factories.reload(item).status == S.OPEN


def test_completing_an_item_of_a_closed_incident_is_refused(item, comms):
    factories.walk_to(item.incident, Incident.Status.CLOSED)
    before = factories.snapshot(item)

    with pytest.raises(FrozenRecord, match="closed"):
        item.complete(by=comms)

    assert factories.snapshot(item) == before


def test_dropping_needs_a_reason(item, comms):
    before = factories.snapshot(item)

    with pytest.raises(TransitionRefused, match="Say why the item is dropped."):
        item.drop(by=comms, reason="   ")

    assert factories.snapshot(item) == before


def test_an_over_long_drop_reason_is_refused(item, comms):
    with pytest.raises(TransitionRefused, match="2,000 characters"):
        item.drop(by=comms, reason="x" * 2001)

    assert factories.reload(item).status == S.OPEN


def test_dropping_records_the_reason(item, comms):
    with time_machine.travel(NOW, tick=False):
        item.drop(by=comms, reason="Legal handles it.")

    stored = factories.reload(item)
    assert (stored.status, stored.dropped_at, stored.drop_reason) == (
        S.DROPPED,
        NOW,
        "Legal handles it.",
    )
    assert last_change(stored).history_change_reason == "Dropped: Legal handles it."


def test_the_database_refuses_a_dropped_item_without_a_reason(item):
    item.status = S.DROPPED

    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


@pytest.mark.parametrize("status", [S.DONE, S.DROPPED])
def test_reopening_clears_when_it_finished(status, incident, comms):
    item = item_in(status, incident, comms)

    item.reopen(by=comms, reason="Not finished after all.")

    stored = factories.reload(item)
    assert (stored.status, stored.completed_at, stored.dropped_at) == (S.OPEN, None, None)
    assert last_change(stored).history_change_reason == "Reopened: Not finished after all."


def test_an_open_item_cannot_be_reopened(item, comms):
    with pytest.raises(TransitionRefused, match="not possible"):
        item.reopen(by=comms)


def test_move_runs_the_verb_behind_a_button(item, comms):
    item.move("drop", by=comms, reason="Duplicate.")

    assert factories.reload(item).drop_reason == "Duplicate."


def test_move_refuses_an_unknown_action(item, comms):
    with pytest.raises(TransitionRefused, match="not a move"):
        item.move("delete", by=comms)


# The plan's order


@pytest.fixture
def plan(incident, comms):
    return [factories.make_action_item(incident, comms, title=t) for t in ("A", "B", "C")]


def test_moving_up_swaps_with_the_item_before(plan, incident, comms):
    plan[2].move_up(by=comms)

    assert titles(incident) == ["A", "C", "B"]
    c, b = factories.reload(plan[2]), factories.reload(plan[1])
    assert (last_change(c).history_change_reason, last_change(c).history_user) == (
        "Moved up in the plan",
        comms,
    )
    assert last_change(b).history_change_reason == "Moved down in the plan"
    # Reordering is not an edit: a form opened on the item still saves.
    assert (c.version, b.version) == (1, 1)
    # Only the two that swapped changed.
    assert plan[0].history.count() == 1


def test_moving_down_swaps_with_the_item_after(plan, incident, comms):
    plan[0].move_down(by=comms)

    assert titles(incident) == ["B", "A", "C"]


def test_the_first_item_cannot_move_up_nor_the_last_down(plan, incident, comms):
    with pytest.raises(TransitionRefused, match="already first"):
        plan[0].move_up(by=comms)
    with pytest.raises(TransitionRefused, match="already last"):
        plan[2].move_down(by=comms)

    assert titles(incident) == ["A", "B", "C"]


def test_items_sharing_a_position_are_numbered_afresh_when_reordered(incident, comms):
    items = [factories.make_action_item(incident, comms, title=t) for t in ("A", "B", "C")]
    for item in items:
        # As a template or the admin site might leave them.
        item.position = 0
        item.save()

    items[2].move_up(by=comms)

    assert titles(incident) == ["A", "C", "B"]
    assert list(incident.action_items.values_list("position", flat=True)) == [1, 2, 3]


def test_a_viewer_may_not_reorder(plan, incident, viewer):
    with pytest.raises(TransitionRefused, match="reorder"):
        plan[1].move_up(by=viewer)

    assert titles(incident) == ["A", "B", "C"]


def test_a_closed_incidents_plan_cannot_be_reordered(plan, incident, comms):
    factories.walk_to(incident, Incident.Status.CLOSED)

    with pytest.raises(FrozenRecord):
        plan[1].move_up(by=comms)

    assert titles(incident) == ["A", "B", "C"]


# Reading


def test_my_items_are_the_unfinished_ones_on_open_incidents_soonest_due_first(comms):
    incident = factories.make_incident(comms)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        later = factories.make_action_item(incident, comms, title="Later", due_at=NOW)
        undated = factories.make_action_item(incident, comms, title="Undated")
        sooner = factories.make_action_item(
            incident, comms, title="Sooner", due_at=NOW - timedelta(hours=2)
        )
        done = factories.make_action_item(incident, comms, title="Done")
    done.complete(by=comms)
    factories.make_action_item(incident, factories.make_comms("other"), title="Not mine")
    ended = factories.make_incident(comms, title="Ended")
    factories.make_action_item(ended, comms, title="On an ended incident")
    factories.walk_to(ended, Incident.Status.CANCELLED)

    mine = ActionItem.objects.owned_by(comms).unfinished().on_open_incidents().soonest_due_first()

    assert list(mine) == [sooner, later, undated]
