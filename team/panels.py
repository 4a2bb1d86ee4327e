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
    """Each call-out (who called whom) and each answer, newest first. Two queries: the answers
    of the newest ``limit`` call-outs (which name the people called), and the newest ``limit``
    answers given (an answer to an older call can be newer than a later call)."""
    callouts = CallOut.objects.filter(incident=incident).order_by("-called_at", "-pk")
    answered = (
        Answer.objects.filter(callout__incident=incident, answered_at__isnull=False)
        .select_related("person")
        .order_by("-answered_at", "-pk")
    )
    if limit is not None:
        callouts, answered = callouts[:limit], answered[:limit]
    called = (
        Answer.objects.filter(callout__in=callouts.values("pk"))
        .select_related("callout__called_by", "person")
        .order_by("callout_id", "pk")
    )
    url = reverse("incidents:detail", args=[incident.reference]) + "#roll-call"
    names = {}
    for answer in called:
        names.setdefault(answer.callout_id, [answer.callout, []])[1].append(
            display_user(answer.person)
        )
    entries = [
        Entry(
            at=answer.answered_at,
            by=answer.person,
            reason=f"Answered the call-out: {answer.get_reply_display()}",
            subject="Roll call",
            kind="callout",
            url=url,
        )
        for answer in answered
    ]
    for callout, people in names.values():
        detail = ", ".join(people)
        if callout.message:
            detail += f" · “{callout.message}”"
        entries.append(
            Entry(
                at=callout.called_at,
                by=callout.called_by,
                reason=f"Team called: {len(people)} {'person' if len(people) == 1 else 'people'}",
                action="created",
                subject="Roll call",
                kind="callout",
                detail=detail,
                url=url,
            )
        )
    return entries
