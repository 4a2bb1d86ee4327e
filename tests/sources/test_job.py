"""The worker's job polls what is due and queues itself for the next source."""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis import timekeeper
from monitoring.models import Mention
from sources.models import Source
from sources.tasks import poll_sources
from tests.sources import feeds
from tests.sources.conftest import make_source, reload
from tests.sources.test_pages import add

pytestmark = pytest.mark.django_db


def test_the_job_polls_due_sources_only(feeds_server):
    due = make_source(feeds_server.serve("/due", (200, {}, feeds.rss(feeds.item("d")))))
    later = make_source(
        feeds_server.serve("/later", (200, {}, feeds.rss(feeds.item("l")))),
        next_poll_at=timekeeper.now() + timedelta(hours=1),
    )
    assert poll_sources.call() == 1
    assert Mention.objects.count() == 1
    assert reload(due).last_success_at is not None
    assert reload(later).last_polled_at is None


def test_the_per_host_limit_leaves_the_rest_for_the_next_run(feeds_server, settings):
    settings.SOURCES_PER_HOST = 2
    for n in range(3):
        make_source(feeds_server.serve(f"/{n}", (200, {}, feeds.rss(feeds.item(f"i{n}")))))
    assert poll_sources.call() == 2
    assert Source.objects.filter(last_polled_at__isnull=True).count() == 1
    assert poll_sources.call() == 1


def test_the_job_queues_itself_for_the_next_source(feeds_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    make_source(feeds_server.serve("/a", (200, {}, feeds.rss(feeds.item("a")))), interval_minutes=5)
    poll_sources.call()
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("poll_sources")
    assert queued.run_after <= timekeeper.now() + timedelta(minutes=1)


def test_adding_a_source_starts_the_job_once_and_poll_now_brings_it_forward(
    client_as, comms, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    client = client_as(comms)
    for n in range(2):
        response = add(client, name=f"Alerts {n}", url=f"https://feeds.example.com/{n}")
        assert response.status_code == 302
    queued = DBTaskResult.objects.get()  # one run waits, however many sources were added
    assert queued.task_path.endswith("poll_sources")
    queued.run_after = timekeeper.now() + timedelta(minutes=1)
    queued.save()

    source = Source.objects.first()
    client.post(reverse("sources:poll", args=[source.pk]))
    queued = DBTaskResult.objects.get()
    assert queued.run_after <= timekeeper.now()  # "poll now" means now


def test_a_second_chain_merges_into_the_first(feeds_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    from sources.tasks import ensure_polling

    make_source(feeds_server.serve("/a", (200, {}, feeds.rss(feeds.item("a")))))
    ensure_polling()
    ensure_polling()
    poll_sources.call()  # a run of a second chain: one run waits already, so it adds none
    assert DBTaskResult.objects.count() == 1


def test_a_burst_brings_the_jobs_next_run_forward(bluesky, settings):
    """A Bluesky search left unfinished (a burst) is due again in SOURCES_BURST_DELAY seconds,
    and the job queues its next run for then, not for its interval."""
    from django_tasks_db.models import DBTaskResult

    from tests.sources.servers import post_view

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.SOURCES_BLUESKY_PAGES = 1
    settings.SOURCES_BURST_DELAY = 5
    bluesky.pages = {"": ([post_view(1)], "page2"), "page2": ([post_view(2)], None)}
    make_source(bluesky.url, kind=Source.Kind.BLUESKY, query="acme", interval_minutes=60)
    before = timekeeper.now()
    assert poll_sources.call() == 1
    queued = DBTaskResult.objects.get()
    assert (
        before + timedelta(seconds=5) <= queued.run_after <= timekeeper.now() + timedelta(seconds=5)
    )
    assert Mention.objects.count() == 1
    assert poll_sources.call() == 0  # not due yet: the burst waits its few seconds


def test_the_per_host_limit_takes_the_longest_waiting_first(feeds_server, settings):
    """A run polls SOURCES_PER_HOST of one host, the longest overdue first (a source never
    polled before all), and those left are first in the next run; on both databases (PostgreSQL
    sorts NULLs last unless told)."""
    settings.SOURCES_PER_HOST = 2
    now = timekeeper.now()
    body = (200, {}, feeds.rss(feeds.item("x")))
    late = make_source(feeds_server.serve("/late", body), next_poll_at=now - timedelta(minutes=9))
    later = make_source(feeds_server.serve("/later", body), next_poll_at=now - timedelta(minutes=1))
    new = make_source(feeds_server.serve("/new", body))
    other_host = make_source(
        feeds_server.serve("/other", body).replace("127.0.0.1", "localhost"),
        next_poll_at=now - timedelta(minutes=1),
    )
    from sources.models import AllowedHost

    AllowedHost.objects.create(host="localhost")
    from sources import polling

    assert set(polling.poll_due()) == {new.pk, late.pk, other_host.pk}
    assert reload(later).last_polled_at is None
    assert set(polling.poll_due()) == {later.pk}
