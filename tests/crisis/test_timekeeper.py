"""The desk's clock (crisis.timekeeper): the real time, except inside a story told at a moment,
which dates the verbs, the records' defaults and their history rows, and ends with its block."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from crisis import timekeeper
from tests import factories

MOMENT = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def assert_real_time():
    before = timezone.now()
    read = timekeeper.now()
    assert before <= read <= timezone.now()


def test_outside_a_story_the_clock_reads_the_real_time():
    assert_real_time()


def test_inside_a_story_the_clock_reads_its_moment_and_the_real_time_after_it():
    with timekeeper.telling_at(MOMENT):
        assert timekeeper.now() == MOMENT
        with timekeeper.telling_at(MOMENT + timedelta(hours=1)):
            assert timekeeper.now() == MOMENT + timedelta(hours=1)
        assert timekeeper.now() == MOMENT

    assert_real_time()


def test_a_story_that_fails_leaves_the_clock_at_the_real_time():
    with pytest.raises(RuntimeError), timekeeper.telling_at(MOMENT):
        raise RuntimeError("The step failed.")

    assert_real_time()


def test_a_story_is_told_in_its_own_thread_alone():
    seen = []
    with timekeeper.telling_at(MOMENT):
        other = threading.Thread(target=lambda: seen.append(timekeeper.now()))
        other.start()
        other.join()

    assert seen and seen[0] != MOMENT
    assert abs(seen[0] - timezone.now()) < timedelta(minutes=1)


def test_a_story_needs_an_aware_moment():
    with pytest.raises(ValueError), timekeeper.telling_at(datetime(2026, 3, 14, 9, 30)):
        pass


def test_records_their_verbs_and_history_rows_are_dated_by_the_story(comms, manager):
    with timekeeper.telling_at(MOMENT):
        incident = factories.make_incident(comms)
    later = MOMENT + timedelta(hours=2)
    with timekeeper.telling_at(later):
        incident.cancel(by=manager, reason="A false alarm.")

    incident = factories.reload(incident)
    assert (incident.detected_at, incident.declared_at) == (MOMENT, MOMENT)
    assert incident.cancelled_at == later
    dates = list(incident.history.order_by("history_id").values_list("history_date", flat=True))
    assert dates[0] == MOMENT and dates[-1] == later
