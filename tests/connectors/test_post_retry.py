"""The statement page shows each post by Crisis Desk with its outcome; a manager retries a
failed one (POST, CSRF); anyone else is refused."""

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from connectors.models import PostAttempt
from tests import factories
from tests.connectors.conftest import approved_statement, publish, run_job

pytestmark = pytest.mark.django_db


def posting_jobs():
    """The posting jobs queued (publishing also queues the outbox's mail deliveries)."""
    return DBTaskResult.objects.filter(task_path="connectors.tasks.post_statement")


@pytest.fixture
def failed(
    incident, comms, manager, mastodon, mastodon_account, django_capture_on_commit_callbacks
):
    mastodon.token = "a-new-token"
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    return run_job(attempt, django_capture_on_commit_callbacks)


def retry_url(attempt):
    return reverse("connectors:post-retry", args=[attempt.statement_id, attempt.pk])


def test_the_statement_page_shows_the_failure_with_its_reason_and_retry(client_as, manager, failed):
    response = client_as(manager).get(failed.statement.get_absolute_url())

    text = factories.page_text(response)
    assert "Posted by Crisis Desk" in text
    assert "Failed" in text
    assert "refused the access token (401)" in text
    assert retry_url(failed) in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "comms"])
def test_others_see_the_failure_but_no_retry(role, client_as, request, failed):
    response = client_as(request.getfixturevalue(role)).get(failed.statement.get_absolute_url())

    assert "refused the access token (401)" in factories.page_text(response)
    assert retry_url(failed) not in response.content.decode()


def test_a_manager_retries_and_the_job_posts_with_the_new_token(
    client_as, manager, failed, mastodon, django_capture_on_commit_callbacks
):
    account = failed.account
    account.set_secret("a-new-token")  # the admin entered the new token
    account.save()
    tasks_before = posting_jobs().count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(manager).post(retry_url(failed), follow=True)

    assert response.redirect_chain[-1][0].endswith("#posts")
    ((level, text),) = factories.messages_shown(response)
    assert level == "success" and text.startswith("Queued again")
    failed.refresh_from_db()
    assert failed.status == PostAttempt.Status.QUEUED
    assert posting_jobs().count() == tasks_before + 1
    assert mastodon.statuses == []  # the page did not wait on Mastodon

    posted = run_job(failed, django_capture_on_commit_callbacks)
    assert posted.status == PostAttempt.Status.POSTED
    assert len(mastodon.statuses) == 1


@pytest.mark.parametrize("role", ["viewer", "comms"])
def test_others_are_refused(role, client_as, request, failed):
    response = client_as(request.getfixturevalue(role)).post(retry_url(failed))

    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == PostAttempt.Status.FAILED


def test_it_requires_login_post_and_csrf(client, manager, failed):
    response = client.post(retry_url(failed))
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(manager)
    assert client.get(retry_url(failed)).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(manager)
    assert strict.post(retry_url(failed)).status_code == 403
    failed.refresh_from_db()
    assert failed.status == PostAttempt.Status.FAILED


def test_a_post_already_made_is_not_retried(
    client_as,
    manager,
    incident,
    comms,
    mastodon,
    mastodon_account,
    django_capture_on_commit_callbacks,
):
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    run_job(attempt, django_capture_on_commit_callbacks)

    response = client_as(manager).post(retry_url(attempt), follow=True)

    assert ("danger", "Not retried: It is already posted.") in factories.messages_shown(response)
    assert len(mastodon.statuses) == 1


def test_a_drill_shows_why_it_was_not_posted(
    client_as, manager, comms, mastodon_account, django_capture_on_commit_callbacks
):
    drill = factories.make_incident(comms, is_drill=True)
    statement = approved_statement(drill, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)

    response = client_as(manager).get(statement.get_absolute_url())

    assert "Not posted: this incident is a drill" in factories.page_text(response)
    assert retry_url(attempt) not in response.content.decode()
