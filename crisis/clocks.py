"""Every time rule of the desk: how long the audience has waited, when the first public
acknowledgement is due, when the next public update is due, and how long it took. The only place
that does clock arithmetic: views, models and templates ask here, and templates only format what
comes back.

The functions take any object with ``detected_at``, ``first_acknowledged_at``,
``public_word_at``, ``promised_update_at``, ``severity`` and ``is_open`` (an incident), and
``now`` for tests and for one consistent time across a page. The public word is a stored fact:
the app that publishes writes the latest word's time and the next update it promised (None after
a statement) on the incident in the transaction that publishes.

The response targets (time allowed until the first acknowledgement, cadence of public updates)
are facts handed in: the app that keeps them per severity registers where they come from
(:func:`register_targets_source`), with the settings' values as the fallback for a missing
severity. The clocks never query per incident:

- pages list incidents through the incident queryset's ``with_clocks()``, which reads every
  severity's targets once (:func:`response_targets`, one query) and hands them to each row
  (:func:`hand_targets`);
- a caller holding a few severities loads every target at once with :func:`response_targets`
  and passes the mapping in.
An incident loaded otherwise reads its targets at its first clock, in one query, and keeps them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from crisis import timekeeper

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

    @property
    def is_due_now(self):
        """Due, with less than a minute left: the deadline itself."""
        return self.state == DUE and self.duration < timedelta(minutes=1)


@dataclass(frozen=True)
class Targets:
    """One severity's response targets."""

    acknowledgement: timedelta
    cadence: timedelta


def targets_from(severity, acknowledgement_minutes=None, cadence_minutes=None):
    """A severity's targets from its kept minutes; a missing value falls back to the settings."""
    if acknowledgement_minutes is None:
        acknowledgement_minutes = settings.ACKNOWLEDGEMENT_TARGET_MINUTES[int(severity)]
    if cadence_minutes is None:
        cadence_minutes = settings.UPDATE_CADENCE_MINUTES[int(severity)]
    return Targets(timedelta(minutes=acknowledgement_minutes), timedelta(minutes=cadence_minutes))


# Where the kept targets come from: a callable ``source(using)`` answering ``{severity:
# (acknowledgement minutes, cadence minutes)}`` for the severities that have targets kept, read
# from the database ``using``. Registered by the app that keeps them (in its ready()); without
# one, every severity has the settings' values.
_targets_source: list[Callable] = []


def register_targets_source(source):
    """Read the kept targets from ``source`` (see :data:`_targets_source`); the last one wins."""
    _targets_source[:] = [source]
    return source


def response_targets(using=DEFAULT_DB_ALIAS):
    """``{severity: Targets}`` for every severity: the kept targets, the settings' values where
    none is kept. Queries the database ``using`` once (through the registered source)."""
    rows = _targets_source[0](using) if _targets_source else {}
    return {
        severity: targets_from(severity, *rows.get(severity, (None, None)))
        for severity in settings.ACKNOWLEDGEMENT_TARGET_MINUTES
    }


# Where an incident keeps the targets handed to it (every severity's: its severity may change).
_HANDED = "_clock_targets"


def hand_targets(incident, targets):
    """Give ``incident`` every severity's targets (as from :func:`response_targets`), read once
    for many incidents: its clocks then query nothing."""
    setattr(incident, _HANDED, targets)
    return incident


def targets_of(incident):
    """The incident's targets: those handed to it (:func:`hand_targets`), else read from the
    database (one query) and kept on it for its next clock."""
    targets = getattr(incident, _HANDED, None)
    if targets is None:
        targets = response_targets()
        hand_targets(incident, targets)
    return targets[int(incident.severity)]


def acknowledgement_target(severity, targets=None):
    """The time allowed from detection to the first public acknowledgement, for ``severity``:
    from ``targets`` (see :func:`response_targets`) or, without it, queried."""
    return (targets or response_targets())[int(severity)].acknowledgement


def time_since_detection(incident, now=None):
    """How long since the first signal: for an unacknowledged incident, how long the audience
    has waited for a public word."""
    return (now or timekeeper.now()) - incident.detected_at


def time_to_acknowledgement(incident):
    """From detection to the first public acknowledgement, or None before there was one."""
    if incident.first_acknowledged_at is None:
        return None
    return incident.first_acknowledged_at - incident.detected_at


def acknowledgement_due_at(incident):
    return incident.detected_at + targets_of(incident).acknowledgement


def _countdown(label, due_at, target, now):
    """A running deadline: ok, due (the last quarter of ``target``, the deadline included), or
    overdue (from a second after it)."""
    left = due_at - now
    if left < timedelta(0):
        return Clock(label, OVERDUE, due_at, -left, target, is_late=True)
    state = DUE if left <= target * DUE_SOON_SHARE else OK
    return Clock(label, state, due_at, left, target)


def acknowledgement_clock(incident, now=None):
    """The first public acknowledgement's clock, or None when there is nothing to count: an
    incident that ended (resolved, closed, cancelled) without a public word."""
    target = targets_of(incident).acknowledgement
    due_at = incident.detected_at + target
    label = "First public acknowledgement"
    took = time_to_acknowledgement(incident)
    if took is not None:
        return Clock(label, DONE, due_at, took, target, is_late=took > target)
    if not incident.is_open:
        return None
    return _countdown(label, due_at, target, now or timekeeper.now())


# The phases of an incident's response clock.
ACKNOWLEDGEMENT, NEXT_UPDATE, STOPPED = "acknowledgement", "next_update", "stopped"


@dataclass(frozen=True)
class ResponseClock:
    """An incident's clocks as the pages show them.

    ``phase`` is ``acknowledgement`` (no statement published yet: the first public word is
    due), ``next_update`` (the audience heard from us: the next public word is due, as the
    latest word promised), or ``stopped`` (resolved, closed or cancelled: nothing is due).
    ``deadline`` is that phase's :class:`Clock` (None when stopped), ``acknowledgement`` the
    first acknowledgement's clock (done once acknowledged; None when stopped without one),
    ``since_detection`` how long since the first signal, up to ``stopped_at`` once stopped.
    A drill's clocks run like any other; ``is_drill`` marks them.
    """

    phase: str
    since_detection: timedelta
    deadline: Clock | None
    acknowledgement: Clock | None
    is_drill: bool = False
    stopped_at: datetime | None = None
    public_word_at: datetime | None = None

    @property
    def is_stopped(self):
        return self.phase == STOPPED


def stopped_at(incident):
    """When the incident's clock stopped (resolved, else closed or cancelled), or None while
    it runs."""
    if incident.is_open:
        return None
    return (
        incident.resolved_at
        or getattr(incident, "closed_at", None)
        or getattr(incident, "cancelled_at", None)
    )


def next_update_due_at(incident, word_at, promised_at, targets=None):
    """When the next public word is due after the latest one (at ``word_at``): what a public
    update promised, or, after a statement (which promises no time), the severity's cadence."""
    if promised_at is not None:
        return promised_at
    cadence = targets.cadence if targets else targets_of(incident).cadence
    return word_at + cadence


def response_clock(incident, now=None):
    """The incident's response clock (see :class:`ResponseClock`), from its stored public word.
    No queries when its targets were handed to it (``Incident.objects.with_clocks()``)."""
    now = now or timekeeper.now()
    word_at = incident.public_word_at or incident.first_acknowledged_at
    promised_at = incident.promised_update_at
    targets = targets_of(incident)
    acknowledgement = acknowledgement_clock(incident, now)
    is_drill = bool(getattr(incident, "is_drill", False))
    if not incident.is_open:
        end = stopped_at(incident) or now
        return ResponseClock(
            STOPPED,
            end - incident.detected_at,
            None,
            acknowledgement,
            is_drill,
            stopped_at=end,
            public_word_at=word_at,
        )
    since = now - incident.detected_at
    if incident.first_acknowledged_at is None:
        return ResponseClock(ACKNOWLEDGEMENT, since, acknowledgement, acknowledgement, is_drill)
    due_at = next_update_due_at(incident, word_at, promised_at, targets)
    # The promised interval: the quarter before its end counts as due soon.
    target = due_at - word_at if due_at > word_at else targets.cadence
    deadline = _countdown("Next public update", due_at, target, now)
    return ResponseClock(
        NEXT_UPDATE, since, deadline, acknowledgement, is_drill, public_word_at=word_at
    )


# How long before a deadline ``send_reminders`` warns: the lead before the first acknowledgement
# or a promised update, an action item's owner before its due time.
LEAD_REMINDER_BEFORE = timedelta(minutes=10)
# An owner hears of an item when its clock turns "due" (ACTION_ITEM_DUE_SOON, defined with the
# action-item clock below): one rule for what the page shows and when the mail goes.
REMINDER_DUE, REMINDER_OVERDUE = "due", "overdue"


def reminder_stage(due_at, before, now=None):
    """Which reminder a deadline calls for now: ``overdue`` from a second after it, ``due``
    within ``before`` of it (the deadline itself included), None before that or without one."""
    if due_at is None:
        return None
    left = due_at - (now or timekeeper.now())
    if left < timedelta(0):
        return REMINDER_OVERDUE
    if left <= before:
        return REMINDER_DUE
    return None


def update_cadence(severity, targets=None):
    """The time a public update promises until the next one, for ``severity``.

    From ``targets`` (see :func:`response_targets`) or, without it, queried.
    """
    return (targets or response_targets())[int(severity)].cadence


def default_next_update_at(incident, now=None):
    """When a public update published now promises the next one by default (no queries when
    the incident's targets were handed to it)."""
    return (now or timekeeper.now()) + targets_of(incident).cadence


# ---------------------------------------------------------------------------------------------
# Action items: each step of a plan has its own due time.
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
    return _deadline_clock(
        "Action item",
        item.due_at,
        started_at=item.created_at,
        done_at=item.completed_at,
        is_running=item.is_unfinished,
        due_soon=ACTION_ITEM_DUE_SOON,
        now=now,
    )


def _deadline_clock(label, due_at, *, started_at, done_at, is_running, due_soon, now=None):
    """The clock of one thing due at ``due_at`` (an action item, a journalist's deadline): done
    once ``done_at`` is set and it no longer runs (``is_late`` after ``due_at``), None when it
    stopped undone (dropped, declined), else counting down (``due`` within ``due_soon``) or
    overdue. ``target`` is the time given, from ``started_at`` to ``due_at``."""
    target = max(due_at - started_at, timedelta(0))
    if done_at is not None and not is_running:
        took = max(done_at - started_at, timedelta(0))
        return Clock(label, DONE, due_at, took, target, is_late=not met_deadline(done_at, due_at))
    if not is_running:
        return None
    left = due_at - (now or timekeeper.now())
    if left < timedelta(0):
        return Clock(label, OVERDUE, due_at, -left, target, is_late=True)
    return Clock(label, DUE if left <= due_soon else OK, due_at, left, target)


# A journalist's deadline: the spokesperson hears of it half an hour before, when its clock turns
# "due" (one rule for what the page shows and when the reminder goes), and again once passed.
INQUIRY_DUE_SOON = timedelta(minutes=30)


def inquiry_clock(inquiry, now=None):
    """A journalist's inquiry's deadline as a :class:`Clock`, or None when it was declined.

    ``inquiry`` is anything with ``received_at``, ``deadline``, ``answered_at`` and ``is_open``.
    ``target`` is the time the journalist gave (from receipt to deadline); a done clock's
    ``duration`` is how long the answer took, and ``is_late`` whether it came after the deadline.
    """
    return _deadline_clock(
        "Media deadline",
        inquiry.deadline,
        started_at=inquiry.received_at,
        done_at=inquiry.answered_at,
        is_running=inquiry.is_open,
        due_soon=INQUIRY_DUE_SOON,
        now=now,
    )


def met_deadline(done_at, due_at):
    """Whether something done at ``done_at`` met ``due_at`` (at the deadline itself counts as
    met), or None when it was not done."""
    if done_at is None:
        return None
    return done_at <= due_at


def lateness(done_at, due_at):
    """How long after ``due_at`` something was done at ``done_at`` (zero when in time)."""
    return max(done_at - due_at, timedelta(0))


def due_after_detection(incident, hours):
    """When a step due ``hours`` after the first signal is due (a plan template's items)."""
    return incident.detected_at + timedelta(hours=hours)


# ---------------------------------------------------------------------------------------------
# Figures of a finished response: the post-mortem's facts and the reports use these, so that a
# figure reads the same wherever it is shown.
# ---------------------------------------------------------------------------------------------


def time_to_resolution(incident):
    """From detection to resolution (``resolved_at``), or None while not resolved. A reopened
    incident counts its latest resolution (reopening clears ``resolved_at``)."""
    if incident.resolved_at is None:
        return None
    return incident.resolved_at - incident.detected_at


def acknowledged_within_target(incident, targets=None):
    """Whether the first public acknowledgement came within the severity's target (at the
    target itself counts as within, as on the acknowledgement clock), or None when there was no
    acknowledgement. ``targets`` as from :func:`response_targets`, else from the incident."""
    took = time_to_acknowledgement(incident)
    if took is None:
        return None
    target = targets[int(incident.severity)] if targets else targets_of(incident)
    return took <= target.acknowledgement


def promise_kept(promised_at, next_word_at, *, stopped_at=None, now=None):
    """Whether a public update's promise ("next update by ``promised_at``") was kept.

    ``next_word_at`` is when the audience next heard from us after that update: the next
    published public update or statement, or None. ``stopped_at`` is when the incident's clock
    stopped (:func:`stopped_at`: resolved, closed or cancelled), which ends the cadence.

    - True: the next public word came at or before the promised time;
    - False: it came later, or none came and the promised time passed while the incident was
      still running;
    - None (not counted): the promised time is still to come (``now``), or the incident stopped
      before it without another word (resolving ends the promise rather than breaking it).
    """
    if next_word_at is not None and (stopped_at is None or next_word_at <= stopped_at):
        return next_word_at <= promised_at
    if stopped_at is not None and stopped_at <= promised_at:
        return None
    if stopped_at is None and promised_at >= (now or timekeeper.now()):
        return None
    return False


def promise_outcomes(words, *, stopped_at=None, now=None):
    """Every promise among an incident's public words, judged by :func:`promise_kept`.

    ``words`` is a list of ``(published_at, promised_at)``: each published public update with
    the time it promised, and each published statement with None (a statement promises no
    time, but counts as the next word). Returns ``[(published_at, promised_at, kept)]``, oldest
    first, one per promise."""
    words = sorted(words, key=lambda word: word[0])
    outcomes = []
    for index, (published_at, promised_at) in enumerate(words):
        if promised_at is None:
            continue
        later = [at for at, _ in words[index + 1 :] if at > published_at]
        next_word_at = later[0] if later else None
        kept = promise_kept(promised_at, next_word_at, stopped_at=stopped_at, now=now)
        outcomes.append((published_at, promised_at, kept))
    return outcomes


# What became of an action item, for the post-mortem and the reports.
ON_TIME, LATE, DROPPED, UNFINISHED = "on_time", "late", "dropped", "unfinished"


def action_item_outcome(item):
    """``on_time`` (done, by its due time or without one), ``late`` (done after its due time:
    the action-item clock's ``is_late``), ``dropped``, or ``unfinished`` (open or in progress).

    ``item`` is anything with ``is_unfinished``, ``completed_at``, ``dropped_at``, ``due_at``.
    """
    if item.is_unfinished:
        return UNFINISHED
    if item.completed_at is None:
        return DROPPED if item.dropped_at is not None else UNFINISHED
    if item.due_at is not None and item.completed_at > item.due_at:
        return LATE
    return ON_TIME


def done_on_time(item):
    """Whether the item was done by its due time (see :func:`action_item_outcome`)."""
    return action_item_outcome(item) == ON_TIME


# ---------------------------------------------------------------------------------------------
# Decisions with a time allowed: a stage of an approval chain.
# ---------------------------------------------------------------------------------------------


def decision_clock(started_at, due_at, decided_at=None, now=None, label="Decision"):
    """The clock of a decision given until ``due_at`` from ``started_at``: done (how long it
    took, and whether after its time), or running (ok, due in the last quarter, overdue). None
    when nothing is counted: not started, or no time allowed."""
    if started_at is None or due_at is None:
        return None
    target = max(due_at - started_at, timedelta(0))
    if decided_at is not None:
        took = max(decided_at - started_at, timedelta(0))
        return Clock(label, DONE, due_at, took, target, is_late=decided_at > due_at)
    return _countdown(label, due_at, target, now or timekeeper.now())


def is_past(due_at, now=None):
    """Whether ``due_at`` has passed (a second after it, as :func:`reminder_stage` counts)."""
    return due_at is not None and due_at < (now or timekeeper.now())
