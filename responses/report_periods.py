"""The reports' periods and the figures a report adds to the clocks: which period a report covers
(the default, the refused ones, its bounds as times), percentiles, and what is still undecided.
Each acknowledgement, promise and action item is judged by crisis.clocks; the reports page
(responses.reports) reads its period and outcomes here."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from crisis import clocks

# The reports page opens on the last 90 days; a period may span at most ten years (a longer one
# is refused, not silently cut), starts no earlier than 2000 and ends at most a year from today.
REPORT_DEFAULT_DAYS = 90
REPORT_MAX_SPAN = timedelta(days=3653)
REPORT_EARLIEST = date(2000, 1, 1)
REPORT_LATEST_AHEAD = timedelta(days=366)

# A report's outcomes besides the clocks' (ON_TIME, LATE, DROPPED): an acknowledgement made
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
    """``within`` or ``late`` once the first public acknowledgement came (the clocks'
    ``acknowledged_within_target``); while it is missing on an open incident, ``late`` once
    its target passed (the acknowledgement clock is overdue), else ``pending``; None for an
    incident that ended without a public word (nothing is counted)."""
    within = clocks.acknowledged_within_target(incident)
    if within is not None:
        return WITHIN if within else clocks.LATE
    clock = clocks.acknowledgement_clock(incident, now)
    if clock is None:
        return None
    return clocks.LATE if clock.is_overdue else PENDING


def action_item_report_outcome(item, now=None):
    """The clocks' ``action_item_outcome`` (``on_time``, ``late``, ``dropped``), with an
    unfinished item told apart: ``overdue`` past its due time (the action-item clock), else
    ``pending``."""
    outcome = clocks.action_item_outcome(item)
    if outcome != clocks.UNFINISHED:
        return outcome
    clock = clocks.action_item_clock(item, now)
    return OVERDUE_ITEM if clock is not None and clock.is_overdue else PENDING
