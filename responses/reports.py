"""The reports page and its CSV: the period asked for, and the views.

It lives in ``responses`` rather than ``incidents`` because half its figures (public update
promises, action items) are this app's records, and ``incidents`` may not import ``responses``.
The figures are counted in responses.report_figures, drawn in responses.report_charts.

Four queries, however many incidents (see report_figures.build_report), plus the session, the
user and the user's permissions for the navigation bar.
"""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_safe

from crisis.exports import CsvDownload
from crisis.fields import DayField
from crisis.replica import reading_database
from responses import report_periods
from responses.report_charts import chart, table
from responses.report_figures import build_report, list_url


class ReportPeriodForm(forms.Form):
    start = DayField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = DayField(label="Until", widget=forms.DateInput(attrs={"type": "date"}))

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
        "incidents_url": list_url(start, end),
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
