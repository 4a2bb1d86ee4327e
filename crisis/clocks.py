"""Every time rule of the desk: how long the audience has waited, when the first public
acknowledgement is due, and how long it took. The only place that does clock arithmetic:
views, models and templates ask here, and templates only format what comes back.

The functions take any object with ``detected_at``, ``first_acknowledged_at``, ``severity`` and
``is_open`` (an incident), and ``now`` for tests and for one consistent time across a page.
None of them queries the database.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

# A clock turns from "ok" to "due" when this share of its allowed time is left, so the desk sees
# a deadline coming: the last 7.5 minutes of a 30-minute target, the last 6 hours of a day.
DUE_SOON_SHARE = 0.25

OK, DUE, OVERDUE, DONE = "ok", "due", "overdue", "done"


@dataclass(frozen=True)
class Clock:
    """One deadline as the pages show it.

    ``state`` is ``ok`` (time left), ``due`` (due soon), ``overdue`` or ``done``. ``duration`` is
    the time left (ok, due), the time past the deadline (overdue), or how long it took (done).
    ``target`` is the time allowed, ``is_late`` whether a done clock missed its deadline.
    """

    label: str
    state: str
    due_at: datetime
    duration: timedelta
    target: timedelta
    is_late: bool = False

    @property
    def is_done(self):
        return self.state == DONE

    @property
    def is_overdue(self):
        return self.state == OVERDUE


def acknowledgement_target(severity):
    """The time allowed from detection to the first public acknowledgement, for ``severity``.

    One function on purpose: the response-targets admin model replaces its body later.
    """
    return timedelta(minutes=settings.ACKNOWLEDGEMENT_TARGET_MINUTES[int(severity)])


def time_since_detection(incident, now=None):
    """How long since the first signal: for an unacknowledged incident, how long the audience
    has waited for a public word."""
    return (now or timezone.now()) - incident.detected_at


def time_to_acknowledgement(incident):
    """From detection to the first public acknowledgement, or None before there was one."""
    if incident.first_acknowledged_at is None:
        return None
    return incident.first_acknowledged_at - incident.detected_at


def acknowledgement_due_at(incident):
    return incident.detected_at + acknowledgement_target(incident.severity)


def acknowledgement_clock(incident, now=None):
    """The first public acknowledgement's clock, or None when there is nothing to count: an
    incident that ended (resolved, closed, cancelled) without a public word."""
    target = acknowledgement_target(incident.severity)
    due_at = incident.detected_at + target
    label = "First public acknowledgement"
    took = time_to_acknowledgement(incident)
    if took is not None:
        return Clock(label, DONE, due_at, took, target, is_late=took > target)
    if not incident.is_open:
        return None
    now = now or timezone.now()
    left = due_at - now
    if left < timedelta(0):
        return Clock(label, OVERDUE, due_at, -left, target, is_late=True)
    state = DUE if left <= target * DUE_SOON_SHARE else OK
    return Clock(label, state, due_at, left, target)


def update_cadence(severity):
    """The time a public update promises until the next one, for ``severity``.

    One function on purpose, like :func:`acknowledgement_target`: the response targets kept in
    the admin site (responses.ResponseTarget) replace its body.
    """
    return timedelta(minutes=settings.UPDATE_CADENCE_MINUTES[int(severity)])


def default_next_update_at(incident, now=None):
    """When a public update published now promises the next one by default."""
    return (now or timezone.now()) + update_cadence(incident.severity)


# ---------------------------------------------------------------------------------------------
# Action items (responses.ActionItem): each step of the plan has its own due time.
# ---------------------------------------------------------------------------------------------

# An action item's clock turns from "ok" to "due" in the last hour before its due time: long
# enough for an owner to act on a reminder, short enough not to cry wolf all day.
ACTION_ITEM_DUE_SOON = timedelta(hours=1)


def action_item_clock(item, now=None):
    """An action item's clock, or None when there is nothing to count: no due time, or the item
    was dropped.

    ``item`` is anything with ``due_at``, ``created_at``, ``completed_at`` and ``is_unfinished``.
    ``target`` is the time the item was given (from its creation to its due time); a done clock's
    ``duration`` is how long it took, and ``is_late`` whether it was done after its due time.
    """
    if item.due_at is None:
        return None
    label = "Action item"
    target = max(item.due_at - item.created_at, timedelta(0))
    if item.completed_at is not None and not item.is_unfinished:
        took = max(item.completed_at - item.created_at, timedelta(0))
        late = item.completed_at > item.due_at
        return Clock(label, DONE, item.due_at, took, target, is_late=late)
    if not item.is_unfinished:
        return None
    left = item.due_at - (now or timezone.now())
    if left < timedelta(0):
        return Clock(label, OVERDUE, item.due_at, -left, target, is_late=True)
    state = DUE if left <= ACTION_ITEM_DUE_SOON else OK
    return Clock(label, state, item.due_at, left, target)


def due_after_detection(incident, hours):
    """When a step due ``hours`` after the first signal is due (a plan template's items)."""
    return incident.detected_at + timedelta(hours=hours)
