"""The ingestion service: validation by item, sentiment, linking on arrival, no duplicates."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.models import Q, Sum

from incidents.models import Incident
from monitoring.mentions import MAX_TEXT, ingest_mentions
from monitoring.models import Mention, MentionCount
from tests import factories

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def ingest(items, **kwargs):
    return ingest_mentions(items, source="api:test", now=NOW, **kwargs)


@pytest.mark.django_db
def test_it_stores_a_batch_with_every_field():
    result = ingest([factories.mention_item(1, sentiment_score=-0.6, reach=5000)])

    assert (result.created, result.duplicates, result.rejected) == (1, 0, [])
    mention = Mention.objects.get()
    assert mention.platform == "x"
    assert mention.external_id == "post-1"
    assert mention.url == "https://x.com/someone/status/1"
    assert mention.author == "@someone"
    assert mention.posted_at == datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    assert mention.sentiment_score == -0.6
    assert mention.sentiment_label == "negative"
    assert mention.reach == 5000
    assert mention.received_at == NOW
    assert mention.source == "api:test"
    assert mention.incident is None and mention.linked_at is None


@pytest.mark.django_db
def test_the_same_batch_twice_gives_the_same_rows():
    batch = [factories.mention_item(n) for n in range(1, 6)]
    first = ingest(batch)
    rows = list(Mention.objects.order_by("pk").values())

    again = ingest(batch)

    assert (first.created, first.duplicates) == (5, 0)
    assert (again.created, again.duplicates) == (0, 5)
    assert list(Mention.objects.order_by("pk").values()) == rows


@pytest.mark.django_db
def test_a_mention_twice_in_one_batch_is_stored_once():
    result = ingest([factories.mention_item(1), factories.mention_item(1, text="changed")])

    assert (result.created, result.duplicates) == (1, 1)
    assert Mention.objects.get().text == "Still waiting for my parcel, day 1"


@pytest.mark.django_db
def test_the_same_id_on_another_platform_is_another_mention():
    result = ingest([factories.mention_item(1), factories.mention_item(1, platform="Reddit")])

    assert result.created == 2
    assert set(Mention.objects.values_list("platform", flat=True)) == {"x", "reddit"}


@pytest.mark.django_db
def test_invalid_items_are_reported_by_index_and_field_while_the_valid_ones_are_stored():
    batch = [
        factories.mention_item(1),
        factories.mention_item(2, platform="myspace"),
        factories.mention_item(3, posted_at="2026-03-14T10:00:00"),
        factories.mention_item(4, sentiment_score=1.5),
        factories.mention_item(5, reach=-1),
        factories.mention_item(6, text="x" * (MAX_TEXT + 1)),
        factories.mention_item(7, url="javascript:alert(1)"),
        factories.mention_item(8, text="nul \x00 inside"),
        factories.mention_item(9, posted_at="2026-03-15T10:00:00+00:00"),
        "not an object",
        factories.mention_item(11, external_id=""),
        factories.mention_item(12, sentiment_label="angry"),
        factories.mention_item(13, author="\ud800"),
        factories.mention_item(14),
        factories.mention_item(15, posted_at="0001-01-01T00:00:00+01:00"),
    ]

    result = ingest(batch)

    assert result.created == 2
    fields = {(r["index"], r["field"]) for r in result.rejected}
    assert fields == {
        (1, "platform"),
        (2, "posted_at"),
        (3, "sentiment_score"),
        (4, "reach"),
        (5, "text"),
        (6, "url"),
        (7, "text"),
        (8, "posted_at"),
        (9, "item"),
        (10, "external_id"),
        (11, "sentiment_label"),
        (12, "author"),
        (14, "posted_at"),
    }
    assert all(r["message"] for r in result.rejected)
    assert set(Mention.objects.values_list("external_id", flat=True)) == {"post-1", "post-14"}


@pytest.mark.django_db
def test_a_missing_field_is_named():
    item = factories.mention_item(1)
    del item["posted_at"]

    result = ingest([item])

    assert result.rejected == [{"index": 0, "field": "posted_at", "message": "Field required"}]


@pytest.mark.django_db
def test_sentiment_is_computed_when_the_source_gives_none():
    ingest(
        [
            factories.mention_item(1, text="I love this brand, great service!"),
            factories.mention_item(2, text="This is the worst, terrible and awful support."),
            factories.mention_item(3, text="The parcel arrived on Tuesday."),
        ]
    )

    labels = dict(Mention.objects.values_list("external_id", "sentiment_label"))
    assert labels == {"post-1": "positive", "post-2": "negative", "post-3": "neutral"}
    assert Mention.objects.get(external_id="post-1").sentiment_score > 0.5


@pytest.mark.django_db
def test_the_sources_label_is_kept_and_a_label_alone_keeps_no_score():
    ingest(
        [
            factories.mention_item(1, text="I love it", sentiment_label="Negative"),
            factories.mention_item(2, sentiment_score=0.01),
            factories.mention_item(3, sentiment_score=0.3, sentiment_label="neutral"),
        ]
    )

    rows = {m.external_id: (m.sentiment_score, m.sentiment_label) for m in Mention.objects.all()}
    assert rows == {
        "post-1": (None, "negative"),
        "post-2": (0.01, "neutral"),
        "post-3": (0.3, "neutral"),
    }


@pytest.mark.django_db
def test_a_mention_is_linked_on_arrival_to_the_open_incident_its_text_names(comms):
    incident = factories.make_incident(comms, tracking_terms="#acmefail, Acme Bank")
    closed = factories.make_incident(
        comms, tracking_terms="parcel", status=Incident.Status.CANCELLED
    )

    ingest(
        [
            factories.mention_item(1, text="Another #AcmeFail today"),
            factories.mention_item(2, text="acme   bank is down"),
            factories.mention_item(3, text="Where is my parcel"),
        ]
    )

    linked = dict(Mention.objects.values_list("external_id", "incident_id"))
    assert linked == {"post-1": incident.pk, "post-2": incident.pk, "post-3": None}
    assert closed.mentions.count() == 0
    mention = Mention.objects.get(external_id="post-1")
    assert mention.linked_at == NOW and mention.linked_by is None


@pytest.mark.django_db
def test_the_batch_costs_two_queries_however_many_mentions(comms, django_assert_num_queries):
    # The terms, and the insert that also counts what it stored; SQLite, which cannot write two
    # tables in one statement, counts them with a third.
    queries = 2 if connection.vendor == "postgresql" else 3
    factories.make_incident(comms, tracking_terms="parcel")
    with django_assert_num_queries(queries):
        ingest([factories.mention_item(n) for n in range(1, 11)])
    with django_assert_num_queries(queries):
        ingest([factories.mention_item(n) for n in range(11, 611)])
    assert Mention.objects.filter(incident__isnull=False).count() == 610
    assert MentionCount.objects.aggregate(
        total=Sum("n"), linked=Sum("n", filter=Q(incident__isnull=False))
    ) == {"total": 610, "linked": 610}


@pytest.mark.django_db
def test_null_texts_are_taken_as_empty_and_codes_in_any_case():
    result = ingest([factories.mention_item(1, url=None, author=None, text=None, platform=" X ")])

    assert result.created == 1
    mention = Mention.objects.get()
    assert (mention.platform, mention.url, mention.author, mention.text) == ("x", "", "", "")
    assert mention.sentiment_label == "neutral"
