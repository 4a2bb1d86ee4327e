"""Every time rule of the desk: how long the audience has waited, when the first public
acknowledgement is due, when the next public update is due, and how long it took. The only place
that does clock arithmetic: views, models and templates ask here, and templates only format what
comes back.

The functions take any object with ``detected_at``, ``first_acknowledged_at``, ``severity`` and
``is_open`` (an incident), and ``now`` for tests and for one consistent time across a page.

The response targets (time allowed until the first acknowledgement, cadence of public updates)
are kept by admins per severity (responses.ResponseTarget), with the settings' values as the
fallback for a missing row. The clocks never query per incident:

- pages list incidents through ``Incident.objects.with_clocks()``, which annotates each row, in
  the same query, with its severity's targets (:func:`annotate_targets`) and with its latest
  public word and that word's promise (annotations registered by the apps that publish, in
  :data:`crisis.panels.incident_annotations`); the clocks read those annotations;
- a caller holding a few severities and no annotated incident loads every target at once with
  :func:`response_targets` (one query) and passes the mapping in.
An incident loaded without the annotations still gets right targets, at one query each, and the
pinned query counts of the pages catch that; its public word cannot be guessed, so the response
clock refuses it (:class:`ClockFactsMissing`).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from crisis.panels import CompiledOnce

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


# The admin's targets, named by label as Django names the user model: the kernel imports no app.
RESPONSE_TARGET_MODEL = "responses.ResponseTarget"

# What Incident.objects.with_clocks() puts on each incident. The minutes are the severity's row
# (None when the row is missing); the public word is the latest published statement or public
# update, and the promise is that update's next-update time (None after a statement).
ACKNOWLEDGEMENT_MINUTES = "acknowledgement_target_minutes"
CADENCE_MINUTES = "update_cadence_target_minutes"
PUBLIC_WORD_AT = "public_word_at"
PROMISED_UPDATE_AT = "promised_update_at"


@dataclass(frozen=True)
class Targets:
    """One severity's response targets."""

    acknowledgement: timedelta
    cadence: timedelta


def _targets_from(severity, acknowledgement_minutes=None, cadence_minutes=None):
    """A severity's targets from its row's minutes; a missing row falls back to the settings."""
    if acknowledgement_minutes is None:
        acknowledgement_minutes = settings.ACKNOWLEDGEMENT_TARGET_MINUTES[int(severity)]
    if cadence_minutes is None:
        cadence_minutes = settings.UPDATE_CADENCE_MINUTES[int(severity)]
    return Targets(timedelta(minutes=acknowledgement_minutes), timedelta(minutes=cadence_minutes))


def response_targets():
    """``{severity: Targets}`` for every severity: the rows admins keep, the settings' values
    where a row is missing. Queries the database once."""
    rows = {
        severity: (acknowledgement, cadence)
        for severity, acknowledgement, cadence in apps.get_model(RESPONSE_TARGET_MODEL)
        .objects.all()
        .values_list("severity", "acknowledgement_minutes", "update_cadence_minutes")
    }
    return {
        severity: _targets_from(severity, *rows.get(severity, (None, None)))
        for severity in settings.ACKNOWLEDGEMENT_TARGET_MINUTES
    }


def _target_minutes(field):
    def build():
        rows = apps.get_model(RESPONSE_TARGET_MODEL).objects.filter(severity=OuterRef("severity"))
        return Subquery(rows.values(field)[:1])

    return build


_ACKNOWLEDGEMENT_MINUTES_SQL = _target_minutes("acknowledgement_minutes")
_CADENCE_MINUTES_SQL = _target_minutes("update_cadence_minutes")


def annotate_targets(incidents):
    """``incidents`` (a queryset) with each row's severity targets in minutes, in its own query
    (a subquery per target, written once: crisis.panels.CompiledOnce): the clocks of a listed
    incident then query nothing."""
    return incidents.annotate(
        **{
            ACKNOWLEDGEMENT_MINUTES: CompiledOnce(_ACKNOWLEDGEMENT_MINUTES_SQL, IntegerField()),
            CADENCE_MINUTES: CompiledOnce(_CADENCE_MINUTES_SQL, IntegerField()),
        }
    )


def targets_of(incident):
    """The incident's targets: from its annotations when it was listed with its clocks, else
    from the database (one query)."""
    if ACKNOWLEDGEMENT_MINUTES in vars(incident):
        return _targets_from(
            incident.severity,
            getattr(incident, ACKNOWLEDGEMENT_MINUTES),
            getattr(incident, CADENCE_MINUTES),
        )
    return response_targets()[int(incident.severity)]


def acknowledgement_target(severity, targets=None):
    """The time allowed from detection to the first public acknowledgement, for ``severity``:
    from ``targets`` (see :func:`response_targets`) or, without it, queried."""
    return (targets or response_targets())[int(severity)].acknowledgement


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
    return _countdown(label, due_at, target, now or timezone.now())


# The phases of an incident's response clock.
ACKNOWLEDGEMENT, NEXT_UPDATE, STOPPED = "acknowledgement", "next_update", "stopped"


class ClockFactsMissing(ImproperlyConfigured):
    """An incident's response clock was asked for without its public word loaded. Not silenced
    by templates (unlike an AttributeError), so a page that forgets fails its tests."""


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


def _clock_fact(incident, name):
    if name not in vars(incident):
        raise ClockFactsMissing(
            f"{incident} was loaded without its public word: list incidents whose response "
            "clock is shown with Incident.objects.with_clocks()."
        )
    return getattr(incident, name)


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
    """The incident's response clock (see :class:`ResponseClock`). No queries when the incident
    comes from ``Incident.objects.with_clocks()``; refuses one loaded without it."""
    now = now or timezone.now()
    word_at = _clock_fact(incident, PUBLIC_WORD_AT) or incident.first_acknowledged_at
    promised_at = _clock_fact(incident, PROMISED_UPDATE_AT)
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
    left = due_at - (now or timezone.now())
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
    if stopped_at is None and promised_at >= (now or timezone.now()):
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
# Reports: the figures of the reports page (responses/reports.py) over a chosen period. They
# judge each acknowledgement, promise and action item with the functions above, and add only
# what a report needs besides: the period, percentiles, and what is still undecided.
# ---------------------------------------------------------------------------------------------

# The reports page opens on the last 90 days; a period may span at most ten years (a longer one
# is refused, not silently cut), starts no earlier than 2000 and ends at most a year from today.
REPORT_DEFAULT_DAYS = 90
REPORT_MAX_SPAN = timedelta(days=3653)
REPORT_EARLIEST = date(2000, 1, 1)
REPORT_LATEST_AHEAD = timedelta(days=366)

# A report's outcomes besides those above (ON_TIME, LATE, DROPPED): an acknowledgement made
# within its target; an unfinished item past its due time; anything whose deadline is still
# ahead, which a report leaves out.
WITHIN, OVERDUE_ITEM, PENDING = "within", "overdue", "pending"


def default_report_period(today=None):
    """The reports page's period when none is asked for: the last 90 days, today included."""
    today = today or timezone.localdate()
    return today - timedelta(days=REPORT_DEFAULT_DAYS - 1), today


def report_period_refusals(start, end, today=None):
    """``{field: message}`` for a period the reports refuse (empty when it is fine): one that
    ends before it starts, spans more than ten years, or lies outside 2000 … a year from now."""
    today = today or timezone.localdate()
    refusals = {}
    latest = today + REPORT_LATEST_AHEAD
    for name, day in (("start", start), ("end", end)):
        if day < REPORT_EARLIEST:
            refusals[name] = f"Choose a date from {REPORT_EARLIEST:%d %b %Y} on."
        elif day > latest:
            refusals[name] = f"Choose a date until {latest:%d %b %Y}."
    if refusals:
        return refusals
    if end < start:
        refusals["end"] = "The period cannot end before it starts."
    elif end - start >= REPORT_MAX_SPAN:
        refusals["end"] = "A report covers at most ten years: choose a shorter period."
    return refusals


def report_period_bounds(start, end):
    """The period from ``start`` to ``end`` (dates, both included) as aware datetimes: from the
    start's local midnight to the midnight after the end (excluded)."""
    zone = timezone.get_current_timezone()
    begins = timezone.make_aware(datetime.combine(start, time.min), zone)
    ends = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    return begins, ends


def percentile(durations, share):
    """The ``share`` (0 … 1) percentile of ``durations``, interpolating linearly between the two
    nearest ranks (the median of 10 and 20 minutes is 15); None for no durations."""
    ordered = sorted(durations)
    if not ordered:
        return None
    position = (len(ordered) - 1) * share
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def acknowledgement_outcome(incident, now=None):
    """``within`` or ``late`` once the first public acknowledgement came
    (:func:`acknowledged_within_target`); while it is missing on an open incident, ``late`` once
    its target passed (the acknowledgement clock is overdue), else ``pending``; None for an
    incident that ended without a public word (nothing is counted)."""
    within = acknowledged_within_target(incident)
    if within is not None:
        return WITHIN if within else LATE
    clock = acknowledgement_clock(incident, now)
    if clock is None:
        return None
    return LATE if clock.is_overdue else PENDING


def action_item_report_outcome(item, now=None):
    """:func:`action_item_outcome` (``on_time``, ``late``, ``dropped``), with an unfinished item
    told apart: ``overdue`` past its due time (the action-item clock), else ``pending``."""
    outcome = action_item_outcome(item)
    if outcome != UNFINISHED:
        return outcome
    clock = action_item_clock(item, now)
    return OVERDUE_ITEM if clock is not None and clock.is_overdue else PENDING


# Mentions per hour: the incident page's chart
# ---------------------------------------------------------------------------------------------


def chart_hours(now, hours):
    """The starts of the last ``hours`` UTC clock hours, the current one last (the hours the
    mention counts are kept by)."""
    last = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [last - timedelta(hours=hours - 1 - n) for n in range(hours)]


# Mention spikes: is the conversation louder than usual right now?
# ---------------------------------------------------------------------------------------------

# The thresholds admins keep (incidents.SpikeThreshold), named by label: the kernel imports no app.
SPIKE_THRESHOLD_MODEL = "incidents.SpikeThreshold"
# The rule reads the mention counts per UTC clock hour (incidents.MentionCount, kept by
# incidents.counts), never the mentions: a few rows per incident however loud the conversation.
MENTION_COUNT_MODEL = "incidents.MentionCount"
# The volume compared: the mentions posted in the last hour, up to now...
SPIKE_WINDOW = timedelta(hours=1)
# ...against the same hour of each of the past 7 days (the hour ending at this time of day; a
# rolling hour, so the rule reads the same at 14:05 as at 14:55, and a spike does not vanish when
# the clock hour turns).
SPIKE_HISTORY_DAYS = 7
# From counts per clock hour, the rolling hour 13:20-14:20 is read as all of 14:00's count so far
# (nothing is posted after now) and the last two thirds of 13:00's, as if that hour's mentions
# were spread evenly over it (on a past day, a third of 14:00's and two thirds of 13:00's). The
# figures are rounded to whole mentions. Exact at the turn of the hour; within the hour it errs
# only as far as the mentions of the hour before crowded into one end of it.


@dataclass(frozen=True)
class SpikeRule:
    """A spike: more than ``multiple`` times the usual volume, and at least ``minimum``."""

    multiple: float
    minimum: int


@dataclass(frozen=True)
class Volume:
    """One conversation's volume now: ``count`` mentions in the last hour, ``usual`` the median
    of the same hour on the past days, ``daily`` those days' counts (yesterday first)."""

    count: int
    usual: float
    daily: tuple
    is_spike: bool
    since: datetime
    until: datetime

    @property
    def hour(self):
        """The clock hour the spike belongs to (a spike alert is sent once per hour)."""
        return self.until.replace(minute=0, second=0, microsecond=0)

    @property
    def ratio(self):
        """How many times the usual volume (None when the usual volume is nothing)."""
        return self.count / self.usual if self.usual else None


def spike_rule():
    """The thresholds in force: the admin's row, or the defaults. One query."""
    Threshold = apps.get_model(SPIKE_THRESHOLD_MODEL)
    row = Threshold.current()
    return SpikeRule(float(row.multiple), int(row.minimum_volume))


def is_spike(count, usual, rule):
    """THE spike rule: at least the minimum volume, and more than the multiple of the usual."""
    return count >= rule.minimum and count > rule.multiple * usual


def spike_hours(now):
    """The UTC clock hours the compared hours overlap, today first: ``[(hour, hour before)]``,
    1 + 7 pairs of hour starts, and the share of ``hour`` that lies before the time of day of
    ``now`` (0 at the turn of the hour)."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    share = (now - hour) / SPIKE_WINDOW
    pairs = [
        (hour - timedelta(days=day), hour - timedelta(days=day) - SPIKE_WINDOW)
        for day in range(SPIKE_HISTORY_DAYS + 1)
    ]
    return pairs, share


def _hour_counts(now, scope, *, at_least=None):
    """``{incident id or None: {"h<day>": count, "p<day>": count}}``: the counts of the clock
    hour (h) and the hour before it (p) of each compared day, for the conversations of ``scope``
    (a Q on the counts: incidents, the inbox); with ``at_least``, only those whose last hour
    may reach it. One query, grouped, over the counts' rows of 16 hours (the unique index, led
    by the hour, finds them)."""
    MentionCount = apps.get_model(MENTION_COUNT_MODEL)
    pairs, share = spike_hours(now)
    sums = {}
    for day, (hour, before) in enumerate(pairs):
        sums[f"h{day}"] = Coalesce(Sum("n", filter=Q(hour=hour)), 0)
        sums[f"p{day}"] = Coalesce(Sum("n", filter=Q(hour=before)), 0)
    rows = (
        MentionCount.objects.filter(scope, hour__in=[h for pair in pairs for h in pair])
        .order_by()
        .values("incident_id")
        .annotate(**sums)
    )
    if at_least is not None:
        # No spike below the minimum: only the few loud conversations leave the database
        # (minus one, for the rounding; the rule itself is applied in Python).
        last = ExpressionWrapper(F("h0") + F("p0") * (1 - share), output_field=FloatField())
        rows = rows.alias(last=last).filter(last__gte=at_least - 1)
    return {row["incident_id"]: row for row in rows}


def _volume(row, now, rule):
    _pairs, share = spike_hours(now)
    count = round(row.get("h0", 0) + row.get("p0", 0) * (1 - share))
    daily = tuple(
        round(row.get(f"h{day}", 0) * share + row.get(f"p{day}", 0) * (1 - share))
        for day in range(1, SPIKE_HISTORY_DAYS + 1)
    )
    usual = float(median(daily))
    return Volume(count, usual, daily, is_spike(count, usual, rule), now - SPIKE_WINDOW, now)


VOLUME_CHUNK = 500


def incident_volumes(incident_ids, now=None, rule=None):
    """``{incident id: Volume}`` for the incidents, each read from its mention counts. One query
    per VOLUME_CHUNK incidents (and one for the thresholds without ``rule``)."""
    now = now or timezone.now()
    rule = rule or spike_rule()
    incident_ids = list(incident_ids)
    if not incident_ids:
        return {}
    found = {}
    # The ids are bound once a query: VOLUME_CHUNK stays far below SQLite's (32,766) and
    # PostgreSQL's (65,535) limits of parameters, also with 10,000 incidents open.
    for first in range(0, len(incident_ids), VOLUME_CHUNK):
        chunk = incident_ids[first : first + VOLUME_CHUNK]
        found.update(_hour_counts(now, Q(incident_id__in=chunk)))
    return {pk: _volume(found.get(pk, {}), now, rule) for pk in incident_ids}


def inbox_volume(now=None, rule=None):
    """The inbox's :class:`Volume` (mentions linked to no incident, dismissed or not: what came
    in that nobody tracks). One query (and one for the thresholds without ``rule``)."""
    now = now or timezone.now()
    rule = rule or spike_rule()
    return _volume(_hour_counts(now, Q(incident__isnull=True)).get(None, {}), now, rule)


def spiking(incidents, *, inbox=True, now=None, rule=None):
    """``{incident id (None: the inbox): Volume}`` of the conversations that spike now, among
    ``incidents`` (a queryset, read as a subquery: never loaded) and, with ``inbox``, the inbox.
    One query however many incidents are open, returning only the conversations whose last hour
    may reach the minimum volume; one more for the thresholds without ``rule``."""
    now = now or timezone.now()
    rule = rule or spike_rule()
    scope = Q(incident__in=incidents.values("pk"))
    if inbox:
        scope |= Q(incident__isnull=True)
    volumes = {
        pk: _volume(row, now, rule)
        for pk, row in _hour_counts(now, scope, at_least=rule.minimum).items()
    }
    return {pk: volume for pk, volume in volumes.items() if volume.is_spike}


# ---------------------------------------------------------------------------------------------
# Background imports (incidents.MentionImport): a worker that died (a restart, a killed process)
# leaves its import "Importing" for ever; the import's page says so and offers to restart it.
# ---------------------------------------------------------------------------------------------

# A chunk of 1,000 lines takes seconds; an import with no progress written for this long has lost
# its worker.
IMPORT_STALLED_AFTER = timedelta(minutes=10)


# A failed import keeps its file for a retry (the database's disk was full) this long; then
# `send_reminders` removes it.
FAILED_IMPORT_FILE_KEPT = timedelta(days=7)


def failed_import_files_expire_before(now=None):
    """Files of imports that failed before this moment are removed."""
    return (now or timezone.now()) - FAILED_IMPORT_FILE_KEPT


def import_is_stalled(last_progress_at, now=None):
    """Whether a running import that last wrote its progress at ``last_progress_at`` has been
    silent long enough for its worker to be taken for dead."""
    if last_progress_at is None:
        return False
    now = now or timezone.now()
    return now - last_progress_at >= IMPORT_STALLED_AFTER


# ---------------------------------------------------------------------------------------------
# Receipts of sent forms (crisis.SubmissionToken): a double click or a Back-and-send-again comes
# within seconds, so a week is plenty; `send_reminders` deletes older ones.
# ---------------------------------------------------------------------------------------------

SUBMISSION_RECEIPT_KEPT = timedelta(days=7)


def submission_receipts_expire_before(now=None):
    """Receipts of forms sent before this moment are no longer needed."""
    return (now or timezone.now()) - SUBMISSION_RECEIPT_KEPT
