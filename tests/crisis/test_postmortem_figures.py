"""The figures of a finished response (crisis/clocks.py): time to resolution, acknowledgement
within target, promises kept, action items done on time. The post-mortem and the reports read
them; each rule is checked here against values worked out by hand."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from crisis import clocks
from crisis.clocks import DROPPED, LATE, ON_TIME, UNFINISHED
from incidents.models import Incident

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)


def incident(**fields):
    base = {
        "severity": Incident.Severity.MAJOR,  # 1 h to acknowledge (settings' defaults)
        "detected_at": T0,
        "declared_at": T0,
        "status": Incident.Status.RESOLVED,
    }
    return Incident(**{**base, **fields})


def test_time_to_resolution_runs_from_detection_to_the_latest_resolution():
    assert clocks.time_to_resolution(incident(resolved_at=T0 + 5 * HOUR)) == 5 * HOUR
    assert clocks.time_to_resolution(incident(status="responding")) is None


@pytest.mark.parametrize(
    ("after", "within"),
    [(30 * MIN, True), (HOUR, True), (HOUR + MIN, False), (None, None)],
)
def test_an_acknowledgement_is_within_target_up_to_the_target_itself(after, within):
    subject = incident(first_acknowledged_at=T0 + after if after else None)
    targets = {2: clocks.Targets(HOUR, 2 * HOUR)}

    assert clocks.acknowledged_within_target(subject, targets) is within


# Promises: (promised for, next word at, stopped at, now) -> kept?
@pytest.mark.parametrize(
    ("promised", "next_word", "stopped", "now", "kept"),
    [
        # The next word came before the promised time, or at it.
        (T0 + HOUR, T0 + 50 * MIN, None, None, True),
        (T0 + HOUR, T0 + HOUR, None, None, True),
        # It came a minute late.
        (T0 + HOUR, T0 + HOUR + MIN, None, None, False),
        # None came, the time passed while the incident ran.
        (T0 + HOUR, None, None, T0 + 2 * HOUR, False),
        # None came yet, and the time is still to come.
        (T0 + HOUR, None, None, T0 + 30 * MIN, None),
        # Resolved before the promised time: the promise ended, not broken.
        (T0 + HOUR, None, T0 + 30 * MIN, T0 + 3 * HOUR, None),
        # Resolved after the promised time without a word: broken.
        (T0 + HOUR, None, T0 + 2 * HOUR, T0 + 3 * HOUR, False),
        # A closing statement after the resolution does not keep a promise already broken.
        (T0 + HOUR, T0 + 3 * HOUR, T0 + 2 * HOUR, T0 + 4 * HOUR, False),
    ],
)
def test_promise_kept(promised, next_word, stopped, now, kept):
    assert clocks.promise_kept(promised, next_word, stopped_at=stopped, now=now) is kept


def test_promise_outcomes_judge_each_update_by_the_next_public_word():
    words = [
        (T0 + 2 * HOUR, T0 + 3 * HOUR),  # an update kept by the statement at 2:30
        (T0, None),  # the acknowledgement: a statement promises nothing
        (T0 + 30 * MIN, T0 + 90 * MIN),  # kept by the update at 2:00? no: late by 30 min
        (T0 + 150 * MIN, None),  # a statement
        (T0 + 4 * HOUR, T0 + 6 * HOUR),  # the resolution at 5:00 ends it
    ]

    outcomes = clocks.promise_outcomes(words, stopped_at=T0 + 5 * HOUR, now=T0 + 8 * HOUR)

    assert outcomes == [
        (T0 + 30 * MIN, T0 + 90 * MIN, False),
        (T0 + 2 * HOUR, T0 + 3 * HOUR, True),
        (T0 + 4 * HOUR, T0 + 6 * HOUR, None),
    ]


def item(status, *, due=None, completed=None, dropped=None):
    return SimpleNamespace(
        is_unfinished=status in ("open", "in_progress"),
        due_at=due,
        completed_at=completed,
        dropped_at=dropped,
    )


@pytest.mark.parametrize(
    ("subject", "outcome"),
    [
        (item("done", due=T0 + HOUR, completed=T0 + 30 * MIN), ON_TIME),
        (item("done", due=T0 + HOUR, completed=T0 + HOUR), ON_TIME),
        (item("done", completed=T0 + 9 * HOUR), ON_TIME),  # no due time: never late
        (item("done", due=T0 + HOUR, completed=T0 + HOUR + MIN), LATE),
        (item("dropped", due=T0 + HOUR, dropped=T0 + 2 * HOUR), DROPPED),
        (item("open", due=T0 + HOUR), UNFINISHED),
        (item("in_progress"), UNFINISHED),
    ],
)
def test_action_item_outcome(subject, outcome):
    assert clocks.action_item_outcome(subject) == outcome
    assert clocks.done_on_time(subject) is (outcome == ON_TIME)


def test_done_late_agrees_with_the_action_item_clock():
    subject = item("done", due=T0 + HOUR, completed=T0 + 2 * HOUR)
    subject.created_at = T0

    assert clocks.action_item_clock(subject).is_late is True
    assert clocks.action_item_outcome(subject) == LATE
