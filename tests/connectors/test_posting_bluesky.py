"""Posting a published statement to Bluesky through atproto, against a local server that answers
XRPC as Bluesky's API documentation says."""

import pytest
import time_machine

from connectors import platforms, posting
from connectors.models import PostAttempt
from crisis import timekeeper
from tests.connectors.conftest import approved_statement, publish, run_job
from tests.connectors.servers import Fault

pytestmark = pytest.mark.django_db


def test_the_job_signs_in_with_the_app_password_and_posts_once(
    incident, comms, manager, bluesky, bluesky_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms, platforms=("bluesky",))
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    assert bluesky.requests == []

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    (created,) = bluesky.created()
    assert created.form()["record"]["text"] == statement.body
    assert created.form()["collection"] == "app.bsky.feed.post"
    assert attempt.status == PostAttempt.Status.POSTED
    rkey = bluesky.records[0]["uri"].rsplit("/", 1)[-1]
    assert attempt.post_url == f"https://bsky.app/profile/acme.bsky.example/post/{rkey}"
    assert statement.publications.get(platform="bluesky").url == attempt.post_url
    # A first try has nothing to look for.
    assert bluesky.sent("GET", bluesky.LIST) == []


def test_a_retry_after_a_crash_finds_the_post_instead_of_posting_again(
    incident, comms, manager, bluesky, bluesky_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms, platforms=("bluesky",))
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    claimed, _look_first = posting._claim(attempt.pk)
    platforms.post(
        claimed.account,
        claimed.statement.body,
        idempotency_key=claimed.idempotency_key,
        since=claimed.created_at,
        look_first=False,
    )  # ...and the worker dies before recording it

    with time_machine.travel(timekeeper.now() + PostAttempt.STALE_AFTER, tick=False):
        attempt.retry(by=manager)
        attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert len(bluesky.created()) == 1
    assert len(bluesky.sent("GET", bluesky.LIST)) == 1
    assert attempt.status == PostAttempt.Status.POSTED
    assert attempt.post_url.endswith(bluesky.records[0]["uri"].rsplit("/", 1)[-1])


def test_an_older_post_with_the_same_words_is_not_taken_for_this_one(
    incident, comms, manager, bluesky, bluesky_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms, platforms=("bluesky",))
    bluesky.add(
        {
            "$type": "app.bsky.feed.post",
            "text": statement.body,
            "createdAt": "2020-01-01T00:00:00.000Z",
        }
    )
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    bluesky.fail_next(bluesky.CREATE, Fault(502, error="Bad gateway"))

    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    assert attempt.status == PostAttempt.Status.QUEUED
    assert "server error (502)" in attempt.last_error
    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.POSTED
    assert len(bluesky.records) == 2
    assert attempt.post_url.endswith(bluesky.records[1]["uri"].rsplit("/", 1)[-1])


def test_a_429_waits_for_retry_after(
    incident, comms, manager, bluesky, bluesky_account, django_capture_on_commit_callbacks
):
    statement = approved_statement(incident, comms, platforms=("bluesky",))
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    bluesky.fail_next(
        bluesky.CREATE, Fault(429, headers={"Retry-After": "600"}, error="RateLimitExceeded")
    )
    before = timekeeper.now()

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.QUEUED
    assert (attempt.next_try_at - before).total_seconds() >= 600
    attempt = run_job(attempt, django_capture_on_commit_callbacks)
    assert attempt.status == PostAttempt.Status.POSTED
    assert len(bluesky.records) == 1


def test_a_revoked_app_password_fails_with_the_reason(
    incident, comms, manager, bluesky, bluesky_account, django_capture_on_commit_callbacks
):
    bluesky.password = "revoked"
    statement = approved_statement(incident, comms, platforms=("bluesky",))
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.FAILED
    assert "app password was revoked" in attempt.last_error
    assert bluesky.created() == []


def test_a_server_that_does_not_answer_in_time_is_tried_again(
    incident,
    comms,
    manager,
    bluesky,
    bluesky_account,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.CONNECTOR_TIMEOUT = 0.5
    statement = approved_statement(incident, comms, platforms=("bluesky",))
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    bluesky.fail_next(bluesky.SESSION, Fault(200, sleep=1.5))

    attempt = run_job(attempt, django_capture_on_commit_callbacks)

    assert attempt.status == PostAttempt.Status.QUEUED
    assert "did not answer within 0.5 s" in attempt.last_error
