"""The reports page's figures: what the desk's incidents of a period add up to, drills left out.

The rules behind every figure (durations, "within target", "kept", "on time") are the clock
module's (crisis/clocks.py: the post-mortem's figures and the "Reports" block), so a figure only
counts what they decide. One function per figure, in the page's order (FIGURES); each reads the
period's :class:`Facts`, loaded once by :func:`build_report`.

Four queries, however many incidents: the incidents, their targets, the statements' and the
public updates' publication times (together), the action items.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from django.db import DEFAULT_DB_ALIAS
from django.db.models import DateTimeField, Value
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from crisis import clocks
from incidents.models import Incident
from responses import report_periods
from responses.models import ActionItem, ProgressUpdate, Statement


@dataclass
class Row:
    """One line of a figure's table (and one group of bars of its chart)."""

    label: str
    url: str
    values: dict = field(default_factory=dict)


@dataclass
class Figure:
    key: str
    title: str
    # (value key, column heading) in the table's order; ``bars`` those drawn on the chart.
    columns: list
    rows: list
    bars: list
    unit: str  # "count", "duration" or "share"
    note: str = ""


@dataclass
class Facts:
    """What every figure reads: the period, the moment the report is made, the period's
    incidents (drills left out, with their targets) and the database to ask for the rest."""

    start: date
    end: date
    now: datetime
    incidents: list
    using: str

    def list_url(self, **filters):
        return list_url(self.start, self.end, **filters)

    @cached_property
    def by_pk(self):
        return {incident.pk: incident for incident in self.incidents}

    def severity_rows(self):
        """``(label, url, incidents)`` per severity, then all of them."""
        rows = [
            (
                severity.label,
                self.list_url(severity=severity.value),
                [i for i in self.incidents if i.severity == severity],
            )
            for severity in Incident.Severity
        ]
        return rows + [("All severities", self.list_url(), self.incidents)]


def share(part, whole):
    """``part`` of ``whole`` as a whole percentage, None when there is nothing to count."""
    return round(100 * part / whole) if whole else None


def list_url(start, end, **filters):
    """The incident list showing the incidents of the period (drills left out) that ``filters``
    choose: a figure's row links to the incidents it counted."""
    query = QueryDict(mutable=True)
    query.update(
        {
            "show": "all",
            "drill": "exclude",
            "detected_after": start.isoformat(),
            "detected_before": end.isoformat(),
        }
    )
    query.update({name: value for name, value in filters.items() if value is not None})
    return reverse("incidents:list") + "?" + query.urlencode()


def incidents_per_category(facts):
    per_category = Counter(incident.category for incident in facts.incidents)
    return Figure(
        "categories",
        "Incidents per category",
        [("count", "Incidents")],
        [
            Row(
                category.label,
                facts.list_url(category=category.value),
                {"count": per_category[category.value]},
            )
            for category in Incident.Category
        ],
        ["count"],
        "count",
    )


def incidents_per_severity(facts):
    per_severity = Counter(incident.severity for incident in facts.incidents)
    return Figure(
        "severities",
        "Incidents per severity",
        [("count", "Incidents")],
        [
            Row(
                severity.label,
                facts.list_url(severity=severity.value),
                {"count": per_severity[severity.value]},
            )
            for severity in Incident.Severity
        ],
        ["count"],
        "count",
    )


def _durations(facts, key, title, measure, missing):
    """A figure of the median and 90th percentile of ``measure`` per severity, with how many
    incidents it counted and how many it could not (``missing``)."""
    rows = []
    for label, url, group in facts.severity_rows():
        durations = [d for d in map(measure, group) if d is not None]
        rows.append(
            Row(
                label,
                url,
                {
                    "counted": len(durations),
                    "median": report_periods.percentile(durations, 0.5),
                    "p90": report_periods.percentile(durations, 0.9),
                    "missing": len(group) - len(durations),
                },
            )
        )
    return Figure(
        key,
        title,
        [
            ("counted", "Incidents counted"),
            ("median", "Median"),
            ("p90", "90th percentile"),
            ("missing", missing),
        ],
        rows,
        ["median", "p90"],
        "duration",
    )


def time_to_acknowledgement(facts):
    return _durations(
        facts,
        "acknowledgement",
        "Time to first public acknowledgement",
        clocks.time_to_acknowledgement,
        "Never acknowledged",
    )


def time_to_resolution(facts):
    return _durations(
        facts, "resolution", "Time to resolution", clocks.time_to_resolution, "Not resolved"
    )


def acknowledgements_within_target(facts):
    rows = []
    for label, url, group in facts.severity_rows():
        outcomes = Counter(report_periods.acknowledgement_outcome(i, facts.now) for i in group)
        decided = outcomes[report_periods.WITHIN] + outcomes[clocks.LATE]
        rows.append(
            Row(
                label,
                url,
                {
                    "within": outcomes[report_periods.WITHIN],
                    "late": outcomes[clocks.LATE],
                    "share": share(outcomes[report_periods.WITHIN], decided),
                },
            )
        )
    return Figure(
        "acknowledgement_target",
        "First public acknowledgements within target",
        [("within", "Within target"), ("late", "Late or still missing"), ("share", "Share")],
        rows,
        ["share"],
        "share",
        "An open incident still waiting past its target counts as late; one that ended "
        "without a public word is left out.",
    )


def promises_kept(facts):
    """Each published public update promised the next public word (clocks.promise_outcomes
    judges them; a statement promises nothing but is a word). One query: the statements' and
    the public updates' publication times together."""
    by_pk = facts.by_pk
    no_promise = Value(None, output_field=DateTimeField())
    statements = (
        Statement.objects.using(facts.using)
        .published()
        .filter(incident_id__in=by_pk)
        .annotate(promised=no_promise)
        .order_by()
        .values_list("incident_id", "published_at", "promised")
    )
    updates = (
        ProgressUpdate.objects.using(facts.using)
        .published_public()
        .filter(incident_id__in=by_pk)
        .order_by()
        .values_list("incident_id", "published_at", "next_update_at")
    )
    words = defaultdict(list)
    for incident_id, at, promised in statements.union(updates, all=True):
        words[incident_id].append((at, promised))
    kept = defaultdict(Counter)
    for incident_id, incident_words in words.items():
        incident = by_pk[incident_id]
        for _at, _promised, outcome in clocks.promise_outcomes(
            incident_words, stopped_at=clocks.stopped_at(incident), now=facts.now
        ):
            kept[incident.severity][outcome] += 1
    rows = []
    for label, url, group in facts.severity_rows():
        counts = Counter()
        for severity in {i.severity for i in group}:
            counts += kept[severity]
        rows.append(
            Row(
                label,
                url,
                {
                    "kept": counts[True],
                    "broken": counts[False],
                    "share": share(counts[True], counts[True] + counts[False]),
                },
            )
        )
    return Figure(
        "promises",
        "Public update promises kept",
        [("kept", "Kept"), ("broken", "Broken"), ("share", "Share kept")],
        rows,
        ["share"],
        "share",
        "A promise is kept when the next public word came by the promised time. Promises "
        "not yet due, and those the incident's end came before, are left out.",
    )


def action_items_on_time(facts):
    """Action items done by their due time, per kind. One query: the action items."""
    items = list(
        ActionItem.objects.using(facts.using)
        .filter(incident_id__in=facts.by_pk)
        .only("kind", "status", "due_at", "created_at", "completed_at", "dropped_at", "incident_id")
    )
    rows = []
    for kind_value, label in [*ActionItem.Kind.choices, (None, "All action items")]:
        outcomes = Counter(
            report_periods.action_item_report_outcome(item, facts.now)
            for item in items
            if kind_value is None or item.kind == kind_value
        )
        decided = (
            outcomes[clocks.ON_TIME] + outcomes[clocks.LATE] + outcomes[report_periods.OVERDUE_ITEM]
        )
        rows.append(
            Row(
                label,
                facts.list_url(),
                {
                    "on_time": outcomes[clocks.ON_TIME],
                    "done_late": outcomes[clocks.LATE],
                    "overdue": outcomes[report_periods.OVERDUE_ITEM],
                    "dropped": outcomes[clocks.DROPPED],
                    "share": share(outcomes[clocks.ON_TIME], decided),
                },
            )
        )
    return Figure(
        "action_items",
        "Action items done on time",
        [
            ("on_time", "Done on time"),
            ("done_late", "Done late"),
            ("overdue", "Overdue"),
            ("dropped", "Dropped"),
            ("share", "Share on time"),
        ],
        rows,
        ["share"],
        "share",
        "The share counts items done (on time, or without a due time, or late) and items "
        "overdue; dropped items and unfinished items not yet due are left out.",
    )


# The page's figures, in its order.
FIGURES = [
    incidents_per_category,
    incidents_per_severity,
    time_to_acknowledgement,
    time_to_resolution,
    acknowledgements_within_target,
    promises_kept,
    action_items_on_time,
]


def build_report(start, end, now=None, using=DEFAULT_DB_ALIAS):
    """``(incidents, figures)``: the period's incidents (detected from ``start`` to ``end``,
    both dates included, drills left out) and every figure of them, as :class:`Figure` objects
    in the page's order. Four queries, on the database ``using``."""
    begins, ends = report_periods.report_period_bounds(start, end)
    incidents = list(
        Incident.objects.using(using)
        .filter(is_drill=False, detected_at__gte=begins, detected_at__lt=ends)
        .with_clocks()
        .order_by("detected_at", "pk")
    )
    facts = Facts(start, end, now or timezone.now(), incidents, using)
    return incidents, [figure(facts) for figure in FIGURES]
