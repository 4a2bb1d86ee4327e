"""The demo story's clock: the moment each step of :mod:`demo.story` happened.

Still a patch of Django's clock, confined to the demo: the verbs (through the kernel's
``VersionedModel._transition`` and ``save_edit``), the records' ``created_at`` defaults and
django-simple-history's ``history_date`` all read ``timezone.now()`` and take no time of their own.
Dating the story honestly means an optional ``at=`` on the kernel's transition helper (setting the
history row's ``_history_date``) and on each verb the story calls; once they have it,
:func:`demo.story.tell` passes each step's moment and this module goes.
"""

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
