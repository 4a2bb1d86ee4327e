"""The incidents' CSV export: its columns, what it reads of each incident (plain values, no model
instances: 100,000 rows) and how a row is written."""

from incidents.models import Incident

# The labels by stored value: the export writes 100,000 rows of plain values, not model instances.
STATUS_LABELS = dict(Incident.Status.choices)
CATEGORY_LABELS = dict(Incident.Category.choices)

EXPORT_COLUMNS = [
    "Reference",
    "Title",
    "Public title",
    "Status",
    "Severity",
    "Category",
    "Platforms",
    "Lead",
    "Drill",
    "Detected",
    "Declared",
    "First public acknowledgement",
    "Resolved",
    "Closed",
]


# What the export reads of each incident: plain values, no model instances (100,000 rows).
EXPORT_FIELDS = [
    "reference",
    "title",
    "public_title",
    "status",
    "severity",
    "category",
    "platforms",
    "lead__first_name",
    "lead__last_name",
    "lead__username",
    "is_drill",
    "detected_at",
    "declared_at",
    "first_acknowledged_at",
    "resolved_at",
    "closed_at",
]


def export_row(values):
    """One incident's CSV row from its EXPORT_FIELDS values."""
    reference, title, public_title, status, severity, category, platforms = values[:7]
    first_name, last_name, username, is_drill = values[7:11]
    # As User.get_full_name(), else the username; no lead, no name.
    lead = "" if username is None else f"{first_name} {last_name}".strip() or username
    return [
        reference,
        title,
        public_title,
        STATUS_LABELS.get(status, status),
        severity,
        CATEGORY_LABELS.get(category, category),
        ", ".join(Incident._meta.get_field("platforms").labels(platforms)),
        lead,
        "yes" if is_drill else "no",
        *[t.isoformat() if t else "" for t in values[11:]],
    ]
