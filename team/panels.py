"""The roll call on the incident page, and call-outs and answers on its timeline."""

from django.urls import reverse

from crisis.history import Entry, display_user
from crisis.panels import Panel
from team.models import Answer, CallOut, may_call

# A call-out shows its last few calls' answers on the page; older ones are in the timeline.
SHOWN_CALLOUTS = 1


def roll_call_panel(request, incident):
    """The latest call-out and each answer with its time, with the person's own buttons. One
    query (the answers of the latest call-out, with it and the people)."""
    latest = CallOut.objects.filter(incident=incident).order_by("-called_at", "-pk")[:1]
    answers = list(
        Answer.objects.filter(callout__in=latest)
        .select_related("callout__called_by", "person")
        .order_by("pk")
    )
    can_call = incident.is_editable and may_call(request.user, incident)
    if not answers and not can_call:
        return None
    callout = answers[0].callout if answers else None
    mine = next((a for a in answers if a.person_id == request.user.pk), None)
    return Panel(
        "team/_roll_call.html",
        {
            "incident": incident,
            "callout": callout,
            "answers": answers,
            "joining": sum(a.reply == Answer.Reply.JOINING for a in answers),
            "cannot": sum(a.reply == Answer.Reply.CANNOT for a in answers),
            "waiting": sum(a.is_waiting for a in answers),
            "mine": mine if incident.is_editable else None,
            "can_call": can_call,
        },
    )


def callout_entries(request, incident, *, limit=None):
    """Each call-out (who called how many) and each answer, newest first. One query: the
    answers of the incident's newest ``limit`` call-outs, with them and the people."""
    callouts = CallOut.objects.filter(incident=incident).order_by("-called_at", "-pk")
    if limit is not None:
        callouts = callouts[:limit]
    answers = (
        Answer.objects.filter(callout__in=callouts.values("pk"))
        .select_related("callout__called_by", "person")
        .order_by("callout_id", "pk")
    )
    url = reverse("incidents:detail", args=[incident.reference]) + "#roll-call"
    entries, called = [], {}
    for answer in answers:
        callout = answer.callout
        called.setdefault(callout.pk, [callout, []])[1].append(display_user(answer.person))
        if answer.answered_at is not None:
            entries.append(
                Entry(
                    at=answer.answered_at,
                    by=answer.person,
                    reason=f"Answered the call-out: {answer.get_reply_display()}",
                    subject="Roll call",
                    kind="callout",
                    url=url,
                )
            )
    for callout, names in called.values():
        detail = ", ".join(names)
        if callout.message:
            detail += f" · “{callout.message}”"
        entries.append(
            Entry(
                at=callout.called_at,
                by=callout.called_by,
                reason=f"Team called: {len(names)} {'person' if len(names) == 1 else 'people'}",
                action="created",
                subject="Roll call",
                kind="callout",
                detail=detail,
                url=url,
            )
        )
    return entries
