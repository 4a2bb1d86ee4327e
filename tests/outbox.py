"""Run the outbox's job as the worker would, for tests that read the mail it sends."""

from crisis.outbound.sending import deliver_due


def deliver():
    """Send every delivery due now (what `manage.py db_worker` or `deliver_outbox` does)."""
    return deliver_due()
