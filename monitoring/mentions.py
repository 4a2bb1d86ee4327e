"""Mentions coming in and being triaged: validation, sentiment, linking by tracking terms, and
bulk storage without duplicates. The API (monitoring.api), the CSV import and the inbox all go
through here.

Tracking terms are matched by :mod:`monitoring.terms`, whose docstring gives the rules and
which incident wins a mention that matches several.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from django.db import connection, transaction
from django.utils import timezone
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
)

from crisis.lifecycle import TransitionRefused
from incidents.models import Platform
from incidents.models.incident import FROZEN_INCIDENT_STATUSES
from monitoring import counts
from monitoring.models import Mention, MentionLinkEvent, Sentiment
from monitoring.sentiment import sentiment_of
from monitoring.terms import TermMatcher, split_terms, terms_match

# The most mentions one batch may hold (the API answers 400 beyond it).
MAX_BATCH = 1000
# A mention may claim to be posted this far in the future (clocks of tools and platforms drift);
# further is a mistake in the data, and would show as a spike that never happened.
FUTURE_TOLERANCE = timedelta(minutes=10)
# Nothing was posted on a social platform before this; an earlier time is a mistake in the data
# (and the year 1 cannot even be converted to UTC).
EARLIEST_POSTED = datetime(1990, 1, 1, tzinfo=UTC)
MAX_TEXT = 20_000
MAX_EXTERNAL_ID = 200
MAX_URL = 2000
MAX_AUTHOR = 200
MAX_REACH = 2**63 - 1


# ---------------------------------------------------------------------------------------------
# One mention as a source sends it
# ---------------------------------------------------------------------------------------------


PlatformCode = Literal[tuple(Platform.values)]  # type: ignore[valid-type]
SentimentLabel = Literal[tuple(Sentiment.values)]  # type: ignore[valid-type]
_CODES = {"platform": frozenset(Platform.values), "sentiment_label": frozenset(Sentiment.values)}


def _normalised(item):
    """``item`` with its platform and sentiment label in lower case ("X", " Reddit"), done here
    rather than by a validator that pydantic would call back into Python for on every item."""
    if not isinstance(item, dict):
        return item
    for name, codes in _CODES.items():
        value = item.get(name)
        if isinstance(value, str) and value not in codes:
            item = {**item, name: value.strip().lower()}
    return item


class MentionIn(BaseModel):
    """One mention in a batch. Other fields a tool sends are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)

    platform: PlatformCode = Field(description="Where it was posted (any case).")
    external_id: str = Field(
        min_length=1,
        max_length=MAX_EXTERNAL_ID,
        description="The platform's id of the post; a mention sent again is a duplicate.",
    )
    # Null is taken as empty (the values are read with ``or ""``).
    url: str | None = Field(
        "", max_length=MAX_URL, pattern=r"^(https?://\S+)?$", description="Link to the post."
    )
    author: str | None = Field("", max_length=MAX_AUTHOR)
    text: str | None = Field("", max_length=MAX_TEXT)
    posted_at: AwareDatetime = Field(description="ISO 8601 with a time zone.")
    sentiment_score: float | None = Field(
        None,
        ge=-1,
        le=1,
        allow_inf_nan=False,
        description="From -1 to 1; computed from the text when neither score nor label is given.",
    )
    sentiment_label: SentimentLabel | None = Field(
        None, description="Any case. Derived from the score when only the score is given."
    )
    reach: int = Field(0, ge=0, le=MAX_REACH, description="Followers or views.")


@dataclass
class IngestResult:
    created: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)

    def as_dict(self):
        return {"created": self.created, "duplicates": self.duplicates, "rejected": self.rejected}


def _rejections(index, error):
    """``{index, field, message}`` for each problem pydantic found in one item."""
    found = []
    for problem in error.errors(include_url=False, include_context=False, include_input=False):
        location = [str(part) for part in problem["loc"]]
        message = problem["msg"]
        name = location[0] if location else "item"
        if not location and ": " in message:
            # Our own model-level check says which field ("text: holds a NUL character").
            message = message.removeprefix("Value error, ")
            name, _, message = message.partition(": ")
        found.append({"index": index, "field": name, "message": message})
    return found


# ---------------------------------------------------------------------------------------------
# Ingestion
# ---------------------------------------------------------------------------------------------

_COLUMNS = (
    "platform",
    "external_id",
    "url",
    "author",
    "text",
    "posted_at",
    "sentiment_score",
    "sentiment_label",
    "reach",
    "incident_id",
)


def ingest_mentions(items, *, source, now=None, matcher=None):
    """Validate, analyse, link and store a batch of mentions (dicts as a source sent them).

    Returns an :class:`IngestResult`: how many were stored, how many were already there (or
    twice in the batch), and ``{index, field, message}`` for each problem of a refused item. The
    valid items are stored even when others are refused. Two queries: the open incidents'
    tracking terms (unless ``matcher`` is given) and one INSERT ... ON CONFLICT DO NOTHING, so
    two clients sending the same batch at once store each mention once, which on PostgreSQL also
    adds what it stored to the mention counts (monitoring.counts); SQLite adds them with a third.
    """
    now = now or timezone.now()
    latest = now + FUTURE_TOLERANCE
    result = IngestResult()
    rows = {}
    for index, item in enumerate(items):
        try:
            mention = MentionIn.model_validate(_normalised(item))
        except ValidationError as error:
            result.rejected.extend(_rejections(index, error))
            continue
        if mention.posted_at > latest:
            result.rejected.append(
                {"index": index, "field": "posted_at", "message": "Posted time is in the future."}
            )
            continue
        if mention.posted_at < EARLIEST_POSTED:
            result.rejected.append(
                {"index": index, "field": "posted_at", "message": "Posted time is before 1990."}
            )
            continue
        key = (mention.platform, mention.external_id)
        if key in rows:
            result.duplicates += 1
            continue
        mention.url = mention.url or ""
        mention.author = mention.author or ""
        mention.text = mention.text or ""
        rows[key] = (index, mention)
    _refuse_unstorable(rows, result)
    if not rows:
        return result
    if matcher is None:
        matcher = TermMatcher.for_open_incidents()
    values = []
    for key in sorted(rows):  # one order for every batch: concurrent inserts never deadlock
        mention = rows[key][1]
        score, label = sentiment_of(
            mention.text, score=mention.sentiment_score, label=mention.sentiment_label
        )
        values.append(
            (
                mention.platform,
                mention.external_id,
                mention.url,
                mention.author,
                mention.text,
                mention.posted_at.astimezone(UTC),
                score,
                label,
                mention.reach,
                matcher.match(mention.text),
            )
        )
    created = _insert(values, source=source[:120], now=now)
    result.created = created
    result.duplicates += len(values) - created
    return result


_TEXT_FIELDS = ("external_id", "url", "author", "text")


def _unstorable(text):
    """What in ``text`` no database stores, or None: NUL, or half of a surrogate pair (which
    JSON's "\\ud800" escapes can make, and no encoding can write)."""
    if "\x00" in text:
        return "a NUL character"
    try:
        text.encode()
    except UnicodeEncodeError:
        return "an unpaired surrogate"
    return None


def _refuse_unstorable(rows, result):
    """Take the mentions holding text no database stores out of ``rows``, reporting each field.
    One check of the whole batch's text, then item by item only when it finds something."""
    whole = "".join(getattr(m, name) for _index, m in rows.values() for name in _TEXT_FIELDS)
    if _unstorable(whole) is None:
        return
    for key, (index, mention) in list(rows.items()):
        for name in _TEXT_FIELDS:
            what = _unstorable(getattr(mention, name))
            if what is not None:
                result.rejected.append({"index": index, "field": name, "message": f"Holds {what}."})
                rows.pop(key, None)
    result.rejected.sort(key=lambda rejection: rejection["index"])


def _insert(values, *, source, now):
    """Store the rows, skipping those already stored; returns how many were stored."""
    if connection.vendor == "postgresql":
        return _insert_postgresql(values, source, now)
    return _insert_portable(values, source, now)


_TABLE = Mention._meta.db_table


def _insert_postgresql(values, source, now):
    # One statement whatever the batch size, the rows travelling as one JSON parameter: PostgreSQL
    # reads JSON in C, where binding thousands of values (or arrays of them) costs the app's
    # Python more than the insert costs the database. As jsonb, each row is parsed once, not once
    # per field. The counts of what it stored are added by the same statement (monitoring.counts).
    casts = ("", "", "", "", "", "::timestamptz", "::float8", "", "::bigint", "::bigint")
    fields = ", ".join(f"(r->>{n}){cast}" for n, cast in enumerate(casts))
    insert = (
        f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}, received_at, source, linked_at) "
        f"SELECT {fields}, %s, %s, CASE WHEN r->>9 IS NULL THEN NULL ELSE %s::timestamptz END "
        "FROM jsonb_array_elements(%s::jsonb) AS r "
        "ON CONFLICT (platform, external_id) DO NOTHING "
        "RETURNING incident_id, posted_at, sentiment_label"
    )
    rows = json.dumps([(*row[:5], row[5].isoformat(), *row[6:]) for row in values])
    with connection.cursor() as cursor:
        cursor.execute(counts.postgresql_ingest_sql(insert), [now, source, now, rows])
        return cursor.fetchone()[0]


# SQLite's limit of bound parameters in one statement is 32,766 since 3.32: 2,000 rows of 13
# stay under it, so a batch of the API's size is one statement.
_SQLITE_ROWS_PER_STATEMENT = 2000


def _insert_portable(values, source, now):
    placeholders = "(" + ", ".join(["%s"] * (len(_COLUMNS) + 3)) + ")"
    head = f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}, received_at, source, linked_at) VALUES "
    tail = " ON CONFLICT (platform, external_id) DO NOTHING RETURNING id"
    stored = []
    # The mentions and their counts (monitoring.counts) commit together. No savepoint inside a
    # caller's transaction: a failure here fails it anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(values), _SQLITE_ROWS_PER_STATEMENT):
            chunk = values[start : start + _SQLITE_ROWS_PER_STATEMENT]
            params = []
            for row in chunk:
                params.extend(row)
                params.extend((now, source, now if row[-1] is not None else None))
            cursor.execute(head + ", ".join([placeholders] * len(chunk)) + tail, params)
            stored.extend(pk for (pk,) in cursor.fetchall())
        counts.add_stored(cursor, stored)
    return len(stored)


# ---------------------------------------------------------------------------------------------
# Triage: what a person does with mentions
# ---------------------------------------------------------------------------------------------


def _refuse_frozen(incident):
    if incident.status in FROZEN_INCIDENT_STATUSES:
        raise TransitionRefused(incident.frozen_notice())


def inbox_matches(incident, *, limit=None):
    """The ids of the inbox's mentions that ``incident``'s tracking terms match, newest first
    (what the incident page offers to link after its terms change). One query, reading the
    inbox in chunks."""
    matcher = TermMatcher([(incident.pk, incident.tracking_terms)])
    if not matcher:
        return []
    found = []
    rows = Mention.objects.inbox().newest_first().values_list("pk", "text")
    for pk, text in rows.iterator(chunk_size=2000):
        if matcher.match(text) is not None:
            found.append(pk)
            if limit is not None and len(found) >= limit:
                break
    return found


def link_matching(incident, *, by, now=None):
    """Link every inbox mention that ``incident``'s terms match to it; returns how many.
    Queries the inbox, then links as :func:`link_mentions` does."""
    return link_mentions(inbox_matches(incident), incident, by=by, now=now)


@transaction.atomic
def link_mentions(mention_ids, incident, *, by, now=None):
    """Link the mentions to ``incident`` (from the inbox, or moved from another open incident),
    recording who did it. Mentions of a closed or cancelled incident stay where they are.
    Returns how many were linked, and moves their counts. Refuses a frozen ``incident``. A few
    queries whatever the number of mentions."""
    _refuse_frozen(incident)
    now = now or timezone.now()
    ids = list(
        Mention.objects.filter(pk__in=list(mention_ids))
        .exclude(incident=incident)
        .exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)
        .order_by("pk")
        # Locked, so that two people moving the same mention at once move its count once.
        .select_for_update(of=("self",))
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    counts.move(ids, incident.pk)
    Mention.objects.filter(pk__in=ids).update(
        incident=incident, linked_at=now, linked_by=by, dismissed_at=None, dismissed_by=None
    )
    _log(ids, MentionLinkEvent.Action.LINKED, incident.pk, by, now)
    return len(ids)


@transaction.atomic
def unlink_mentions(mention_ids, *, by, now=None):
    """Send linked mentions back to the inbox, recording who did it; those of a closed or
    cancelled incident stay. Returns how many moved, and moves their counts."""
    now = now or timezone.now()
    rows = list(
        Mention.objects.filter(pk__in=list(mention_ids), incident__isnull=False)
        .exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)
        .order_by("pk")
        .select_for_update(of=("self",))
        .values_list("pk", "incident_id")
    )
    if not rows:
        return 0
    counts.move([pk for pk, _ in rows], None)
    Mention.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        incident=None, linked_at=None, linked_by=None
    )
    MentionLinkEvent.objects.bulk_create(
        MentionLinkEvent(
            mention_id=pk,
            incident_id=incident_id,
            action=MentionLinkEvent.Action.UNLINKED,
            by=by,
            at=now,
        )
        for pk, incident_id in rows
    )
    return len(rows)


@transaction.atomic
def dismiss_mentions(mention_ids, *, by, now=None):
    """Take mentions out of the inbox as not about any incident. Only mentions still in the
    inbox are dismissed; returns how many."""
    now = now or timezone.now()
    ids = list(
        Mention.objects.inbox()
        .filter(pk__in=list(mention_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Mention.objects.filter(pk__in=ids).update(dismissed_at=now, dismissed_by=by)
    _log(ids, MentionLinkEvent.Action.DISMISSED, None, by, now)
    return len(ids)


@transaction.atomic
def restore_mentions(mention_ids, *, by, now=None):
    """Put dismissed mentions back into the inbox; returns how many."""
    now = now or timezone.now()
    ids = list(
        Mention.objects.filter(
            pk__in=list(mention_ids), dismissed_at__isnull=False, incident__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Mention.objects.filter(pk__in=ids).update(dismissed_at=None, dismissed_by=None)
    _log(ids, MentionLinkEvent.Action.RESTORED, None, by, now)
    return len(ids)


def _log(ids, action, incident_id, by, now):
    MentionLinkEvent.objects.bulk_create(
        MentionLinkEvent(mention_id=pk, incident_id=incident_id, action=action, by=by, at=now)
        for pk in ids
    )


__all__ = [
    "IngestResult",
    "MAX_BATCH",
    "MentionIn",
    "TermMatcher",
    "dismiss_mentions",
    "inbox_matches",
    "ingest_mentions",
    "link_matching",
    "link_mentions",
    "restore_mentions",
    "split_terms",
    "terms_match",
    "unlink_mentions",
]
