"""The outbox's job, run by ``manage.py db_worker`` (django-tasks)."""

from django_tasks import task

from crisis.outbound import sending


@task()
def deliver(delivery_id):
    """Send the delivery ``delivery_id`` if it is still due (a duplicate job finds it taken or
    sent and does nothing); returns its status afterwards."""
    return sending.deliver(delivery_id)
