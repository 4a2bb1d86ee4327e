"""The polling job, run by `manage.py db_worker` (django-tasks): polls what is due, then queues
itself again for the next source's poll (a cron line running `poll_sources` does the same
without a worker)."""

from datetime import timedelta

from django_tasks import task

from crisis import timekeeper
from sources import polling
from sources.models import Source

# The job looks again at least this often, so a source added or "polled now" is not left waiting.
LOOK_AGAIN = timedelta(minutes=1)


@task()
def poll_sources():
    done = polling.poll_due()
    schedule_next()
    return len(done)


def _waiting():
    """The job's runs queued and not started yet (the database backend's rows)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=poll_sources.module_path, status=TaskResultStatus.READY
    )


def schedule_next():
    """Queue the job for the next source due (or in LOOK_AGAIN at the latest), if the backend
    can wait and no run waits already (so two chains, started at once, become one again);
    otherwise the cron line polls."""
    if not poll_sources.get_backend().supports_defer or _waiting().exists():
        return
    now = timekeeper.now()
    upcoming = (
        Source.objects.filter(is_active=True, next_poll_at__gt=now)
        .order_by("next_poll_at")
        .values_list("next_poll_at", flat=True)
        .first()
    )
    when = min(upcoming or now + LOOK_AGAIN, now + LOOK_AGAIN)
    poll_sources.using(run_after=when).enqueue()


def ensure_polling():
    """Start the job when none waits: called when a source is added, resumed or "polled now",
    and by each cron run of ``poll_sources``, so the worker polls without anyone queuing the
    first run by hand. A waiting run is moved to now, so "poll now" means now."""
    if not poll_sources.get_backend().supports_defer:
        return
    if not _waiting().update(run_after=timekeeper.now()):
        poll_sources.enqueue()
