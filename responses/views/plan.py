"""The action plan: items added, edited, moved and reordered from the incident page, and plan
templates applied."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis.editing import versioned_edit
from crisis.forms import AlreadySaved
from crisis.history import entries_for
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses import plans
from responses.forms import (
    ActionItemForm,
    PlanApplyForm,
)
from responses.models import ActionItem


def _get_item(request, reference, pk):
    """Every signed-in user may read every item; writes are gated by permissions."""
    return get_object_or_404(
        ActionItem.objects.select_related("incident", "owner"),
        incident__reference=reference,
        pk=pk,
    )


@login_required
@permission_required("responses.add_actionitem", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def action_item_create(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    form = ActionItemForm(request.POST or None, incident=incident, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        try:
            form.save_once(by=request.user, create=lambda: item.add(by=request.user))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(incident)
        messages.success(request, f"Added to the action plan: {item.title}")
        return redirect(item)
    context = {"form": form, "incident": incident, "item": None}
    return render(request, "responses/actionitem_form.html", context)


@login_required
@permission_required("responses.change_actionitem", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def action_item_edit(request, reference, pk):
    item = _get_item(request, reference, pk)
    incident = item.incident
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    form = ActionItemForm(request.POST or None, instance=item, incident=incident)

    def saved():
        messages.success(request, "Action item updated.")
        return redirect(item)

    return versioned_edit(
        request,
        form,
        template="responses/actionitem_form.html",
        context={"incident": incident, "item": item},
        saved=saved,
        refused_to=incident,
    )


@login_required
@require_safe
def action_item_history(request, reference, pk):
    item = _get_item(request, reference, pk)
    entries = entries_for(ActionItem, item.history.select_related("history_user"))
    context = {"incident": item.incident, "subject": item, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)


ITEM_MOVE_MESSAGES = {
    "start": "Started: {title}",
    "complete": "Done: {title}",
    "drop": "Dropped: {title}",
    "reopen": "Reopened: {title}",
}


@login_required
@permission_required("responses.change_actionitem", raise_exception=True)
@require_POST
def action_item_move(request, reference, pk, action):
    item = _get_item(request, reference, pk)
    try:
        item.move(action, by=request.user, reason=request.POST.get("reason", ""))
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, ITEM_MOVE_MESSAGES[action].format(title=item.title))
    return redirect(item)


@login_required
@permission_required("responses.change_actionitem", raise_exception=True)
@require_POST
def action_item_up(request, reference, pk):
    return _reorder(request, reference, pk, "move_up")


@login_required
@permission_required("responses.change_actionitem", raise_exception=True)
@require_POST
def action_item_down(request, reference, pk):
    return _reorder(request, reference, pk, "move_down")


def _reorder(request, reference, pk, verb):
    item = _get_item(request, reference, pk)
    try:
        getattr(item, verb)(by=request.user)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    return redirect(item)


@login_required
@permission_required(plans.APPLY_PERMISSIONS, raise_exception=True)
@require_POST
def plan_apply(request, reference):
    """Apply a plan template from the incident page. A template applied before is applied again
    only after a confirmation (the page asks, and only ``confirm=1`` applies)."""
    incident = get_object_or_404(Incident, reference=reference)
    back = incident.get_absolute_url() + "#plan-templates"
    form = PlanApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Nothing was applied. {form.problem()}")
        return redirect(back)
    template = form.cleaned_data["template"]
    made = {}

    def apply():
        made["applied"] = plans.apply_template(
            template, incident, request.user, again=form.cleaned_data["confirm"]
        )
        return made["applied"].application

    try:
        form.save_once(by=request.user, create=apply)
    except AlreadySaved as saved:
        messages.info(request, str(saved))
        return redirect(saved.url)
    except plans.AlreadyApplied as already:
        # Nothing was saved, the one-time key included: the confirmation carries it on.
        context = {
            "incident": incident,
            "template": template,
            "question": str(already),
            "once_token": form.cleaned_data[form.ONCE_FIELD],
        }
        return render(request, "responses/plan_apply_confirm.html", context)
    except TransitionRefused as refused:
        messages.error(request, f"Nothing was applied. {refused}")
        return redirect(back)
    messages.success(request, made["applied"].summary())
    return redirect(back)
