"""The incident's latest public word and the next update it promised, stored by the publishing
verbs in their transaction (what the response clock reads), recomputed and checked by
``manage.py recount_public_word``, and filled by the migration for what was published before."""

import importlib
from datetime import UTC, datetime, timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from crisis import clocks
from incidents.models import Incident
from responses import public_word
from responses.models import ProgressUpdate, Statement
from tests import factories
from tests.races import race

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def word(incident):
    incident.refresh_from_db()
    return incident.public_word_at, incident.promised_update_at


def publish_statement(incident, minutes):
    with time_machine.travel(T0 + minutes * MIN, tick=False):
        factories.make_statement(incident, status=Statement.Status.PUBLISHED)


def publish_update(incident, minutes, promise):
    with time_machine.travel(T0 + minutes * MIN, tick=False):
        factories.make_update(
            incident,
            kind="public",
            status=ProgressUpdate.Status.PUBLISHED,
            next_update_at=T0 + promise * MIN,
        )


@pytest.fixture
def incident(comms):
    with time_machine.travel(T0, tick=False):
        return factories.make_incident(comms)


def test_an_incident_without_a_public_word_has_none(incident):
    assert word(incident) == (None, None)


def test_a_statement_is_the_latest_word_and_promises_nothing(incident):
    publish_statement(incident, 10)

    assert word(incident) == (T0 + 10 * MIN, None)
    assert incident.first_acknowledged_at == T0 + 10 * MIN


def test_a_public_update_is_the_latest_word_with_its_promise(incident):
    publish_statement(incident, 10)
    publish_update(incident, 30, promise=90)

    assert word(incident) == (T0 + 30 * MIN, T0 + 90 * MIN)


def test_a_later_statement_ends_the_updates_promise(incident):
    publish_update(incident, 30, promise=90)
    publish_statement(incident, 40)

    assert word(incident) == (T0 + 40 * MIN, None)


def test_internal_drafted_and_withdrawn_updates_are_no_public_word(incident, comms):
    publish_statement(incident, 10)
    with time_machine.travel(T0 + 20 * MIN, tick=False):
        factories.make_update(incident, comms)
        factories.make_update(incident, comms, kind="public", next_update_at=T0 + 200 * MIN)
        factories.make_update(
            incident,
            comms,
            kind="public",
            status=ProgressUpdate.Status.WITHDRAWN,
            next_update_at=T0 + 300 * MIN,
        )

    assert word(incident) == (T0 + 10 * MIN, None)


def test_an_earlier_word_recorded_late_does_not_replace_a_later_one(incident):
    # As when two publications commit in the other order than their times.
    publish_update(incident, 30, promise=90)
    rows = Incident.objects.filter(pk=incident.pk)

    assert rows.record_public_word(T0 + 20 * MIN, T0 + 60 * MIN) == 0
    assert rows.record_public_word(T0 + 25 * MIN) == 0
    assert word(incident) == (T0 + 30 * MIN, T0 + 90 * MIN)


def test_of_words_of_the_same_moment_the_update_and_the_latest_promise_count(incident):
    rows = Incident.objects.filter(pk=incident.pk)
    at = T0 + 30 * MIN

    rows.record_public_word(at, T0 + 90 * MIN)
    rows.record_public_word(at)  # a statement of the same moment
    assert word(incident) == (at, T0 + 90 * MIN)
    rows.record_public_word(at, T0 + 60 * MIN)
    assert word(incident) == (at, T0 + 90 * MIN)
    rows.record_public_word(at, T0 + 120 * MIN)
    assert word(incident) == (at, T0 + 120 * MIN)


def test_the_response_clock_reads_the_stored_word_without_a_query(
    incident, django_assert_num_queries
):
    publish_statement(incident, 10)
    publish_update(incident, 30, promise=90)
    listed = list(Incident.objects.with_clocks().filter(pk=incident.pk))[0]

    with django_assert_num_queries(0), time_machine.travel(T0 + 80 * MIN, tick=False):
        clock = clocks.response_clock(listed)

    assert clock.public_word_at == T0 + 30 * MIN
    assert (clock.deadline.due_at, clock.deadline.state) == (T0 + 90 * MIN, "due")


def test_incidents_with_clocks_read_every_target_in_one_query_and_none_for_no_rows(
    comms, django_assert_num_queries
):
    for n in range(3):
        factories.make_incident(comms, title=f"Incident {n}", severity=n + 1)

    with django_assert_num_queries(2):
        listed = list(Incident.objects.with_clocks())
    with django_assert_num_queries(0):
        assert {clocks.targets_of(i).acknowledgement for i in listed} == {
            30 * MIN,
            60 * MIN,
            4 * 60 * MIN,
        }
    with django_assert_num_queries(1):
        assert list(Incident.objects.with_clocks().filter(title="None such")) == []


# manage.py recount_public_word


def drift(incident, comms):
    """Two incidents whose stored word went wrong (written around the verbs), one right."""
    publish_statement(incident, 10)
    publish_update(incident, 30, promise=90)
    with time_machine.travel(T0, tick=False):
        quiet = factories.make_incident(comms, title="Quiet")
        right = factories.make_incident(comms, title="Right")
    publish_statement(right, 15)
    Incident.objects.filter(pk=incident.pk).update(public_word_at=T0 + 10 * MIN)
    Incident.objects.filter(pk=quiet.pk).update(
        public_word_at=T0 + 5 * MIN, promised_update_at=T0 + 50 * MIN
    )
    return quiet, right


def test_the_recount_finds_a_drifted_word_and_puts_it_right(incident, comms):
    quiet, right = drift(incident, comms)
    out = StringIO()

    call_command("recount_public_word", stdout=out)

    printed = out.getvalue()
    assert f"{incident.reference}: recorded word 2026-03-14T09:10:00+00:00" in printed
    assert "found word 2026-03-14T09:30:00+00:00, promise 2026-03-14T10:30:00+00:00" in printed
    assert f"{quiet.reference}: recorded word 2026-03-14T09:05:00+00:00" in printed
    assert right.reference not in printed
    assert "2 incidents corrected" in printed
    assert word(incident) == (T0 + 30 * MIN, T0 + 90 * MIN)
    assert word(quiet) == (None, None)
    assert word(right) == (T0 + 15 * MIN, None)
    assert public_word.differences() == []


def test_the_check_refuses_a_difference_and_writes_nothing(incident, comms):
    quiet, _ = drift(incident, comms)
    out = StringIO()

    with pytest.raises(CommandError, match="2 incidents' public word differs"):
        call_command("recount_public_word", "--check", stdout=out)

    assert incident.reference in out.getvalue()
    assert word(incident) == (T0 + 10 * MIN, T0 + 90 * MIN)
    assert word(quiet) == (T0 + 5 * MIN, T0 + 50 * MIN)


def test_the_check_passes_when_every_word_matches(incident):
    publish_statement(incident, 10)
    publish_update(incident, 30, promise=90)
    out = StringIO()

    call_command("recount_public_word", "--check", stdout=out)

    assert "matches" in out.getvalue()


def test_the_migration_fills_the_words_published_before_it(incident, comms):
    quiet, right = drift(incident, comms)
    Incident.objects.update(public_word_at=None, promised_update_at=None)
    backfill = importlib.import_module("responses.migrations.0009_backfill_public_word")

    backfill.fill(apps, SimpleNamespace(connection=connection))

    assert word(incident) == (T0 + 30 * MIN, T0 + 90 * MIN)
    assert word(quiet) == (None, None)
    assert word(right) == (T0 + 15 * MIN, None)
    assert public_word.differences() == []


# Two publications at once (real threads and connections)


@pytest.mark.django_db(transaction=True)
def test_updates_published_at_once_keep_the_latest_word(comms, manager):
    incident = factories.make_incident(comms)
    soon = timezone.now()
    drafts = [
        factories.make_update(incident, comms, kind="public", next_update_at=soon + n * 60 * MIN)
        for n in (2, 3, 4)
    ]

    def publish(update):
        update.publish(by=manager)

    successes, locked = race(drafts, publish, refusals=())

    assert len(successes) + len(locked) == len(drafts)
    published = ProgressUpdate.objects.published_public().order_by("-published_at")
    latest = published.first()
    assert word(incident) == (latest.published_at, latest.next_update_at)
    assert public_word.differences() == []
