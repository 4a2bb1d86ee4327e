"""What media inquiries add to the incident page (a panel), its timeline and its post-mortem.

The panel and the timeline read the same rows, the incident's inquiries, once per request
(:func:`inquiries_of`): the incident page grows by one query. The timeline is told from the
stored moments of each inquiry (received, answer approved, answered, declined), so it needs no
history query; each inquiry's history page has the rest.
"""

from django.db.models.functions import Coalesce, Greatest

from crisis import clocks, panels, timekeeper
from crisis.history import Entry
from crisis.panels import Fact, Panel
from crisis.templatetags.crisis_tags import absolute_time, describe_duration
from press.models import ADD_PERMISSION, MediaInquiry

MOMENTS = ("answer_approved_at", "answered_at", "declined_at")

# The incident page reads the inquiries most recently active (received, approved, answered or
# declined), at most this many: its timeline's newest entries are theirs, and no read grows with
# an incident's whole record (issue 19). The incident's list has them all.
READ_AT_MOST = 100


def inquiries_of(request, incident):
    """The incident's most recently active inquiries (at most :data:`READ_AT_MOST`), soonest
    deadline first, read once per request (crisis.panels.shared; one query)."""

    def load():
        active_at = Greatest(
            "received_at",
            *(Coalesce(moment, "received_at") for moment in MOMENTS),
        )
        rows = list(
            MediaInquiry.objects.filter(incident=incident)
            .select_related(
                "spokesperson", "logged_by", "answered_by", "answer_approved_by", "declined_by"
            )
            .annotate(active_at=active_at)
            .order_by("-active_at", "-pk")[:READ_AT_MOST]
        )
        rows.sort(key=lambda inquiry: (inquiry.deadline, inquiry.pk))
        return rows

    return panels.shared(request, ("press.inquiries", incident.pk), load)


def inquiries_panel(request, incident):
    """The incident's inquiries, open ones first with their deadline's clock (one query,
    shared with the timeline). Nothing is shown when there is none and the person may not log
    one."""
    inquiries = inquiries_of(request, incident)
    can_add = incident.is_editable and request.user.has_perm(ADD_PERMISSION)
    if not inquiries and not can_add:
        return None
    now = timekeeper.now()
    rows = [(inquiry, inquiry.clock(now)) for inquiry in inquiries]
    return Panel(
        "press/_incident_inquiries.html",
        {
            "incident": incident,
            "open_rows": [row for row in rows if row[0].is_open],
            "closed_rows": [row for row in rows if not row[0].is_open],
            "can_add": can_add,
        },
    )


def inquiry_entries(request, incident, *, limit=None):
    """Each inquiry's moments: received, answer approved, answered, declined, newest first (the
    incident's inquiries, read once per request: no query when the panel read them)."""
    entries = []
    for inquiry in inquiries_of(request, incident):
        url = inquiry.get_absolute_url()
        subject = f"Media inquiry: {inquiry.outlet}"
        entries.append(
            Entry(
                at=inquiry.received_at,
                by=inquiry.logged_by,
                reason="Media inquiry received",
                action="created",
                subject=subject,
                detail=f"{inquiry.journalist} · deadline {absolute_time(inquiry.deadline)}",
                url=url,
            )
        )
        if inquiry.answer_approved_at:
            entries.append(
                Entry(
                    at=inquiry.answer_approved_at,
                    by=inquiry.answer_approved_by,
                    reason="Answer approved",
                    subject=subject,
                    url=url,
                )
            )
        if inquiry.answered_at:
            in_time = "before the deadline" if inquiry.answered_in_time else "after the deadline"
            entries.append(
                Entry(
                    at=inquiry.answered_at,
                    by=inquiry.answered_by,
                    reason=f"Answered {in_time}",
                    subject=subject,
                    url=url,
                )
            )
        if inquiry.declined_at:
            entries.append(
                Entry(
                    at=inquiry.declined_at,
                    by=inquiry.declined_by,
                    reason="Declined to answer",
                    subject=subject,
                    detail=inquiry.decline_reason,
                    url=url,
                )
            )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit] if limit is not None else entries


def inquiry_facts(incident):
    """Each inquiry: answered before its deadline or not (a moment and a line), and the count
    (one query)."""
    inquiries = list(MediaInquiry.objects.filter(incident=incident).order_by("received_at", "pk"))
    if not inquiries:
        return [Fact("press", "Media inquiries", "none")]
    answered = [i for i in inquiries if i.answered_at is not None]
    in_time = [i for i in answered if i.answered_in_time]
    facts = [
        Fact(
            "press",
            "Answered before the deadline",
            f"{len(in_time)} of {len(inquiries)}",
            field="went_well" if len(in_time) == len(inquiries) else "",
        )
    ]
    now = timekeeper.now()
    for inquiry in inquiries:
        label = f"{inquiry.outlet} ({inquiry.journalist})"
        field = ""
        if inquiry.answered_at is not None:
            facts.append(
                Fact("moments", f"Media inquiry answered: {inquiry.outlet}", at=inquiry.answered_at)
            )
            if inquiry.answered_in_time:
                value = "answered before the deadline"
            else:
                late = clocks.lateness(inquiry.answered_at, inquiry.deadline)
                value = f"answered after the deadline (by {describe_duration(late)})"
                field = "went_wrong"
        elif inquiry.status == MediaInquiry.Status.DECLINED:
            value = "declined" + (f": {inquiry.decline_reason}" if inquiry.decline_reason else "")
        else:
            value = "not answered"
            if inquiry.clock(now).is_overdue:
                value += ", deadline passed"
                field = "went_wrong"
        facts.append(Fact("press", label, value, field=field))
    return facts
