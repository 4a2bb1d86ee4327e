"""One poll of one source, and a run over the sources that are due.

A poll either stores what it brought and moves the source's cursors forward in one transaction,
or stores nothing and says why on the source's health line; the next poll is set either way.
"""

import logging
from collections import Counter

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F

from crisis import timekeeper
from sources import feeds, social
from sources.fetch import NotModified, PollFailed, fetch
from sources.ingest import Incident, TermMatcher, ingest_mentions
from sources.models import Source

logger = logging.getLogger(__name__)


def _collect(source, now):
    """(items, poll state, notice) of one poll; NotModified or PollFailed."""
    if source.kind == Source.Kind.MASTODON:
        items, state = social.poll_mastodon(source, now)
        return items, state, ""
    if source.kind == Source.Kind.BLUESKY:
        items, state = social.poll_bluesky(source, now)
        return items, state, ""
    got = fetch(source.url, etag=source.etag, last_modified=source.last_modified)
    items, notice = feeds.parse(got.body, content_type=got.content_type, url=got.url, now=now)
    return items, {"etag": got.etag, "last_modified": got.last_modified}, notice


def matcher_for(source):
    """Who wins the source's mentions: its incident while that is open, else the open incidents'
    tracking terms (the ingestion's own rule)."""
    if source.incident_id and Incident.objects.open().filter(pk=source.incident_id).exists():
        return _Always(source.incident_id)
    return None


class _Always:
    """A matcher that links every mention to one incident."""

    def __init__(self, incident_id):
        self.incident_id = incident_id

    def match(self, text):
        return self.incident_id


def _only_with_terms(source, items):
    if not source.terms.strip():
        return items
    keep = TermMatcher([(1, source.terms)])
    return [item for item in items if keep.match(item.get("text") or "") is not None]


def poll_one(source):
    """Poll ``source`` now, unless its Source.poll_refusal() says why not: (stored, refusal)."""
    refusal = source.poll_refusal()
    if refusal:
        return 0, refusal
    return poll(source), None


def poll(source, now=None):
    """Poll ``source`` once and record its health; returns how many mentions it stored."""
    now = now or timekeeper.now()
    try:
        items, state, notice = _collect(source, now)
    except NotModified:
        source.record_success(now=now, created=0, notice="Not modified since the last poll.")
        return 0
    except PollFailed as failed:
        source.record_failure(now=now, reason=failed.reason, retry_after=failed.retry_after)
        return 0
    except Exception as error:  # a library's surprise must not stop the other sources
        logger.exception("Polling source %s failed", source.pk)
        source.record_failure(now=now, reason=f"Unexpected error: {type(error).__name__}.")
        return 0
    # A burst still waiting above the cursor (the last page read was full): polled again soon.
    more = bool(state.pop("more", False))
    items = _only_with_terms(source, items)
    # Clocks ahead of ours: the post is as new as it can be, not a future that never came.
    for item in items:
        if item["posted_at"] > now:
            item["posted_at"] = now
        item["posted_at"] = item["posted_at"].isoformat()
    try:
        with transaction.atomic():
            result = ingest_mentions(
                items, source=source.mention_source, now=now, matcher=matcher_for(source)
            )
            if result.rejected:
                first = result.rejected[0]
                notice = (
                    f"{len(result.rejected)} problem(s) in items refused, e.g. "
                    f"{first['field']}: {first['message']}"
                )
            source.record_success(
                now=now, created=result.created, notice=notice, state=state, more=more
            )
    except DatabaseError as error:
        logger.exception("Storing what source %s brought failed", source.pk)
        source.record_failure(now=now, reason=f"What it brought could not be stored: {error}.")
        return 0
    return result.created


def poll_due(now=None, *, everything=False):
    """Poll the active sources that are due (every active one with ``everything``), at most
    SOURCES_PER_HOST of one host per run (the rest wait for the next, first in line then).
    Returns {source id: stored}."""
    now = now or timekeeper.now()
    rows = Source.objects.filter(is_active=True) if everything else Source.objects.due(now)
    per_host = Counter()
    done = {}
    # The longest overdue first; never polled counts as the longest (NULLs sort first on SQLite
    # and last on PostgreSQL unless told).
    for source in rows.order_by(F("next_poll_at").asc(nulls_first=True), "pk"):
        if source.poll_refusal():
            continue
        per_host[source.host] += 1
        if per_host[source.host] > settings.SOURCES_PER_HOST:
            continue
        done[source.pk] = poll(source, now=timekeeper.now())
    return done
