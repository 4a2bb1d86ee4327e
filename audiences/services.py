"""What publishing a variant sends out of the desk: its audience's mail, through the outbox."""

from django.conf import settings

from crisis.outbound import Event, EventKind, raise_event


def send_out(variant):
    """Record the mail of a published variant to its audience's distribution list, in the
    publishing transaction (crisis.outbound: sent after the commit, retried, never twice). The
    other ways out are pages the team prints or downloads. Queries the database."""
    from audiences.models import Audience

    if variant.audience.way_out != Audience.WayOut.MAIL:
        return
    incident = variant.core.incident
    drill = "[Drill] " if incident.is_drill else ""
    title = f"{drill}{incident.public_heading(incident.public_title)}"
    raise_event(
        Event(
            kind=EventKind.VARIANT_MAILED,
            key=f"variant:{variant.pk}",
            title=title,
            text=variant.body + "\n",
            url=settings.SITE_URL + variant.get_absolute_url(),
            severity=incident.severity,
            is_drill=incident.is_drill,
            recipients=tuple(variant.audience.addresses()),
        )
    )
