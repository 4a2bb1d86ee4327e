"""Mentions coming in and being triaged: validation, sentiment, linking by tracking terms, and
bulk storage without duplicates. The API (incidents.api), the CSV import and the inbox all go
through here.

Tracking terms are matched by :mod:`incidents.terms`, whose docstring gives the rules and
which incident wins a mention that matches several.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Annotated, Literal

from django.db import connection, transaction
from django.utils import timezone
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from crisis.lifecycle import FROZEN_INCIDENT_STATUSES, TransitionRefused
from incidents.models import Mention, MentionLinkEvent, Platform, Sentiment
from incidents.sentiment import sentiment_of
from incidents.terms import TermMatcher, split_terms, terms_match

# The most mentions one batch may hold (the API answers 400 beyond it).
MAX_BATCH = 1000
# A mention may claim to be posted this far in the future (clocks of tools and platforms drift);
# further is a mistake in the data, and would show as a spike that never happened.
FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_TEXT = 20_000
MAX_EXTERNAL_ID = 200
MAX_URL = 2000
MAX_AUTHOR = 200
MAX_REACH = 2**63 - 1


# ---------------------------------------------------------------------------------------------
# One mention as a source sends it
# ---------------------------------------------------------------------------------------------


def _lowercase(value):
    return value.strip().lower() if isinstance(value, str) else value


def _text_or_empty(value):
    return "" if value is None else value


PlatformCode = Literal[tuple(Platform.values)]  # type: ignore[valid-type]
SentimentLabel = Literal[tuple(Sentiment.values)]  # type: ignore[valid-type]


class MentionIn(BaseModel):
    """One mention in a batch. Other fields a tool sends are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)

    platform: Annotated[PlatformCode, BeforeValidator(_lowercase)] = Field(
        description="Where it was posted."
    )
    external_id: str = Field(
        min_length=1,
        max_length=MAX_EXTERNAL_ID,
        description="The platform's id of the post; a mention sent again is a duplicate.",
    )
    url: Annotated[str, BeforeValidator(_text_or_empty)] = Field(
        "", max_length=MAX_URL, pattern=r"^(https?://\S+)?$", description="Link to the post."
    )
    author: Annotated[str, BeforeValidator(_text_or_empty)] = Field("", max_length=MAX_AUTHOR)
    text: Annotated[str, BeforeValidator(_text_or_empty)] = Field("", max_length=MAX_TEXT)
    posted_at: AwareDatetime = Field(description="ISO 8601 with a time zone.")
    sentiment_score: float | None = Field(
        None,
        ge=-1,
        le=1,
        allow_inf_nan=False,
        description="From -1 to 1; computed from the text when neither score nor label is given.",
    )
    sentiment_label: Annotated[SentimentLabel | None, BeforeValidator(_lowercase)] = Field(
        None, description="Derived from the score when only the score is given."
    )
    reach: int = Field(0, ge=0, le=MAX_REACH, description="Followers or views.")

    @model_validator(mode="after")
    def _storable_text(self):
        # Databases refuse NUL in text and lone surrogates (which JSON's \ud800 escapes can
        # make) cannot be encoded: refuse them here, by field, rather than fail the batch.
        for name in ("external_id", "url", "author", "text"):
            value = getattr(self, name)
            if "\x00" in value:
                raise ValueError(f"{name}: holds a NUL character")
            try:
                value.encode()
            except UnicodeEncodeError:
                raise ValueError(f"{name}: holds an unpaired surrogate escape") from None
        return self


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
    two clients sending the same batch at once store each mention once.
    """
    now = now or timezone.now()
    latest = now + FUTURE_TOLERANCE
    result = IngestResult()
    rows = {}
    for index, item in enumerate(items):
        try:
            mention = MentionIn.model_validate(item)
        except ValidationError as error:
            result.rejected.extend(_rejections(index, error))
            continue
        if mention.posted_at > latest:
            result.rejected.append(
                {"index": index, "field": "posted_at", "message": "Posted time is in the future."}
            )
            continue
        key = (mention.platform, mention.external_id)
        if key in rows:
            result.duplicates += 1
            continue
        rows[key] = mention
    if not rows:
        return result
    if matcher is None:
        matcher = TermMatcher.for_open_incidents()
    values = []
    for key in sorted(rows):  # one order for every batch: concurrent inserts never deadlock
        mention = rows[key]
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


def _insert(values, *, source, now):
    """Store the rows, skipping those already stored; returns how many were stored."""
    if connection.vendor == "postgresql":
        return _insert_postgresql(values, source, now)
    return _insert_portable(values, source, now)


_TABLE = Mention._meta.db_table


def _insert_postgresql(values, source, now):
    # One statement whatever the batch size: each column travels as one array parameter.
    types = (
        "varchar",
        "varchar",
        "varchar",
        "varchar",
        "text",
        "timestamptz",
        "float8",
        "varchar",
        "bigint",
        "bigint",
    )
    names = ", ".join(f"c{n}" for n in range(len(types)))
    arrays = ", ".join(f"%s::{kind}[]" for kind in types)
    sql = (
        f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}, received_at, source, linked_at) "
        f"SELECT {names}, %s, %s, CASE WHEN c9 IS NULL THEN NULL ELSE %s::timestamptz END "
        f"FROM unnest({arrays}) AS m({names}) "
        "ON CONFLICT (platform, external_id) DO NOTHING RETURNING id"
    )
    columns = [list(column) for column in zip(*values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, source, now, *columns])
        return len(cursor.fetchall())


# SQLite's limit of bound parameters in one statement is 32,766 since 3.32: 2,000 rows of 13
# stay under it, so a batch of the API's size is one statement.
_SQLITE_ROWS_PER_STATEMENT = 2000


def _insert_portable(values, source, now):
    placeholders = "(" + ", ".join(["%s"] * (len(_COLUMNS) + 3)) + ")"
    head = f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}, received_at, source, linked_at) VALUES "
    tail = " ON CONFLICT (platform, external_id) DO NOTHING RETURNING id"
    created = 0
    # Several statements are one transaction; one statement is its own already.
    atomic = transaction.atomic() if len(values) > _SQLITE_ROWS_PER_STATEMENT else nullcontext()
    with atomic, connection.cursor() as cursor:
        for start in range(0, len(values), _SQLITE_ROWS_PER_STATEMENT):
            chunk = values[start : start + _SQLITE_ROWS_PER_STATEMENT]
            params = []
            for row in chunk:
                params.extend(row)
                params.extend((now, source, now if row[-1] is not None else None))
            cursor.execute(head + ", ".join([placeholders] * len(chunk)) + tail, params)
            created += len(cursor.fetchall())
    return created


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
    Returns how many were linked. Refuses a frozen ``incident``. A few queries whatever the
    number of mentions."""
    _refuse_frozen(incident)
    now = now or timezone.now()
    ids = list(
        Mention.objects.filter(pk__in=list(mention_ids))
        .exclude(incident=incident)
        .exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Mention.objects.filter(pk__in=ids).update(
        incident=incident, linked_at=now, linked_by=by, dismissed_at=None, dismissed_by=None
    )
    _log(ids, MentionLinkEvent.Action.LINKED, incident.pk, by, now)
    return len(ids)


@transaction.atomic
def unlink_mentions(mention_ids, *, by, now=None):
    """Send linked mentions back to the inbox, recording who did it; those of a closed or
    cancelled incident stay. Returns how many moved."""
    now = now or timezone.now()
    rows = list(
        Mention.objects.filter(pk__in=list(mention_ids), incident__isnull=False)
        .exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)
        .values_list("pk", "incident_id")
    )
    if not rows:
        return 0
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
        Mention.objects.inbox().filter(pk__in=list(mention_ids)).values_list("pk", flat=True)
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
        ).values_list("pk", flat=True)
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
