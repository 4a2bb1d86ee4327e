"""Posting a published statement or public update to the connected accounts: queued with the
publication, run by a job (connectors.tasks.post_statement), recorded before each call.

The order that makes a retry safe: the job marks the row Posting and counts the try in its own
committed transaction, then calls the platform, then records the outcome. A worker that dies
between the call and the record leaves the row Posting; the next try (a retry once the row is
stale) sends Mastodon the same Idempotency-Key, and looks through the Bluesky account's latest
posts for the text before it posts.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from connectors import crypto, platforms
from connectors.models import PlatformAccount, PostAttempt
from crisis import timekeeper

DRILL_REFUSAL = "Not posted: this incident is a drill, and a drill never reaches a platform."

# Waits between tries when the platform names none: 1, 2, 4, 8 minutes…
BACKOFF = timedelta(minutes=1)


def accounts_for(platforms):
    """The active accounts on ``platforms``, as a list. One query (none without platforms)."""
    if not platforms:
        return []
    return list(PlatformAccount.objects.active().filter(platform__in=platforms))


def queue_for_statement(statement):
    """Record and queue the posts of a published statement (see :func:`queue_for`)."""
    queue_for(statement, statement=statement)


def queue_for_update(update):
    """Record and queue the posts of a published public update (see :func:`queue_for`)."""
    queue_for(update, update=update)


def queue_for(publication, **of):
    """Record a post of ``publication`` (a statement or a public update, named in ``of`` by its
    field on the post) for every active account on one of its target platforms, and queue the
    job once the publication commits. Call inside the publish transaction. A drill records each
    post as refused, visibly, and queues nothing. Queries the database."""
    drill = publication.incident.is_drill
    for account in accounts_for(publication.target_platforms):
        attempt = PostAttempt.objects.create(
            account=account,
            **of,
            status=PostAttempt.Status.REFUSED if drill else PostAttempt.Status.QUEUED,
            last_error=DRILL_REFUSAL if drill else "",
        )
        if not drill:
            transaction.on_commit(lambda attempt=attempt: enqueue(attempt))


def enqueue(attempt, run_after=None):
    """Hand ``attempt`` to the job; ``run_after`` when the backend can wait (the database one).
    Without such a backend a delayed try waits for the Retry button."""
    from connectors.tasks import post_statement

    task = post_statement
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return None
        task = task.using(run_after=run_after)
    return task.enqueue(attempt.pk)


def run(attempt_id):
    """One try of the post ``attempt_id``: the job's body. Returns the row as it ends."""
    claimed = _claim(attempt_id)
    if claimed is None:
        return PostAttempt.objects.filter(pk=attempt_id).first()
    attempt, look_first = claimed
    try:
        posted = platforms.post(
            attempt.account,
            attempt.publication.body,
            idempotency_key=attempt.idempotency_key,
            since=attempt.created_at,
            look_first=look_first,
        )
    except platforms.PostFailed as failure:
        return _failed(attempt, failure)
    except (ImproperlyConfigured, crypto.CredentialUnreadable) as error:
        return _failed(attempt, platforms.PostFailed(str(error), transient=False))
    return _posted(attempt, posted)


def _claim(attempt_id):
    """Mark the row Posting and count the try, committed before any call; None when another
    worker has it, or it is done."""
    now = timekeeper.now()
    with transaction.atomic():
        # Only the post's row is locked: its statement or update is on the nullable side of an
        # outer join, which PostgreSQL will not lock.
        attempt = (
            PostAttempt.objects.select_for_update(of=("self",))
            .select_related("account", "statement__incident", "update__incident")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None:
            return None
        was_posting = attempt.status == PostAttempt.Status.POSTING
        if attempt.status == PostAttempt.Status.QUEUED:
            pass
        elif not was_posting or attempt.retry_refusal(now):
            return None  # posted, failed, refused, or under way in a live worker
        if attempt.publication.incident.is_drill:
            attempt.status = PostAttempt.Status.REFUSED
            attempt.last_error = DRILL_REFUSAL
            attempt.save(update_fields=["status", "last_error"])
            return None
        # A row found Posting, or tried before, may already be on the platform.
        look_first = was_posting or attempt.attempts > 0
        attempt.status = PostAttempt.Status.POSTING
        attempt.attempts += 1
        attempt.started_at = now
        attempt.next_try_at = None
        attempt.save(update_fields=["status", "attempts", "started_at", "next_try_at"])
    return attempt, look_first


def _posted(attempt, posted):
    """Record the post with its link (the record an update's page shows), and for a statement
    put the link on its publication for the platform too (the same record as the manual "paste
    the link" flow), unless a manager already put one there."""
    from responses.models import Publication

    now = timekeeper.now()
    with transaction.atomic():
        attempt.status = PostAttempt.Status.POSTED
        attempt.post_url = posted.url
        attempt.posted_at = now
        attempt.last_error = ""
        attempt.save(update_fields=["status", "post_url", "posted_at", "last_error"])
        if not attempt.statement_id:
            return attempt
        publication = (
            Publication.objects.select_for_update()
            .filter(statement_id=attempt.statement_id, platform=attempt.account.platform)
            .first()
        )
        if publication is not None and not publication.url:
            publication.url = posted.url
            publication._history_user = attempt.statement.published_by
            publication._change_reason = f"Link added: posted by Crisis Desk to {attempt.account}"
            publication.save(update_fields=["url"])
    return attempt


def _failed(attempt, failure):
    """Record why the try failed; queue the next one after the wait the platform asked for (or
    the backoff) while tries remain, else leave it Failed for a manager's Retry."""
    attempt.last_error = failure.reason
    retry = failure.transient and attempt.attempts < settings.CONNECTOR_MAX_ATTEMPTS
    run_after = None
    if retry:
        wait = BACKOFF * 2 ** (attempt.attempts - 1)
        if failure.retry_after is not None:
            wait = max(wait, timedelta(seconds=failure.retry_after))
        run_after = timekeeper.now() + wait
        attempt.status = PostAttempt.Status.QUEUED
        attempt.next_try_at = run_after
    else:
        attempt.status = PostAttempt.Status.FAILED
        if failure.transient:
            attempt.last_error += f" Gave up after {attempt.attempts} tries."
    with transaction.atomic():
        attempt.save(update_fields=["status", "last_error", "next_try_at"])
        if retry:
            transaction.on_commit(lambda: enqueue(attempt, run_after=run_after))
    return attempt
