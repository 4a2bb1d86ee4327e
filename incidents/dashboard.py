"""The dashboard's open incidents at a glance: how many of each severity and the most urgent."""

from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections

from incidents.models import Incident

# The dashboard counts the open incidents of each severity, and those without a public word, up
# to this many each: beyond it, "more than 1,000" (the list pages through them all). So that no
# count reads more index entries than this, however many are open.
COUNT_CAP = 1000


class SeverityGroup(NamedTuple):
    severity: Incident.Severity
    incidents: list  # the most urgent of this severity, as many as the dashboard shows
    count: int  # the open incidents of this severity, read up to COUNT_CAP + 1

    @property
    def count_is_exact(self):
        return self.count <= COUNT_CAP

    @property
    def count_shown(self):
        """The count to show, after "more than" when it is not exact."""
        return min(self.count, COUNT_CAP)


def capped_counts(querysets, *, cap, using=DEFAULT_DB_ALIAS):
    """How many rows each of ``querysets`` holds, up to ``cap + 1`` each, in one statement: each
    count reads at most ``cap + 1`` rows (through the index its filter names) and stops."""
    selects, params = [], []
    for n, queryset in enumerate(querysets):
        sql, part = (
            queryset.using(using).order_by().values("severity")[: cap + 1].query.sql_with_params()
        )
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) capped_{n})")
        params.extend(part)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        return list(cursor.fetchone())


def open_by_severity(*, urgent):
    """The open incidents at a glance, in two indexed queries however many are open: how many
    of each severity (and how many still without a public word), each count capped at
    COUNT_CAP, and the most urgent ``urgent`` with their clocks, grouped by severity, most
    severe first."""
    open_incidents = Incident.objects.open()
    *counts, waiting = capped_counts(
        [open_incidents.filter(severity=severity) for severity in Incident.Severity]
        # Through the partial index incident_open_waiting.
        + [open_incidents.filter(first_acknowledged_at__isnull=True)],
        cap=COUNT_CAP,
    )
    shown = list(open_incidents.for_lists().with_clocks().open_desk_order()[:urgent])
    groups = [
        SeverityGroup(severity, [i for i in shown if i.severity == severity], count)
        for severity, count in zip(Incident.Severity, counts, strict=True)
        if count
    ]
    totals = {
        # Beyond the cap of any severity, "more than" the sum of what is shown.
        "open_count": sum(group.count_shown for group in groups),
        "open_count_is_exact": all(group.count_is_exact for group in groups),
        "waiting_count": min(waiting, COUNT_CAP),
        "waiting_count_is_exact": waiting <= COUNT_CAP,
        "shown_count": len(shown),
    }
    return groups, totals
