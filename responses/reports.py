"""The reports page: what the desk's incidents of a chosen period add up to, drills left out.

It lives in ``responses`` rather than ``incidents`` because half its figures (public update
promises, action items) are this app's records, and ``incidents`` may not import ``responses``;
the rules behind every figure (durations, "within target", "kept", "on time") are the clock
module's (crisis/clocks.py: the post-mortem's figures and the "Reports" block), so the page only
counts what they decide.

Four queries, however many incidents: the incidents with their targets, the statements' and the
public updates' publication times, the action items (plus the session, the user and the user's
permissions for the navigation bar).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import DEFAULT_DB_ALIAS
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from crisis import clocks
from crisis.exports import CsvDownload
from crisis.replica import reading_database
from crisis.templatetags.crisis_tags import describe_duration
from incidents.models import Incident
from responses import report_periods
from responses.models import ActionItem, ProgressUpdate, Statement
from responses.models.response_target import annotate_targets


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Until", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if "start" in data and "end" in data:
            for name, message in report_periods.report_period_refusals(
                data["start"], data["end"]
            ).items():
                self.add_error(name, message)
        return data


def period_from(query):
    """``(form, start, end)``: the asked period when it is valid, else the default one (the form
    then carries the messages, and what was typed)."""
    start, end = report_periods.default_report_period()
    if "start" not in query and "end" not in query:
        return ReportPeriodForm(initial={"start": start, "end": end}), start, end
    form = ReportPeriodForm(query)
    if form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, start, end


# ---------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------


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


def share(part, whole):
    """``part`` of ``whole`` as a whole percentage, None when there is nothing to count."""
    return round(100 * part / whole) if whole else None


def _list_url(start, end, **filters):
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


def build_report(start, end, now=None, using=DEFAULT_DB_ALIAS):
    """Every figure of the period's incidents (detected from ``start`` to ``end``, both dates
    included, drills left out), as :class:`Figure` objects in the page's order. Four queries, on
    the database ``using``."""
    now = now or timezone.now()
    begins, ends = report_periods.report_period_bounds(start, end)
    incidents = list(
        annotate_targets(
            Incident.objects.using(using).filter(
                is_drill=False, detected_at__gte=begins, detected_at__lt=ends
            )
        ).order_by("detected_at", "pk")
    )
    by_pk = {incident.pk: incident for incident in incidents}
    severities = list(Incident.Severity)

    def severity_rows():
        """``(label, url, incidents)`` per severity, then all of them."""
        rows = [
            (
                severity.label,
                _list_url(start, end, severity=severity.value),
                [i for i in incidents if i.severity == severity],
            )
            for severity in severities
        ]
        return rows + [("All severities", _list_url(start, end), incidents)]

    figures = []

    # How many, per category and per severity.
    per_category = Counter(incident.category for incident in incidents)
    figures.append(
        Figure(
            "categories",
            "Incidents per category",
            [("count", "Incidents")],
            [
                Row(
                    category.label,
                    _list_url(start, end, category=category.value),
                    {"count": per_category[category.value]},
                )
                for category in Incident.Category
            ],
            ["count"],
            "count",
        )
    )
    per_severity = Counter(incident.severity for incident in incidents)
    figures.append(
        Figure(
            "severities",
            "Incidents per severity",
            [("count", "Incidents")],
            [
                Row(
                    severity.label,
                    _list_url(start, end, severity=severity.value),
                    {"count": per_severity[severity.value]},
                )
                for severity in severities
            ],
            ["count"],
            "count",
        )
    )

    # How long until the first public acknowledgement, and until resolution.
    for key, title, measure, missing in (
        (
            "acknowledgement",
            "Time to first public acknowledgement",
            clocks.time_to_acknowledgement,
            "Never acknowledged",
        ),
        ("resolution", "Time to resolution", clocks.time_to_resolution, "Not resolved"),
    ):
        rows = []
        for label, url, group in severity_rows():
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
        figures.append(
            Figure(
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
        )

    # First acknowledgements within their severity's target.
    rows = []
    for label, url, group in severity_rows():
        outcomes = Counter(report_periods.acknowledgement_outcome(i, now) for i in group)
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
    figures.append(
        Figure(
            "acknowledgement_target",
            "First public acknowledgements within target",
            [("within", "Within target"), ("late", "Late or still missing"), ("share", "Share")],
            rows,
            ["share"],
            "share",
            "An open incident still waiting past its target counts as late; one that ended "
            "without a public word is left out.",
        )
    )

    # Public update promises kept: each published public update promised the next public word
    # (clocks.promise_outcomes judges them; a statement promises nothing but is a word).
    words = defaultdict(list)
    for incident_id, at in (
        Statement.objects.using(using)
        .published()
        .filter(incident_id__in=by_pk)
        .values_list("incident_id", "published_at")
    ):
        words[incident_id].append((at, None))
    for incident_id, at, promised in (
        ProgressUpdate.objects.using(using)
        .published_public()
        .filter(incident_id__in=by_pk)
        .values_list("incident_id", "published_at", "next_update_at")
    ):
        words[incident_id].append((at, promised))
    kept = defaultdict(Counter)
    for incident_id, incident_words in words.items():
        incident = by_pk[incident_id]
        for _at, _promised, outcome in clocks.promise_outcomes(
            incident_words, stopped_at=clocks.stopped_at(incident), now=now
        ):
            kept[incident.severity][outcome] += 1
    rows = []
    for label, url, group in severity_rows():
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
    figures.append(
        Figure(
            "promises",
            "Public update promises kept",
            [("kept", "Kept"), ("broken", "Broken"), ("share", "Share kept")],
            rows,
            ["share"],
            "share",
            "A promise is kept when the next public word came by the promised time. Promises "
            "not yet due, and those the incident's end came before, are left out.",
        )
    )

    # Action items done by their due time, per kind.
    items = list(
        ActionItem.objects.using(using)
        .filter(incident_id__in=by_pk)
        .only("kind", "status", "due_at", "created_at", "completed_at", "dropped_at", "incident_id")
    )
    rows = []
    for kind_value, label in [*ActionItem.Kind.choices, (None, "All action items")]:
        outcomes = Counter(
            report_periods.action_item_report_outcome(item, now)
            for item in items
            if kind_value is None or item.kind == kind_value
        )
        decided = (
            outcomes[clocks.ON_TIME] + outcomes[clocks.LATE] + outcomes[report_periods.OVERDUE_ITEM]
        )
        rows.append(
            Row(
                label,
                _list_url(start, end),
                {
                    "on_time": outcomes[clocks.ON_TIME],
                    "done_late": outcomes[clocks.LATE],
                    "overdue": outcomes[report_periods.OVERDUE_ITEM],
                    "dropped": outcomes[clocks.DROPPED],
                    "share": share(outcomes[clocks.ON_TIME], decided),
                },
            )
        )
    figures.append(
        Figure(
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
    )
    return incidents, figures


# ---------------------------------------------------------------------------------------------
# The charts: horizontal bars drawn as SVG by a template (templates/responses/_report_chart.html)
# with classes from static CSS, so the strict Content-Security-Policy allows them (a charting
# library's SVG carries its own <style>, which the policy blocks). Each bar is labelled with its
# value and the second series is hatched, so the chart reads without colour and prints.
# ---------------------------------------------------------------------------------------------

CHART_WIDTH = 720
LABEL_WIDTH = 240
VALUE_ROOM = 110
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 12
SERIES_CLASSES = ("chart-bar-solid", "chart-bar-hatched")


def format_value(value, unit):
    if value is None:
        return "—"
    if unit == "duration":
        return describe_duration(value)
    if unit == "share":
        return f"{value}%"
    return str(value)


def _magnitude(value, unit):
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def chart(figure):
    """The bars' geometry for ``figure``: the template only draws what this computes."""
    headings = dict(figure.columns)
    scale_max = max(
        (_magnitude(row.values[key], figure.unit) for row in figure.rows for key in figure.bars),
        default=0,
    )
    if figure.unit == "share":
        scale_max = 100
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    group_height = len(figure.bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    rows = []
    y = ROW_GAP
    for row in figure.rows:
        bars = []
        for index, key in enumerate(figure.bars):
            value = row.values[key]
            width = round(room * _magnitude(value, figure.unit) / scale_max) if scale_max else 0
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            bars.append(
                {
                    "y": bar_y,
                    "text_y": bar_y + BAR_HEIGHT - 4,
                    "width": width,
                    "text_x": LABEL_WIDTH + width + 6,
                    "text": format_value(value, figure.unit),
                    "css": SERIES_CLASSES[index % 2],
                    "series": headings[key],
                }
            )
        rows.append({"label": row.label, "label_y": y + group_height / 2 + 4, "bars": bars})
        y += group_height + ROW_GAP
    return {
        "id": f"chart-{figure.key}",
        "width": CHART_WIDTH,
        "height": y,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "rows": rows,
        "legend": [(headings[key], SERIES_CLASSES[i % 2]) for i, key in enumerate(figure.bars)],
    }


def table(figure):
    """The figure's table: headings and each row's cells, formatted."""
    return {
        "headings": [heading for _key, heading in figure.columns],
        "rows": [
            {
                "label": row.label,
                "url": row.url,
                "cells": [
                    format_value(row.values[key], figure.unit if key in figure.bars else "count")
                    for key, _heading in figure.columns
                ],
            }
            for row in figure.rows
        ],
    }


# ---------------------------------------------------------------------------------------------
# The views
# ---------------------------------------------------------------------------------------------


@login_required
@require_safe
def report(request):
    form, start, end = period_from(request.GET)
    incidents, figures = build_report(start, end, using=reading_database())
    query = QueryDict(mutable=True)
    query.update({"start": start.isoformat(), "end": end.isoformat()})
    context = {
        "form": form,
        "start": start,
        "end": end,
        "incident_count": len(incidents),
        "incidents_url": _list_url(start, end),
        "query": query.urlencode(),
        "figures": [
            {"figure": figure, "chart": chart(figure), "table": table(figure)} for figure in figures
        ],
    }
    return render(request, "responses/report.html", context)


def _csv_heading(figure, key, heading):
    if key in figure.bars and figure.unit == "duration":
        return f"{heading} (minutes)"
    if key in figure.bars and figure.unit == "share":
        return f"{heading} (%)"
    return heading


@login_required
@require_safe
def report_export(request):
    """The report page's figures as CSV, one line per table row. An invalid period exports the
    default one, as the page shows it."""
    _form, start, end = period_from(request.GET)
    _incidents, figures = build_report(start, end, using=reading_database())
    download = CsvDownload("report")
    download.writerow(["Period", f"{start.isoformat()} to {end.isoformat()}", "drills excluded"])
    for figure in figures:
        download.writerow([])
        download.writerow(
            [figure.title, *[_csv_heading(figure, key, h) for key, h in figure.columns]]
        )
        for row in figure.rows:
            cells = []
            for key, _heading in figure.columns:
                value = row.values[key]
                if isinstance(value, timedelta):
                    value = round(value.total_seconds() / 60, 1)
                cells.append("" if value is None else value)
            download.writerow([row.label, *cells])
    return download.response
