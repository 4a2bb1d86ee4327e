"""An action item's clock (crisis.clocks.action_item_clock), at the minute boundaries."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from crisis import clocks
from responses.models import ActionItem

S = ActionItem.Status
CREATED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 14, 17, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


def item(status=S.OPEN, due_at=DUE, completed_at=None):
    """An unsaved item: the clock reads fields only."""
    return ActionItem(status=status, created_at=CREATED, due_at=due_at, completed_at=completed_at)


def clock_at(moment, subject):
    with time_machine.travel(moment, tick=False):
        return clocks.action_item_clock(subject)


def test_an_item_due_in_more_than_an_hour_is_ok():
    clock = clock_at(DUE - HOUR - SECOND, item())

    assert (clock.state, clock.duration, clock.due_at) == ("ok", HOUR + SECOND, DUE)
    assert clock.target == DUE - CREATED


def test_an_item_turns_due_soon_an_hour_before():
    assert clock_at(DUE - HOUR, item()).state == "due"


@pytest.mark.parametrize("status", [S.OPEN, S.IN_PROGRESS])
def test_an_item_due_now_is_due_not_overdue(status):
    clock = clock_at(DUE, item(status))

    assert (clock.state, clock.duration) == ("due", timedelta(0))


def test_a_second_past_the_due_time_it_is_overdue():
    clock = clock_at(DUE + SECOND, item(S.IN_PROGRESS))

    assert (clock.state, clock.duration, clock.is_late) == ("overdue", SECOND, True)


def test_the_now_passed_in_wins_over_the_clock():
    clock = clocks.action_item_clock(item(), now=DUE + 2 * HOUR)

    assert (clock.state, clock.duration) == ("overdue", 2 * HOUR)


def test_a_done_item_stops_its_clock_on_time():
    clock = clock_at(DUE + 5 * HOUR, item(S.DONE, completed_at=DUE))

    assert (clock.state, clock.duration, clock.is_late) == ("done", DUE - CREATED, False)


def test_a_done_item_says_it_was_late():
    clock = clock_at(DUE + 5 * HOUR, item(S.DONE, completed_at=DUE + SECOND))

    assert (clock.state, clock.is_late) == ("done", True)


def test_a_dropped_item_and_an_item_without_a_due_time_have_no_clock():
    assert clock_at(DUE + HOUR, item(S.DROPPED)) is None
    assert clock_at(DUE + HOUR, item(due_at=None)) is None
