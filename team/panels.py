"""The roll call on the incident page, and call-outs and answers on its timeline."""

from django.db.models import Q
from django.urls import reverse

from crisis import panels
from crisis.history import Entry, display_user
from crisis.panels import Panel
from team.models import Answer, CallOut, may_call

# A call-out shows its last few calls' answers on the page; older ones are in the timeline.
SHOWN_CALLOUTS = 1


def _answers(request, incident, limit=None, *, any_read=False):
    """The answers of the newest ``limit`` call-outs (which name the people called) and the
    newest ``limit`` answers given (an answer to an older call can be newer than a later call),
    with their call-outs, callers and people: one query, read once per request and shared by the
    roll call and the timeline (crisis.panels.shared). ``limit`` None reads them all;
    ``any_read`` takes whatever read this request already made (each holds the newest call-out's
    answers, as every call-out has at least one)."""
    reads = panels.shared(request, ("team.answers", incident.pk), dict)
    if any_read and reads:
        return next(iter(reads.values()))
    if limit not in reads:
        answers = Answer.objects.filter(callout__incident=incident)
        if limit is not None:
            newest = CallOut.objects.filter(incident=incident).order_by("-called_at", "-pk")
            answered = answers.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")
            answers = answers.filter(
                Q(callout__in=newest[:limit].values("pk")) | Q(pk__in=answered[:limit].values("pk"))
            )
        reads[limit] = list(
            answers.select_related("callout__called_by", "person").order_by("callout_id", "pk")
        )
    return reads[limit]


def _newest_callouts(answers, limit):
    """The call-outs of ``answers``, newest first, at most ``limit`` (None: all)."""
    callouts = {answer.callout_id: answer.callout for answer in answers}.values()
    return sorted(callouts, key=lambda c: (c.called_at, c.pk), reverse=True)[:limit]


def roll_call_panel(request, incident):
    """The latest call-out and each answer with its time, with the person's own buttons. No
    query of its own on the incident page (the timeline's read of the answers holds the latest
    call-out's); one alone."""
    read = _answers(request, incident, 1, any_read=True)
    latest = _newest_callouts(read, 1)
    answers = [a for a in read if latest and a.callout_id == latest[0].pk]
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
    """Each call-out (who called whom) and each answer, newest first: the newest ``limit`` of
    each, from one query shared with the roll call (:func:`_answers`)."""
    read = _answers(request, incident, limit)
    shown = {callout.pk for callout in _newest_callouts(read, limit)}
    answered = sorted(
        (a for a in read if a.answered_at is not None),
        key=lambda a: (a.answered_at, a.pk),
        reverse=True,
    )[:limit]
    called = [a for a in read if a.callout_id in shown]
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
