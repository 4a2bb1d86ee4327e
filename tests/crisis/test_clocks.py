"""The time rules of crisis/clocks.py: waiting time, the acknowledgement deadline, time taken."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from crisis import clocks
from incidents.models import Incident

S = Incident.Status
DETECTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SECOND = timedelta(seconds=1)


def incident(severity=Incident.Severity.MAJOR, status=S.TRIAGE, acknowledged_after=None):
    """An unsaved incident detected at DETECTED: the clocks read fields only."""
    return Incident(
        severity=severity,
        status=status,
        detected_at=DETECTED,
        declared_at=DETECTED,
        first_acknowledged_at=DETECTED + acknowledged_after if acknowledged_after else None,
    )


def clock_at(moment, subject):
    with time_machine.travel(moment, tick=False):
        return clocks.acknowledgement_clock(subject)


@pytest.mark.parametrize(
    ("severity", "target"),
    [(1, 30 * MIN), (2, 60 * MIN), (3, 4 * 60 * MIN), (4, 24 * 60 * MIN)],
)
def test_the_acknowledgement_target_follows_the_severity(severity, target):
    assert clocks.acknowledgement_target(severity) == target


def test_the_acknowledgement_targets_come_from_the_setting(settings):
    settings.ACKNOWLEDGEMENT_TARGET_MINUTES = {1: 15, 2: 45, 3: 120, 4: 600}

    assert clocks.acknowledgement_target(Incident.Severity.CRITICAL) == 15 * MIN
    assert clocks.acknowledgement_due_at(incident(severity=2)) == DETECTED + 45 * MIN


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
    assert subject.time_to_acknowledgement == 23 * MIN
    assert subject.acknowledgement_clock.state == "done"
