"""The reports page's charts and tables, made from its figures (responses.report_figures).

Horizontal bars, one group per table row, drawn by the shared chart fragment
(templates/_chart.html) with classes from static CSS, so the strict Content-Security-Policy
allows them (a charting library's SVG carries its own <style>, which the policy blocks). Each bar
is labelled with its value and the second series is hatched, so the chart reads without colour
and prints. No queries.
"""

from datetime import timedelta

from crisis.templatetags.crisis_tags import describe_duration

# Narrow enough that a phone shows the chart at about its own size: each row's label sits above
# its bars (not beside them), so at 360 px wide a 13 px label stays 12 px or more, and the
# longest one ("Misinformation or miscommunication", about 245 px) still fits.
CHART_WIDTH = 360
LABEL_HEIGHT = 18
VALUE_ROOM = 100
BAR_HEIGHT = 16
BAR_GAP = 4
ROW_GAP = 12


def format_value(value, unit):
    if value is None:
        return "—"
    if unit == "duration":
        return describe_duration(value)
    if unit == "share":
        return f"{value}%"
    return str(value)


def _magnitude(value):
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def _series(chart_id, index):
    """How the ``index``th series of a chart is drawn: ``(css class, pattern id or "")``; the
    first solid, the second hatched (the chart's own pattern, see :func:`chart`)."""
    if index % 2 == 0:
        return "chart-bar-solid", ""
    return "chart-bar-hatched", f"{chart_id}-hatch"


def chart(figure):
    """The geometry of ``figure``'s chart, as templates/_chart.html draws it."""
    chart_id = f"chart-{figure.key}"
    headings = dict(figure.columns)
    scale_max = max(
        (_magnitude(row.values[key]) for row in figure.rows for key in figure.bars), default=0
    )
    if figure.unit == "share":
        scale_max = 100
    room = CHART_WIDTH - VALUE_ROOM
    group_height = len(figure.bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    bars, texts, lines = [], [], []
    y = 0
    for row in figure.rows:
        texts.append(
            {
                "x": 0,
                "y": y + LABEL_HEIGHT - 5,
                "anchor": "",
                "css": "chart-value",
                "text": row.label,
            }
        )
        y += LABEL_HEIGHT
        lines.append(
            {"x1": 1, "y1": y - 2, "x2": 1, "y2": y + group_height + 2, "css": "chart-axis"}
        )
        for index, key in enumerate(figure.bars):
            value = row.values[key]
            width = round(room * _magnitude(value) / scale_max) if scale_max else 0
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            text = format_value(value, figure.unit)
            css, pattern = _series(chart_id, index)
            bars.append(
                {
                    "x": 1,
                    "y": bar_y,
                    "width": width,
                    "height": BAR_HEIGHT,
                    "css": css,
                    "pattern": pattern,
                    "title": f"{row.label}, {headings[key]}: {text}",
                }
            )
            texts.append(
                {
                    "x": width + 7,
                    "y": bar_y + BAR_HEIGHT - 4,
                    "anchor": "",
                    "css": "chart-value",
                    "text": text,
                }
            )
        y += group_height + ROW_GAP
    legend = []
    if len(figure.bars) > 1:
        for index, key in enumerate(figure.bars):
            css, pattern = _series(chart_id, index)
            legend.append({"label": headings[key], "css": css, "pattern": pattern})
    return {
        "id": chart_id,
        "css": "report-chart",
        "view_box": f"0 0 {CHART_WIDTH} {y}",
        "title": f"{figure.title}, as in the table",
        "patterns": [
            {
                "id": f"{chart_id}-hatch",
                "ground": "chart-hatch-ground",
                "mark": "line",
                "mark_css": "chart-hatch-line",
            }
        ]
        if len(figure.bars) > 1
        else [],
        "lines": lines,
        "bars": bars,
        "texts": texts,
        "legend": legend,
    }


def table(figure):
    """The figure's table: headings and each row's cells, formatted, each cell with its heading
    (a phone shows a wide table's rows one under the other, each value named). ``is_wide``:
    more columns than a phone's screen holds side by side."""
    return {
        "headings": [heading for _key, heading in figure.columns],
        "is_wide": len(figure.columns) > 2,
        "rows": [
            {
                "label": row.label,
                "url": row.url,
                "cells": [
                    {
                        "heading": heading,
                        "text": format_value(
                            row.values[key], figure.unit if key in figure.bars else "count"
                        ),
                    }
                    for key, heading in figure.columns
                ],
            }
            for row in figure.rows
        ],
    }
