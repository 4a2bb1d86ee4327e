"""The desk's one reading of the current time: :func:`now`.

Every verb, record default and history row asks here rather than ``timezone.now()``, so that a
story told after the fact (the demo's, :mod:`demo.story`) can be dated honestly: inside
``with telling_at(moment):`` the time is ``moment``; everywhere else it is the real time. The
story's time lives in a context variable, so it holds for the block alone (for its thread or task),
and is gone again when the block ends, an exception included. Only the demo tells stories.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

_story_time = ContextVar("story_time", default=None)


def now():
    """The current time (aware): the real one, or the moment of the story being told."""
    moment = _story_time.get()
    return timezone.now() if moment is None else moment


@contextmanager
def telling_at(moment):
    """Run the block as if it were ``moment`` (an aware datetime), for :func:`now` alone."""
    if timezone.is_naive(moment):
        raise ValueError("A story's moment must be an aware datetime.")
    token = _story_time.set(moment)
    try:
        yield moment
    finally:
        _story_time.reset(token)


@receiver(pre_create_historical_record)
def date_history_row(sender, instance, history_instance, **kwargs):
    """Date each history row by :func:`now` (django-simple-history reads Django's clock), unless
    the record names its own ``_history_date``."""
    if not hasattr(instance, "_history_date"):
        history_instance.history_date = now()
