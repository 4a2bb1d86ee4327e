"""The mention counts per (incident or inbox, UTC hour, sentiment): exact after whatever mix of
ingestion, linking, unlinking, dismissing and restoring, also with several clients at once;
rebuilt from the mentions by the data migration's function and ``manage.py recount_mentions``."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring import counts, mentions
from monitoring.models import Mention, MentionCount
from tests import factories
from tests.races import race

NOW = datetime(2026, 3, 14, 14, 30, tzinfo=UTC)


def item(n, *, hour=0, sentiment="neutral", text="nothing to see"):
    return factories.mention_item(
        n,
        text=text,
        posted_at=(NOW - timedelta(hours=hour, minutes=n % 50)).isoformat(),
        sentiment_label=sentiment,
    )


def fresh():
    """The counts as a GROUP BY of the mentions makes them: {(incident, hour, label): n}."""
    rows = (
        Mention.objects.order_by()
        .values_list("incident_id", "posted_at", "sentiment_label")
        .iterator()
    )
    found = {}
    for incident_id, posted_at, label in rows:
        key = (incident_id, posted_at.replace(minute=0, second=0, microsecond=0), label)
        found[key] = found.get(key, 0) + 1
    return found


def stored():
    return {
        (incident_id, hour, label): n
        for incident_id, hour, label, n in MentionCount.objects.exclude(n=0).values_list(
            "incident_id", "hour", "sentiment_label", "n"
        )
    }


@pytest.fixture
def two_incidents(comms):
    return (
        factories.make_incident(comms, title="Parcels", tracking_terms="parcel"),
        factories.make_incident(comms, title="Outage", tracking_terms="outage"),
    )


@pytest.mark.django_db
def test_ingestion_counts_what_it_stored_by_incident_hour_and_sentiment(two_incidents):
    parcels, outage = two_incidents
    batch = [
        item(1, text="my parcel is late", sentiment="negative"),
        item(2, text="my parcel is late", sentiment="negative"),
        item(3, text="outage again", hour=2),
        item(4, text="lovely weather", sentiment="positive"),
    ]
    mentions.ingest_mentions(batch, source="test", now=NOW)
    mentions.ingest_mentions(batch, source="test", now=NOW)  # duplicates: not counted again

    hour = NOW.replace(minute=0)
    assert stored() == {
        (parcels.pk, hour, "negative"): 2,
        (outage.pk, hour - timedelta(hours=2), "neutral"): 1,
        (None, hour, "positive"): 1,
    }
    assert stored() == fresh()


@pytest.mark.django_db
def test_linking_and_unlinking_move_the_counts_dismissing_does_not(comms, two_incidents):
    parcels, outage = two_incidents
    mentions.ingest_mentions([item(n) for n in range(1, 6)], source="test", now=NOW)
    ids = list(Mention.objects.order_by("pk").values_list("pk", flat=True))
    hour = NOW.replace(minute=0)

    mentions.link_mentions(ids[:3], parcels, by=comms)
    mentions.link_mentions(ids[2:4], outage, by=comms)  # one moved from the other incident
    mentions.dismiss_mentions(ids[4:], by=comms)
    assert stored() == {
        (parcels.pk, hour, "neutral"): 2,
        (outage.pk, hour, "neutral"): 2,
        (None, hour, "neutral"): 1,  # dismissed, still the inbox's
    }

    mentions.unlink_mentions(ids, by=comms)
    assert stored() == {(None, hour, "neutral"): 5}
    assert stored() == fresh()


@pytest.mark.django_db
def test_linking_the_matching_mentions_after_a_terms_change_moves_their_counts(comms):
    incident = factories.make_incident(comms, tracking_terms="")
    mentions.ingest_mentions(
        [item(1, text="a refund please"), item(2, text="refund!"), item(3)], source="t", now=NOW
    )
    incident.tracking_terms = "refund"
    incident.save()

    assert mentions.link_matching(incident, by=comms) == 2
    hour = NOW.replace(minute=0)
    assert stored() == {(incident.pk, hour, "neutral"): 2, (None, hour, "neutral"): 1}


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("ingest"),
            st.lists(
                st.tuples(
                    st.integers(1, 40),  # external id: repeats are duplicates
                    st.integers(0, 30),  # hours ago
                    st.sampled_from(["negative", "neutral", "positive"]),
                    st.sampled_from(["parcel late", "outage", "hello"]),
                ),
                max_size=8,
            ),
        ),
        st.tuples(st.sampled_from(["link 0", "link 1"]), st.lists(st.integers(0, 39), max_size=6)),
        st.tuples(
            st.sampled_from(["unlink", "dismiss", "restore"]),
            st.lists(st.integers(0, 39), max_size=6),
        ),
    ),
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_the_counts_equal_a_fresh_count_after_any_sequence_of_changes(
    operations, comms, two_incidents
):
    with transaction.atomic():
        for operation, arguments in operations:
            if operation == "ingest":
                batch = [
                    item(n, hour=hour, sentiment=label, text=text)
                    for n, hour, label, text in arguments
                ]
                mentions.ingest_mentions(batch, source="test", now=NOW)
                continue
            known = list(Mention.objects.order_by("pk").values_list("pk", flat=True))
            picked = [known[i % len(known)] for i in arguments] if known else []
            if operation.startswith("link"):
                incident = two_incidents[int(operation[-1])]
                mentions.link_mentions(picked, incident, by=comms)
            else:
                verb = getattr(mentions, f"{operation}_mentions")
                verb(picked, by=comms)
        assert stored() == fresh()
        assert counts.discrepancies() == []
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_recount_rebuilds_the_counts_and_the_command_checks_them(two_incidents):
    mentions.ingest_mentions(
        [item(n, hour=n % 3, text="parcel" if n % 2 else "") for n in range(1, 21)],
        source="test",
        now=NOW,
    )
    expected = stored()
    call_command("recount_mentions", "--check", stdout=StringIO())

    MentionCount.objects.filter(incident__isnull=True).delete()
    MentionCount.objects.filter(incident__isnull=False).update(n=99)
    assert counts.discrepancies() != []
    with pytest.raises(CommandError, match="differ from the mentions"):
        call_command("recount_mentions", "--check", stdout=StringIO())

    out = StringIO()
    call_command("recount_mentions", stdout=out)
    assert "rebuilt" in out.getvalue()
    assert stored() == expected == fresh()


@pytest.mark.django_db
def test_the_migration_backfills_the_mentions_already_stored():
    # The data migration runs counts.recount(): mentions stored around the counts (as before the
    # migration) are counted once, whatever was there.
    factories.make_mention(posted_at=NOW)
    Mention.objects.bulk_create(
        Mention(platform="x", external_id=f"old{n}", posted_at=NOW, sentiment_label="neutral")
        for n in range(3)
    )
    assert counts.recount() == 1
    assert stored() == {(None, NOW.replace(minute=0), "neutral"): 4}


# Several clients at once (real threads and connections)


def _at_once(jobs):
    """Run every job at the same moment (tests.races); returns what SQLite gave up waiting for."""
    successes, locked = race(jobs, lambda job: job(), refusals=())
    assert len(successes) + len(locked) == len(jobs)
    return locked


@pytest.mark.django_db(transaction=True)
def test_overlapping_batches_at_once_keep_the_counts_exact():
    """On PostgreSQL the batches overlap for real; SQLite runs one writer at a time, where the
    test shows that its waiting writers lose nothing either."""
    comms = factories.make_comms()
    factories.make_incident(comms, title="Parcels", tracking_terms="parcel")
    texts = ["parcel late", "hello", "parcel lost"]
    labels = ["negative", "neutral", "positive"]

    def batch(first):
        # 300 mentions, two thirds shared with the next client's batch, over a few hours.
        return [
            item(n, hour=n % 4, sentiment=labels[n % 3], text=texts[(n // 3) % 3])
            for n in range(first, first + 300)
        ]

    jobs = [
        (lambda first=first: mentions.ingest_mentions(batch(first), source="race", now=NOW))
        for first in (0, 100, 200, 300, 0, 150)
    ]
    assert _at_once(jobs) == []

    assert Mention.objects.count() == 600
    assert MentionCount.objects.aggregate(total=Sum("n"))["total"] == 600
    assert stored() == fresh()
    assert counts.discrepancies() == []


@pytest.mark.django_db(transaction=True)
def test_people_moving_the_same_mentions_at_once_move_their_counts_once():
    comms = factories.make_comms()
    incidents = [factories.make_incident(comms, title=f"I{n}") for n in range(3)]
    mentions.ingest_mentions([item(n, hour=n % 3) for n in range(60)], source="t", now=NOW)
    ids = list(Mention.objects.values_list("pk", flat=True))

    jobs = [
        *(lambda i=i: mentions.link_mentions(ids, i, by=comms) for i in incidents),
        lambda: mentions.unlink_mentions(ids[:30], by=comms),
    ]
    # SQLite may give up waiting for its lock: that move did not happen, nothing half-done
    # (any other error fails the test in tests.races).
    _at_once(jobs)
    assert stored() == fresh()
    assert dict(
        MentionCount.objects.values_list("incident_id").annotate(n=Sum("n")).exclude(n=0)
    ) == dict(Mention.objects.values_list("incident_id").annotate(n=Count("pk")))
