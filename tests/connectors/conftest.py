import pytest
from django.db import transaction

from responses.models import Statement
from tests import factories
from tests.connectors.servers import FakeBluesky, FakeMastodon

MASTODON_BODY = "We know some orders are late. We are on it and will update you here by 18:00."


@pytest.fixture
def mastodon():
    with FakeMastodon() as server:
        yield server


@pytest.fixture
def bluesky():
    with FakeBluesky() as server:
        yield server


@pytest.fixture
def mastodon_account(mastodon):
    return factories.make_platform_account(server_url=mastodon.url, secret=mastodon.token)


@pytest.fixture
def bluesky_account(bluesky):
    return factories.make_platform_account(
        "acme.bsky.example",
        platform="bluesky",
        server_url=bluesky.url,
        handle=bluesky.handle,
        secret=bluesky.password,
    )


def approved_statement(incident, comms, platforms=("mastodon", "x"), **overrides):
    return factories.make_statement(
        incident,
        comms,
        status=Statement.Status.APPROVED,
        target_platforms=list(platforms),
        **overrides,
    )


def publish(statement, manager, capture):
    """Publish as the app does, running what it schedules for after the commit (the job's
    enqueueing), and return the statement's posts."""
    with capture(execute=True), transaction.atomic():
        statement.publish(by=manager)
    return list(statement.post_attempts.order_by("pk"))


def run_job(attempt, capture):
    """Run the job as the worker would (the task's own function), with its on-commit work."""
    from connectors.tasks import post_statement

    with capture(execute=True):
        post_statement.call(attempt.pk)
    attempt.refresh_from_db()
    return attempt


def public_draft(incident, comms, platforms=("mastodon", "x"), **overrides):
    """A public update drafted by ``comms`` for ``platforms``, waiting for a manager."""
    return factories.make_update(
        incident, comms, kind="public", target_platforms=list(platforms), **overrides
    )


def publish_update(update, manager, capture):
    """Publish the update as the app does, running what it schedules for after the commit, and
    return its posts."""
    with capture(execute=True), transaction.atomic():
        update.publish(by=manager)
    return list(update.post_attempts.order_by("pk"))
