"""The incident list's rows and an incident's badges, written in Python.

The list renders 25 rows on every request, and at a crisis many people open it at once. As a
Django template, with an include and five tags per row, a page of rows took 6 ms of CPU; written
here it takes under 1 ms (issue 12, `bench/run.py`). Same words and markup as a template would
write: every value from a record is escaped; the clock's and times' words come from the helpers
every page uses (crisis.templatetags.crisis_tags), so no rule is written twice.
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from crisis.templatetags.crisis_tags import person, when
from incidents.models import Incident
from incidents.templatetags.incident_tags import response_clock, severity_badge, status_badge

# The labels the list, the incident page's badges and the CSV export write.
STATUS_LABELS = dict(Incident.Status.choices)
CATEGORY_LABELS = dict(Incident.Category.choices)
# Any reference the URL pattern accepts: the page's path is reversed once per list, not per row.
_SAMPLE_REFERENCE = "CR-0000-000"


def detail_paths():
    """A function from a reference to its incident's path (under the site's prefix)."""
    before, after = reverse("incidents:detail", args=[_SAMPLE_REFERENCE]).split(_SAMPLE_REFERENCE)
    return lambda reference: f"{before}{escape(reference)}{after}"


def badges(incident):
    """Severity, status and, for a drill, a drill badge: the list's rows and the incident page
    (``{% incident_badges incident %}``) write them with this one function."""
    status = incident.status
    parts = [
        f'<span class="badge {severity_badge(incident.severity)}" title="Severity">'
        f"Sev {escape(incident.severity)}</span>\n"
        f'<span class="badge {status_badge(status)}">'
        f"{escape(STATUS_LABELS.get(status, status))}</span>\n"
    ]
    if incident.is_drill:
        parts.append('<span class="badge text-bg-light border">Drill</span>\n')
    return mark_safe("".join(parts))


def rows(incidents):
    """The table rows of incidents/incident_list.html, one per incident (listed with
    ``Incident.objects.for_lists().with_clocks()``: lead and clock read, no query per row)."""
    path_of = detail_paths()
    parts = []
    for incident in incidents:
        labels = incident.platform_labels
        platforms = (
            f'<div class="small text-body-secondary">{escape(", ".join(labels))}</div>'
            if labels
            else ""
        )
        category = incident.category
        parts.append(
            "<tr>\n"
            f'  <td class="text-nowrap"><a href="{path_of(incident.reference)}">'
            f"{escape(incident.reference)}</a></td>\n"
            f'  <td><span dir="auto">{escape(incident.title)}</span>{platforms}</td>\n'
            f'  <td>{badges(incident)}<div class="small">{response_clock(incident)}</div></td>\n'
            '  <td class="small d-none d-lg-table-cell">'
            f"{escape(CATEGORY_LABELS.get(category, category))}</td>\n"
            f'  <td class="small d-none d-md-table-cell">{escape(person(incident.lead))}</td>\n'
            f'  <td class="small d-none d-md-table-cell">{when(incident.detected_at)}</td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(parts))
