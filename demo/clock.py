"""The demo story's clock: the moment each step of :mod:`demo.story` happened."""

from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.utils import timezone


@contextmanager
def clock_at(moment):
    """Run the block as if it were ``moment``.

    Django's ``timezone.now()`` (which the verbs, the field defaults such as ``created_at`` and
    django-simple-history's ``history_date`` all read) asks ``datetime.now()`` from inside
    ``django.utils.timezone``; answering it there dates everything the demo creates, without a
    time-travel library at run time.
    """

    class DemoClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    with mock.patch.object(timezone, "datetime", DemoClock):
        yield
