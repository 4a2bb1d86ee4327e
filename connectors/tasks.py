"""Background work of the connectors app, run by `manage.py db_worker` (django-tasks)."""

from django_tasks import task

from connectors import posting


@task()
def post_statement(attempt_id):
    """Try the post ``attempt_id`` once (see connectors.posting.run)."""
    attempt = posting.run(attempt_id)
    return attempt.status if attempt else None
