"""Sending one delivery: claim it, call the channel, record the outcome.

The claim is one conditional UPDATE (status pending and due, or sending with an expired lease →
sending with a new lease and one more attempt), so of two workers exactly one moves the row and
sends; the other's UPDATE matches nothing. The call happens outside any transaction, so no lock
is held while a remote server thinks. The outcome is recorded with another conditional UPDATE
that names the attempt it claimed: a worker that outlived its lease cannot overwrite what the
worker that took over recorded.

At-least-once: a worker that dies after the remote server accepted the message but before the
record leaves the row "sending"; once the lease expires it is sent again. Plain mail and webhooks
offer no way to ask "did you get it?", so that window (one call plus one UPDATE) is kept as small
as it can be, and the generic webhook carries the delivery's key (``X-Crisis-Delivery``) for the
receiver to drop a repeat.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import F

from crisis import timekeeper
from crisis.outbound import channels
from crisis.outbound.events import enqueue
from crisis.outbound.models import Delivery

logger = logging.getLogger(__name__)

S = Delivery.Status


def claim(pk, now=None):
    """Take the row ``pk`` for one attempt; the attempt number, or None when it is not due or
    another worker has it. One UPDATE."""
    now = now or timekeeper.now()
    lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    moved = (
        Delivery.objects.due(now)
        .filter(pk=pk)
        .update(status=S.SENDING, lease_until=lease, attempts=F("attempts") + 1)
    )
    if not moved:
        return None
    return Delivery.objects.values_list("attempts", flat=True).get(pk=pk)


def backoff(attempt):
    """How long to wait after failed attempt ``attempt`` (1, 2, …): the base doubled each time,
    capped."""
    base = settings.OUTBOX_BACKOFF_SECONDS * 2 ** (attempt - 1)
    return timedelta(seconds=min(base, settings.OUTBOX_MAX_BACKOFF_SECONDS))


def deliver(pk, now=None):
    """Claim, send and record the delivery ``pk``; returns its status afterwards, or None when
    it was not ours to send. Queries the database (claim, read, record)."""
    attempt = claim(pk, now)
    if attempt is None:
        return None
    row = Delivery.objects.select_related("chat_channel", "push_subscription").get(pk=pk)
    try:
        channels.send(row)
    except channels.Failure as failure:
        return _record_failure(row, attempt, failure)
    except Exception as error:  # an unexpected fault is a retryable failure, never a lost row
        logger.exception("Delivery %s failed unexpectedly", pk)
        return _record_failure(row, attempt, channels.Failure(repr(error)))
    _record(row, attempt, status=S.SENT, sent_at=timekeeper.now(), last_error="")
    return S.SENT


def _record_failure(row, attempt, failure):
    now = timekeeper.now()
    if failure.gone:
        logger.info("Delivery %s dropped: %s", row.pk, failure)
        _record(row, attempt, status=S.DROPPED, last_error=str(failure))
        return S.DROPPED
    if failure.permanent or attempt >= settings.OUTBOX_MAX_ATTEMPTS:
        why = "" if failure.permanent else f" (gave up after {attempt} attempts)"
        logger.error("Delivery %s failed: %s%s", row.pk, failure, why)
        _record(row, attempt, status=S.GAVE_UP, last_error=f"{failure}{why}")
        return S.GAVE_UP
    wait = max(backoff(attempt), failure.retry_after or timedelta(0))
    next_at = now + wait
    logger.warning(
        "Delivery %s failed (attempt %s): %s; next at %s", row.pk, attempt, failure, next_at
    )
    _record(row, attempt, status=S.PENDING, next_attempt_at=next_at, last_error=str(failure))
    enqueue([row.pk], run_after=next_at)
    return S.PENDING


def _record(row, attempt, **fields):
    """Write the outcome of ``attempt`` unless another worker took the row over since."""
    Delivery.objects.filter(pk=row.pk, status=S.SENDING, attempts=attempt).update(
        lease_until=None, **fields
    )


@dataclass
class Swept:
    sent: int = 0
    failed: int = 0


def deliver_due(now=None, limit=500):
    """Send every row due now, one at a time; returns how many were sent and how many failed
    (to be retried or given up). Used by ``manage.py deliver_outbox`` and ``send_reminders`` to
    catch what no job carried (a retry the queue could not defer, a worker that died
    mid-send)."""
    now = now or timekeeper.now()
    due = Delivery.objects.due(now).order_by("next_attempt_at", "pk")
    swept = Swept()
    for pk in due.values_list("pk", flat=True)[:limit]:
        status = deliver(pk, now)
        if status == S.SENT:
            swept.sent += 1
        elif status not in (None, S.DROPPED):
            swept.failed += 1
    return swept
