"""What the incidents app tells the outbound pipeline (crisis.outbound): an incident declared.
Chat channels that want it hear of it (an import that failed is monitoring.events)."""

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
