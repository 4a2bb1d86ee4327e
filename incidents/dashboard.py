"""The dashboard's open incidents at a glance: how many of each severity and the most urgent."""

from typing import NamedTuple

from django.db.models import Count, Q

from incidents.models import Incident


class SeverityGroup(NamedTuple):
    severity: Incident.Severity
    incidents: list  # the most urgent of this severity, as many as the dashboard shows
    count: int  # every open incident of this severity


def open_by_severity(*, urgent):
    """The open incidents at a glance, in two indexed queries however many are open: how many
    of each severity (and how many still without a public word), and the most urgent
    ``urgent`` with their clocks, grouped by severity, most severe first."""
    counts = {
        row["severity"]: row
        for row in Incident.objects.open()
        .order_by()
        .values("severity")
        .annotate(
            count=Count("pk"), waiting=Count("pk", filter=Q(first_acknowledged_at__isnull=True))
        )
    }
    shown = list(Incident.objects.open().for_lists().with_clocks().open_desk_order()[:urgent])
    groups = [
        SeverityGroup(
            severity,
            [i for i in shown if i.severity == severity],
            counts[severity]["count"],
        )
        for severity in Incident.Severity
        if severity in counts
    ]
    totals = {
        "open_count": sum(row["count"] for row in counts.values()),
        "waiting_count": sum(row["waiting"] for row in counts.values()),
        "shown_count": len(shown),
    }
    return groups, totals
