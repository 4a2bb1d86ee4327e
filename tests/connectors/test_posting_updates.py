"""Posting a published public update to Mastodon (Mastodon.py) and Bluesky (atproto), against the
local servers that answer as their APIs do: the same pipeline as a statement's posts."""

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django_tasks_db.models import DBTaskResult

from connectors import platforms, posting
from connectors.models import PostAttempt
from crisis import timekeeper
from crisis.lifecycle import TransitionRefused
from responses.models import ProgressUpdate
from tests import factories
from tests.connectors.conftest import public_draft, publish_update, run_job
from tests.connectors.servers import Fault

pytestmark = pytest.mark.django_db

UPDATE_BODY = "Deliveries in the north are moving again; the last late parcels arrive by Friday."


def posting_jobs():
    return DBTaskResult.objects.filter(task_path="connectors.tasks.post_statement")


def test_a_published_update_is_posted_once_with_its_exact_text_and_its_link_kept(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    update = public_draft(incident, comms, body=UPDATE_BODY)
    tasks_before = posting_jobs().count()

    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)

    # Only the connected account gets a post (X stays by hand), and the page waited on nobody.
    assert attempt.account == mastodon_account and attempt.update == update
    assert attempt.statement is None
    assert posting_jobs().count() == tasks_before + 1
    assert mastodon.requests == []

    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    run_job(attempt, django_capture_on_commit_callbacks)  # a second run finds it done

    (sent,) = mastodon.sent("POST", mastodon.STATUSES)
    assert sent.form()["status"] == UPDATE_BODY
    assert sent.headers["Idempotency-Key"] == attempt.idempotency_key
    assert len(mastodon.statuses) == 1
    assert attempt.status == PostAttempt.Status.POSTED
    assert attempt.post_url == mastodon.statuses[0]["url"]


def test_the_incident_page_links_the_post_by_the_update(
    client_as,
    incident,
    comms,
    manager,
    viewer,
    mastodon,
    mastodon_account,
    django_capture_on_commit_callbacks,
):
    update = public_draft(incident, comms)
    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)
    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    response = client_as(viewer).get(incident.get_absolute_url())

    html = response.content.decode()
    assert f'href="{attempt.post_url}"' in html
    assert f'data-testid="update-{update.pk}-posts"' in html
    assert "to Mastodon, X" in factories.page_text(response)


def retry_after_a_crash(attempt, manager, capture):
    """A worker claims the post and reaches the platform, then dies before recording it; once
    the row is stale a manager retries and the job runs again. Returns the row as it ends."""
    claimed, _look_first = posting._claim(attempt.pk)
    platforms.post(
        claimed.account,
        claimed.publication.body,
        idempotency_key=claimed.idempotency_key,
        since=claimed.created_at,
        look_first=False,
    )
    with time_machine.travel(timekeeper.now() + PostAttempt.STALE_AFTER, tick=False):
        attempt.retry(by=manager)
        return run_job(attempt, capture)


def test_a_mastodon_retry_after_a_crash_sends_the_same_key_and_posts_once(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    update = public_draft(incident, comms, platforms=("mastodon",))
    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)
    attempt = retry_after_a_crash(attempt, manager, django_capture_on_commit_callbacks)

    sent = mastodon.sent("POST", mastodon.STATUSES)
    assert len(sent) == 2
    assert {r.headers["Idempotency-Key"] for r in sent} == {attempt.idempotency_key}
    assert len(mastodon.statuses) == 1
    assert attempt.status == PostAttempt.Status.POSTED
    assert attempt.post_url == mastodon.statuses[0]["url"]


def test_a_bluesky_retry_after_a_crash_finds_the_post_in_the_latest_ones(
    incident, comms, manager, bluesky, bluesky_account, django_capture_on_commit_callbacks
):
    update = public_draft(incident, comms, platforms=("bluesky",), body=UPDATE_BODY)
    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)
    attempt = retry_after_a_crash(attempt, manager, django_capture_on_commit_callbacks)

    (created,) = bluesky.created()
    assert created.form()["record"]["text"] == UPDATE_BODY
    assert len(bluesky.sent("GET", bluesky.LIST)) == 1
    assert attempt.status == PostAttempt.Status.POSTED
    assert attempt.post_url.endswith(bluesky.records[0]["uri"].rsplit("/", 1)[-1])


def test_a_bluesky_429_waits_for_retry_after_then_posts_once(
    incident, comms, manager, bluesky, bluesky_account, django_capture_on_commit_callbacks
):
    update = public_draft(incident, comms, platforms=("bluesky",))
    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)
    bluesky.fail_next(
        bluesky.CREATE, Fault(429, headers={"Retry-After": "600"}, error="RateLimitExceeded")
    )
    before = timekeeper.now()

    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    assert attempt.status == PostAttempt.Status.QUEUED
    assert "429" in attempt.last_error
    assert (attempt.next_try_at - before).total_seconds() >= 600

    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    assert attempt.status == PostAttempt.Status.POSTED
    assert len(bluesky.records) == 1


def test_a_drill_update_is_never_posted_and_says_why(
    comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    drill = factories.make_incident(comms, is_drill=True)
    update = public_draft(drill, comms, platforms=("mastodon",))
    tasks_before = posting_jobs().count()

    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.REFUSED
    assert "drill" in attempt.last_error
    assert posting_jobs().count() == tasks_before
    run_job(attempt, django_capture_on_commit_callbacks)
    assert mastodon.requests == []


def test_an_update_too_long_for_a_platform_is_refused_at_publication(
    incident, comms, manager, mastodon_account
):
    update = public_draft(incident, comms, platforms=("mastodon",), body="We are on it. " * 40)

    with pytest.raises(TransitionRefused, match="Too long for Mastodon by 59 characters"):
        update.publish(by=manager)

    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.DRAFT
    assert not update.post_attempts.exists()


def test_an_update_for_the_public_page_only_posts_nowhere(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    update = public_draft(incident, comms, platforms=())

    assert publish_update(update, manager, django_capture_on_commit_callbacks) == []
    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.PUBLISHED


def test_a_post_is_of_exactly_one_publication_and_once_per_account(
    incident, comms, mastodon_account
):
    update = public_draft(incident, comms)
    statement = factories.make_statement(incident, comms)
    PostAttempt.objects.create(account=mastodon_account, update=update)

    for fields in ({}, {"update": update, "statement": statement}, {"update": update}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PostAttempt.objects.create(account=mastodon_account, **fields)
