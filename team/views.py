from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from crisis.forms import AlreadySaved
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from team.forms import AnswerForm, CallForm
from team.models import Answer, CallOut, call_refusal


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def call_team(request, reference):
    """Call chosen people and groups to the incident (its lead or a manager)."""
    incident = get_object_or_404(Incident, reference=reference)
    refusal = call_refusal(request.user, incident)
    if refusal:
        if not incident.is_editable:
            messages.error(request, refusal)
            return redirect(incident)
        raise PermissionDenied(refusal)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            callout = form.save_once(
                by=request.user,
                create=lambda: CallOut.call(
                    incident=incident,
                    by=request.user,
                    people=data["people"],
                    groups=data["groups"],
                    message=data["message"],
                ),
            )
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except TransitionRefused as refused:
            form.add_error(None, str(refused))
        else:
            count = callout.answers.count()
            messages.success(
                request,
                f"Called {count} {'person' if count == 1 else 'people'}: their answers "
                "show in the roll call.",
            )
            return redirect(callout)
    return render(request, "team/call_form.html", {"form": form, "incident": incident})


@login_required
@require_POST
def answer(request, reference, pk):
    """The person called answers: Joining or Can't."""
    row = get_object_or_404(
        Answer.objects.select_related("callout__incident"),
        pk=pk,
        callout__incident__reference=reference,
    )
    if row.person_id != request.user.pk:
        raise Http404("No call-out of yours here.")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Answer Joining or Can't.")
        return redirect(row.callout)
    try:
        row = row.answer(by=request.user, reply=form.cleaned_data["reply"])
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"Answered: {row.get_reply_display()}.")
    return redirect(row.callout)
