"""Reminders of journalists' deadlines, sent by ``send_reminders`` (responses.reminders, which
claims each once and puts its event in the outbox): to the inquiry's spokesperson (the incident's
lead while nobody is assigned) when the deadline is within half an hour, and again once it has
passed. The key names the inquiry and its deadline, so a new deadline gets reminders of its own;
nothing is sent about an inquiry answered or declined, or of a closed or cancelled incident."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone

from crisis import clocks
from crisis.mail import subject_line
from crisis.outbound import EventKind
from crisis.templatetags.crisis_tags import describe_duration
from press.models import MediaInquiry
from responses.reminders import Reminder


def deadline_reminders(now):
    """Open inquiries whose deadline is near or passed (one query)."""
    inquiries = (
        MediaInquiry.objects.open()
        .of_running_incidents()
        .filter(deadline__lte=now + clocks.INQUIRY_DUE_SOON)
        .select_related("incident__lead", "spokesperson")
        .by_deadline()
    )
    for inquiry in inquiries:
        stage = clocks.reminder_stage(inquiry.deadline, clocks.INQUIRY_DUE_SOON, now)
        if stage is None:
            continue
        incident = inquiry.incident
        if stage == clocks.REMINDER_OVERDUE:
            headline = f"Media deadline passed {describe_duration(now - inquiry.deadline)} ago"
        else:
            headline = f"Media deadline in {describe_duration(inquiry.deadline - now)}"
        person = inquiry.spokesperson or incident.lead
        role = "you are its spokesperson" if inquiry.spokesperson else "nobody is assigned yet"
        link = settings.SITE_URL + inquiry.get_absolute_url()
        deadline = timezone.localtime(inquiry.deadline).strftime("%d %b %Y, %H:%M %Z")
        body = (
            f"{headline}: {inquiry.journalist} ({inquiry.outlet}) asked about "
            f"{incident.reference} “{incident.title}” ({role}).\n\n"
            f"“{inquiry.question}”\n\nDeadline {deadline}. Answer with approved lines, or have "
            f"new wording approved by a manager, then mark it answered.\n\n{link}\n"
        )
        active = person is not None and person.is_active
        drill = "[Drill] " if incident.is_drill else ""
        stamp = inquiry.deadline.astimezone(UTC).isoformat()
        yield Reminder(
            f"inquiry-{stage}:mediainquiry:{inquiry.pk}:{stamp}",
            subject_line(f"{drill}[{incident.reference}] {headline}: {inquiry.outlet}"),
            body,
            (person.email,) if active and person.email else (),
            EventKind.INQUIRY_DUE,
            link,
            incident.severity,
            incident.is_drill,
            people=(person.pk,) if active else (),
        )
