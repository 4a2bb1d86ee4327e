"""Mention spikes: is the conversation louder than usual right now? The rule, with the thresholds
admins keep (:class:`incidents.models.SpikeThreshold`) and the mention counts it reads.

The rule reads the mention counts per UTC clock hour (:class:`incidents.models.MentionCount`,
kept by monitoring.counts), never the mentions: a few rows per incident however loud the
conversation.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import median

from django.db.models import ExpressionWrapper, F, FloatField, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from monitoring.models import MentionCount, SpikeThreshold

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
    row = SpikeThreshold.current()
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
