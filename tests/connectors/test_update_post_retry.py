"""A public update's failed post shows by the update on its incident page with the reason; a
manager retries it (POST, CSRF), as for a statement; anyone else is refused."""

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from connectors.models import PostAttempt
from tests import factories
from tests.connectors.conftest import public_draft, publish_update, run_job
from tests.connectors.servers import Fault

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(
    incident,
    comms,
    manager,
    mastodon,
    mastodon_account,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.CONNECTOR_MAX_ATTEMPTS = 1
    mastodon.fail_next(mastodon.STATUSES, Fault(500))
    update = public_draft(incident, comms, platforms=("mastodon",))
    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)
    return run_job(attempt, django_capture_on_commit_callbacks)


def retry_url(attempt):
    return reverse("connectors:update-post-retry", args=[attempt.update_id, attempt.pk])


def test_the_failure_shows_by_the_update_with_its_reason_and_retry(client_as, manager, failed):
    assert failed.status == PostAttempt.Status.FAILED

    response = client_as(manager).get(failed.update.incident.get_absolute_url())

    text = factories.page_text(response)
    assert "Posted by Crisis Desk" in text
    assert "Mastodon answered with a server error (500" in text
    assert "Gave up after 1 tries" in text
    assert retry_url(failed) in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "comms"])
def test_others_see_the_failure_but_no_retry(role, client_as, request, failed):
    response = client_as(request.getfixturevalue(role)).get(
        failed.update.incident.get_absolute_url()
    )

    assert "server error (500" in factories.page_text(response)
    assert retry_url(failed) not in response.content.decode()


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_a_manager_or_admin_retries_and_the_job_posts_once(
    role, client_as, request, failed, mastodon, django_capture_on_commit_callbacks
):
    jobs_before = DBTaskResult.objects.filter(task_path="connectors.tasks.post_statement").count()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(request.getfixturevalue(role)).post(retry_url(failed), follow=True)

    assert response.redirect_chain[-1][0].endswith(f"#update-{failed.update_id}")
    ((level, text),) = factories.messages_shown(response)
    assert level == "success" and text.startswith("Queued again")
    failed.refresh_from_db()
    assert failed.status == PostAttempt.Status.QUEUED
    jobs = DBTaskResult.objects.filter(task_path="connectors.tasks.post_statement")
    assert jobs.count() == jobs_before + 1
    assert mastodon.statuses == []  # the page did not wait on Mastodon

    posted = run_job(failed, django_capture_on_commit_callbacks)
    assert posted.status == PostAttempt.Status.POSTED
    assert len(mastodon.statuses) == 1
    # The failed try and the retry were one post to Mastodon: the same key both times.
    sent = mastodon.sent("POST", mastodon.STATUSES)
    assert len(sent) == 2
    assert {r.headers["Idempotency-Key"] for r in sent} == {failed.idempotency_key}


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


def test_a_post_of_another_update_or_of_a_statement_is_not_found(
    client_as, manager, comms, incident, failed
):
    other = public_draft(incident, comms, body="Another update.")
    wrong = reverse("connectors:update-post-retry", args=[other.pk, failed.pk])
    as_statement = reverse("connectors:post-retry", args=[failed.update_id, failed.pk])

    assert client_as(manager).post(wrong).status_code == 404
    assert client_as(manager).post(as_statement).status_code == 404
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
    update = public_draft(incident, comms, platforms=("mastodon",))
    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)
    run_job(attempt, django_capture_on_commit_callbacks)

    response = client_as(manager).post(retry_url(attempt), follow=True)

    assert ("danger", "Not retried: It is already posted.") in factories.messages_shown(response)
    assert len(mastodon.statuses) == 1


def test_a_drill_update_shows_why_it_was_not_posted_without_retry(
    client_as, manager, comms, mastodon_account, django_capture_on_commit_callbacks
):
    drill = factories.make_incident(comms, is_drill=True)
    update = public_draft(drill, comms, platforms=("mastodon",))
    (attempt,) = publish_update(update, manager, django_capture_on_commit_callbacks)

    response = client_as(manager).get(drill.get_absolute_url())

    assert "Not posted: this incident is a drill" in factories.page_text(response)
    assert retry_url(attempt) not in response.content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_the_incident_page_queries_do_not_grow_with_posted_updates(
    count, client_as, manager, comms, incident, mastodon_account, django_assert_max_num_queries
):
    for n in range(count):
        published = public_draft(incident, comms, body=f"Out {n}")
        published.publish(by=manager)  # a post to the account, queued
        public_draft(incident, comms, body=f"Draft {n}")  # with its hint for the manager
    client = client_as(manager)

    # Two reads more than a page whose updates name no platform, whatever the count: the
    # connected accounts (for the drafts' hints) and the published updates' posts.
    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES + 2):
        response = client.get(incident.get_absolute_url())

    html = response.content.decode()
    assert html.count("-posting-hint") == count
    assert html.count("-posts-heading") == 2 * count  # each list's heading and its label
