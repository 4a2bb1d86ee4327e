"""What the incidents app tells the outbound pipeline (crisis.outbound): an incident declared,
an import of mentions failed. Chat channels that want these hear of them; the person who
uploaded a failed import is mailed too."""

from django.conf import settings

from crisis.history import display_user as person
from crisis.mail import subject_line
from crisis.outbound import Event, EventKind, raise_event


def incident_declared(incident):
    """Raise "incident declared" for ``incident``; call it in the declaring transaction, so the
    deliveries are recorded with the incident or not at all."""
    drill = "[Drill] " if incident.is_drill else ""
    text = (
        f"{person(incident.declared_by)} declared {incident.reference} “{incident.title}”: "
        f"severity {incident.severity}, {incident.get_category_display().lower()}"
        + (f", on {', '.join(incident.platform_labels)}" if incident.platforms else "")
        + (f".\n\n{incident.summary}" if incident.summary else ".")
    )
    raise_event(
        Event(
            kind=EventKind.INCIDENT_DECLARED,
            key=f"incident:{incident.pk}",
            title=subject_line(f"{drill}[{incident.reference}] Declared: {incident.title}"),
            text=text,
            url=settings.SITE_URL + incident.get_absolute_url(),
            severity=incident.severity,
            is_drill=incident.is_drill,
        )
    )


def import_failed(mention_import):
    """Raise "import failed" for this attempt of ``mention_import``, mailed to its uploader.
    Queries the database."""
    uploader = mention_import.created_by
    address = uploader.email if uploader is not None and uploader.is_active else ""
    raise_event(
        Event(
            kind=EventKind.IMPORT_FAILED,
            key=f"import:{mention_import.pk}:attempt:{mention_import.attempt}",
            title=subject_line(f"Import failed: {mention_import.source_name}"),
            text=f"The import of mentions from {mention_import.source_name} failed: "
            f"{mention_import.failure}\n\nRetry it from its page once the cause is fixed.",
            url=settings.SITE_URL + mention_import.get_absolute_url(),
            recipients=(address,) if address else (),
        )
    )
