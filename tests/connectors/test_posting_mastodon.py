"""Posting a published statement to Mastodon through Mastodon.py, against a local server that
answers as Mastodon's API documentation says."""

from datetime import timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from connectors import platforms, posting
from connectors.models import PostAttempt
from crisis import timekeeper
from tests import factories
from tests.connectors.conftest import approved_statement, publish, run_job
from tests.connectors.servers import Fault

pytestmark = pytest.mark.django_db(transaction=False)


def posting_jobs():
    """The posting jobs queued (publishing also queues the outbox's mail deliveries)."""
    return DBTaskResult.objects.filter(task_path="connectors.tasks.post_statement")


def test_publishing_queues_the_post_and_no_request_leaves_the_page(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms)
    tasks_before = posting_jobs().count()

    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.QUEUED
    assert attempt.account == mastodon_account
    assert attempt.idempotency_key
    assert posting_jobs().count() == tasks_before + 1
    assert mastodon.requests == []  # the job posts; publishing waited on nobody


def test_the_job_posts_the_approved_wording_once_and_records_the_link(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)

    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    run_job(attempt, django_capture_on_commit_callbacks)  # a second run finds it done

    (sent,) = mastodon.sent("POST", mastodon.STATUSES)
    assert sent.form()["status"] == statement.body
    assert sent.headers["Idempotency-Key"] == attempt.idempotency_key
    assert sent.headers["Authorization"] == "Bearer token-123"
    assert len(mastodon.statuses) == 1
    assert attempt.status == PostAttempt.Status.POSTED
    assert attempt.post_url == mastodon.statuses[0]["url"]
    assert attempt.attempts == 1
    publication = statement.publications.get(platform="mastodon")
    assert publication.url == attempt.post_url
    record = publication.history.first()
    assert record.history_user == manager
    assert "posted by Crisis Desk" in record.history_change_reason
    # X has no connected account: its link stays for a person to paste.
    assert statement.publications.get(platform="x").url == ""


def test_a_link_pasted_by_a_manager_is_kept(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    pasted = "https://mastodon.example/@acme/1"
    statement.publications.get(platform="mastodon").set_link(pasted, by=manager)

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.POSTED
    assert statement.publications.get(platform="mastodon").url == pasted


def test_a_429_waits_as_long_as_retry_after_asks_then_posts(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    mastodon.fail_next(
        mastodon.STATUSES, Fault(429, headers={"Retry-After": "300"}, error="Too many requests")
    )
    before = timekeeper.now()

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.QUEUED
    assert "429" in attempt.last_error
    assert attempt.next_try_at >= before + timedelta(seconds=300)
    queued = posting_jobs().order_by("-enqueued_at").first()
    assert queued.args_kwargs["args"] == [attempt.pk]
    assert queued.run_after == attempt.next_try_at

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.POSTED
    assert attempt.attempts == 2
    keys = {r.headers["Idempotency-Key"] for r in mastodon.sent("POST", mastodon.STATUSES)}
    assert keys == {attempt.idempotency_key}
    assert len(mastodon.statuses) == 1


def test_server_errors_are_tried_again_then_shown_as_failed(
    incident,
    comms,
    manager,
    mastodon,
    mastodon_account,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.CONNECTOR_MAX_ATTEMPTS = 2
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    mastodon.fail_next(mastodon.STATUSES, Fault(500), Fault(503, error="Unavailable"))

    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    assert attempt.status == PostAttempt.Status.QUEUED
    assert "server error (500" in attempt.last_error
    # The wait grows: one minute after the first failure.
    assert attempt.next_try_at - timekeeper.now() > timedelta(seconds=50)

    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    assert attempt.status == PostAttempt.Status.FAILED
    assert "server error (503" in attempt.last_error
    assert "Gave up after 2 tries" in attempt.last_error
    assert mastodon.statuses == []


def test_a_server_that_does_not_answer_in_time_is_tried_again(
    incident,
    comms,
    manager,
    mastodon,
    mastodon_account,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.CONNECTOR_TIMEOUT = 0.5
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    mastodon.fail_next(mastodon.STATUSES, Fault(200, sleep=1.5))

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.QUEUED
    assert "did not answer within 0.5 s" in attempt.last_error


def test_a_revoked_token_fails_at_once_with_the_reason(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    mastodon.token = "a-new-token"  # the old one was revoked on the server
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.FAILED
    assert "refused the access token (401)" in attempt.last_error
    assert "admin site" in attempt.last_error
    assert attempt.attempts == 1
    assert attempt.retry_refusal() == ""


def test_a_retry_after_a_crash_between_the_call_and_the_record_does_not_post_twice(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    # A worker claims the row and reaches Mastodon, then dies before recording the outcome.
    claimed, _look_first = posting._claim(attempt.pk)
    platforms.post(
        claimed.account,
        claimed.statement.body,
        idempotency_key=claimed.idempotency_key,
        since=claimed.created_at,
        look_first=False,
    )
    attempt.refresh_from_db()
    assert attempt.status == PostAttempt.Status.POSTING
    assert attempt.retry_refusal() != ""  # a live worker may still be at it

    with time_machine.travel(timekeeper.now() + PostAttempt.STALE_AFTER, tick=False):
        attempt.retry(by=manager)
        attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.POSTED
    sent = mastodon.sent("POST", mastodon.STATUSES)
    assert len(sent) == 2
    assert {r.headers["Idempotency-Key"] for r in sent} == {attempt.idempotency_key}
    assert len(mastodon.statuses) == 1
    assert attempt.post_url == mastodon.statuses[0]["url"]


def test_a_drill_never_posts_and_says_so(
    comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    drill = factories.make_incident(comms, is_drill=True)
    statement = approved_statement(drill, comms)
    tasks_before = posting_jobs().count()

    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.REFUSED
    assert "drill" in attempt.last_error
    assert posting_jobs().count() == tasks_before
    run_job(attempt, django_capture_on_commit_callbacks)
    assert mastodon.requests == []


def test_an_inactive_account_or_another_platform_gets_nothing(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    factories.make_platform_account("@old@mastodon.example", is_active=False)
    statement = approved_statement(incident, comms, platforms=("x", "bluesky"))
    assert publish(statement, manager, django_capture_on_commit_callbacks) == []
    other = approved_statement(incident, comms, body="We have found the cause.")
    assert [a.account for a in publish(other, manager, django_capture_on_commit_callbacks)] == [
        mastodon_account
    ]
