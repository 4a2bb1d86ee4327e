"""The time rules of crisis/clocks.py: waiting time, the acknowledgement deadline, time taken, the
response targets given to it, and the response clock's phases (on unsaved incidents: the clocks
read fields and annotations only; the pages' clocks are tested in
tests/responses/test_response_clock.py, the kept targets in
tests/responses/test_response_targets.py)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from crisis import clocks
from incidents.models import Incident

S = Incident.Status
DETECTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)


def incident(
    severity=Incident.Severity.MAJOR,
    status=S.TRIAGE,
    acknowledged_after=None,
    *,
    word_after=None,
    promised_after=None,
    targets=(None, None),
    **fields,
):
    """An unsaved incident detected at DETECTED, with its targets handed as ``with_clocks()``
    does (minutes; None: no row, the settings apply), its latest public word and its promise."""
    subject = Incident(
        severity=severity,
        status=status,
        detected_at=DETECTED,
        declared_at=DETECTED,
        first_acknowledged_at=DETECTED + acknowledged_after if acknowledged_after else None,
        **fields,
    )
    kept = {int(severity): targets} if targets != (None, None) else {}
    clocks.hand_targets(
        subject,
        {
            level: clocks.targets_from(level, *kept.get(level, (None, None)))
            for level in settings.ACKNOWLEDGEMENT_TARGET_MINUTES
        },
    )
    word_after = word_after if word_after is not None else acknowledged_after
    subject.public_word_at = DETECTED + word_after if word_after else None
    subject.promised_update_at = DETECTED + promised_after if promised_after else None
    return subject


def clock_at(moment, subject):
    with time_machine.travel(moment, tick=False):
        return clocks.acknowledgement_clock(subject)


def response_clock_at(moment, subject):
    with time_machine.travel(moment, tick=False):
        return clocks.response_clock(subject)


def test_the_targets_come_from_the_registered_source_and_else_the_settings(settings, monkeypatch):
    settings.ACKNOWLEDGEMENT_TARGET_MINUTES = {1: 15, 2: 45, 3: 120, 4: 600}
    settings.UPDATE_CADENCE_MINUTES = {1: 20, 2: 90, 3: 180, 4: 700}
    monkeypatch.setattr(clocks, "_targets_source", [])
    clocks.register_targets_source(lambda using: {1: (5, 10)})

    targets = clocks.response_targets()

    assert targets[1] == clocks.Targets(5 * MIN, 10 * MIN)  # kept
    assert targets[2] == clocks.Targets(45 * MIN, 90 * MIN)  # not kept: the settings
    assert clocks.acknowledgement_target(3, targets) == 120 * MIN
    assert clocks.update_cadence(4, targets) == 700 * MIN


def test_an_incident_handed_its_targets_reads_them_without_a_query():
    # No database here: a query would fail the test.
    subject = incident(severity=2, targets=(10, 25))

    assert clocks.targets_of(subject) == clocks.Targets(10 * MIN, 25 * MIN)
    assert clocks.acknowledgement_due_at(subject) == DETECTED + 10 * MIN


def test_the_time_since_detection_is_how_long_the_audience_has_waited():
    with time_machine.travel(DETECTED + 2 * 60 * MIN + 5 * MIN, tick=False):
        assert clocks.time_since_detection(incident()) == timedelta(hours=2, minutes=5)


def test_there_is_no_time_to_acknowledgement_before_the_first_public_word():
    assert clocks.time_to_acknowledgement(incident()) is None


def test_the_time_to_acknowledgement_runs_from_detection():
    acknowledged = incident(acknowledged_after=23 * MIN)

    assert clocks.time_to_acknowledgement(acknowledged) == 23 * MIN


def test_with_most_of_its_time_left_the_clock_is_ok():
    clock = clock_at(DETECTED + 10 * MIN, incident(severity=2))

    assert (clock.state, clock.duration, clock.due_at) == ("ok", 50 * MIN, DETECTED + 60 * MIN)
    assert clock.target == 60 * MIN and not clock.is_late


def test_the_clock_turns_due_when_a_quarter_of_its_time_is_left():
    subject = incident(severity=2)

    just_before = clock_at(DETECTED + 45 * MIN - SECOND, subject)
    at_the_quarter = clock_at(DETECTED + 45 * MIN, subject)

    assert just_before.state == "ok"
    assert (at_the_quarter.state, at_the_quarter.duration) == ("due", 15 * MIN)


def test_at_the_deadline_it_is_due_and_a_second_later_overdue():
    subject = incident(severity=Incident.Severity.CRITICAL)

    at_deadline = clock_at(DETECTED + 30 * MIN, subject)
    after = clock_at(DETECTED + 30 * MIN + SECOND, subject)
    later = clock_at(DETECTED + 35 * MIN, subject)

    assert (at_deadline.state, at_deadline.duration) == ("due", timedelta(0))
    assert (after.state, after.duration, after.is_late) == ("overdue", SECOND, True)
    assert (later.state, later.duration) == ("overdue", 5 * MIN)


@pytest.mark.parametrize("status", [S.TRIAGE, S.RESPONDING, S.MONITORING])
def test_every_open_status_runs_the_clock(status):
    assert clock_at(DETECTED, incident(status=status)).state == "ok"


def test_an_acknowledgement_on_the_deadline_is_done_in_time():
    clock = clock_at(DETECTED + 3 * 60 * MIN, incident(severity=2, acknowledged_after=60 * MIN))

    assert (clock.state, clock.duration, clock.is_late) == ("done", 60 * MIN, False)


def test_an_acknowledgement_a_second_after_the_deadline_is_done_late():
    clock = clock_at(DETECTED, incident(severity=2, acknowledged_after=60 * MIN + SECOND))

    assert (clock.state, clock.duration, clock.is_late) == ("done", 60 * MIN + SECOND, True)


@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED, S.CANCELLED])
def test_an_incident_that_ended_without_a_public_word_has_no_clock(status):
    assert clock_at(DETECTED + 60 * MIN, incident(status=status)) is None


def test_an_incident_that_ended_after_its_acknowledgement_keeps_the_time_it_took():
    clock = clock_at(DETECTED, incident(status=S.CLOSED, acknowledged_after=23 * MIN))

    assert (clock.state, clock.duration) == ("done", 23 * MIN)


def test_the_incident_asks_the_clock_module():
    subject = incident(severity=2, acknowledged_after=23 * MIN)

    with time_machine.travel(DETECTED + 90 * MIN, tick=False):
        assert subject.time_since_detection == 90 * MIN
        assert subject.response_clock.deadline.due_at == DETECTED + (23 + 120) * MIN
    assert subject.time_to_acknowledgement == 23 * MIN
    assert subject.acknowledgement_clock.state == "done"


# The response clock: acknowledgement, then the next update, then stopped.


def test_before_any_statement_the_response_clock_counts_down_to_the_acknowledgement():
    clock = response_clock_at(DETECTED + 50 * MIN, incident(severity=2))

    assert clock.phase == "acknowledgement"
    assert (clock.deadline.state, clock.deadline.duration) == ("due", 10 * MIN)
    assert clock.since_detection == 50 * MIN
    assert clock.deadline is clock.acknowledgement


def test_after_a_statement_the_next_update_is_due_one_cadence_later():
    # Severity 2: an update every 2 h; the statement went out 20 min after detection.
    subject = incident(severity=2, acknowledged_after=20 * MIN)

    clock = response_clock_at(DETECTED + 60 * MIN, subject)

    assert clock.phase == "next_update"
    assert (clock.deadline.state, clock.deadline.duration) == ("ok", 80 * MIN)
    assert clock.deadline.due_at == DETECTED + 140 * MIN
    assert clock.public_word_at == DETECTED + 20 * MIN
    assert clock.acknowledgement.state == "done"


def test_after_a_public_update_the_next_is_due_when_it_promised():
    subject = incident(
        severity=2, acknowledged_after=20 * MIN, word_after=60 * MIN, promised_after=90 * MIN
    )

    at_the_quarter = response_clock_at(DETECTED + 82 * MIN + 30 * SECOND, subject)
    at_the_promise = response_clock_at(DETECTED + 90 * MIN, subject)
    after = response_clock_at(DETECTED + 91 * MIN, subject)

    # 30 min promised: due soon in its last 7.5 min, due now at the promise, then overdue.
    assert (at_the_quarter.deadline.state, at_the_quarter.deadline.duration) == ("due", 7.5 * MIN)
    assert at_the_promise.deadline.is_due_now
    assert (after.deadline.state, after.deadline.duration) == ("overdue", MIN)


def test_the_cadence_follows_the_target_kept_for_the_severity():
    subject = incident(severity=2, acknowledged_after=20 * MIN, targets=(60, 30))

    clock = response_clock_at(DETECTED + 30 * MIN, subject)

    assert clock.deadline.due_at == DETECTED + 50 * MIN


@pytest.mark.parametrize(
    ("status", "fields", "took"),
    [
        (S.RESOLVED, {"resolved_at": DETECTED + 3 * 60 * MIN}, 3 * 60 * MIN),
        (S.CLOSED, {"resolved_at": DETECTED + HOUR, "closed_at": DETECTED + 2 * HOUR}, HOUR),
        (S.CANCELLED, {"cancelled_at": DETECTED + 10 * MIN}, 10 * MIN),
    ],
)
def test_the_response_clock_stops_when_the_incident_ends(status, fields, took):
    subject = incident(status=status, acknowledged_after=5 * MIN, **fields)

    clock = response_clock_at(DETECTED + 10 * 60 * MIN, subject)

    assert (clock.phase, clock.deadline, clock.since_detection) == ("stopped", None, took)
    assert clock.stopped_at == DETECTED + took
    assert clock.acknowledgement.state == "done"


def test_a_drills_clock_runs_and_says_it_is_a_drill():
    clock = response_clock_at(DETECTED + 65 * MIN, incident(severity=2, is_drill=True))

    assert clock.is_drill
    assert (clock.deadline.state, clock.deadline.duration) == ("overdue", 5 * MIN)


@pytest.mark.django_db
def test_an_incident_not_handed_its_targets_reads_them_once(django_assert_num_queries):
    subject = Incident(severity=2, status=S.TRIAGE, detected_at=DETECTED, declared_at=DETECTED)

    with django_assert_num_queries(1):
        clocks.response_clock(subject)
        clocks.acknowledgement_clock(subject)

    assert clocks.targets_of(subject) == clocks.Targets(60 * MIN, 120 * MIN)
