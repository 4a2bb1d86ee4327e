"""Progress updates: posted to the team's log, or drafted for the audience and published by a
manager who wrote none of it. They live on the incident page (responses.panels.updates_panel);
these views take its forms and buttons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from crisis.editing import versioned_edit
from crisis.forms import AlreadySaved
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses import posting
from responses.forms import (
    InternalUpdateForm,
    PublicUpdateForm,
    UpdatePublishForm,
)
from responses.models import ProgressUpdate


def _get_update(request, reference, pk):
    """Every signed-in user may read every update; writes are gated by permissions."""
    return get_object_or_404(
        ProgressUpdate.objects.select_related("incident", "author", "published_by"),
        incident__reference=reference,
        pk=pk,
    )


def _updates_of(incident):
    return incident.get_absolute_url() + "#updates"


def _create_update(request, reference, form_class, *, create, success):
    """The shape both creating views share: the incident page's form posts here, and a refused
    one comes back as a page of its own, with the message by the field and the text kept."""
    incident = get_object_or_404(Incident, reference=reference)
    if not incident.is_editable:
        messages.error(request, "A closed or cancelled incident is frozen: no new updates.")
        return redirect(_updates_of(incident))
    is_public = form_class is PublicUpdateForm
    form = form_class(request.POST or None, **({"incident": incident} if is_public else {}))
    if request.method == "POST" and form.is_valid():
        try:
            update = form.save_once(by=request.user, create=lambda: create(incident, form))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except TransitionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, success)
            return redirect(update)
    context = {"form": form, "incident": incident, "update": None, "is_public": is_public}
    return render(request, "responses/update_form.html", context)


@login_required
@permission_required("responses.add_progressupdate", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def update_post_internal(request, reference):
    return _create_update(
        request,
        reference,
        InternalUpdateForm,
        create=lambda incident, form: ProgressUpdate.post_internal(
            incident=incident, by=request.user, body=form.cleaned_data["body"]
        ),
        success="Posted to the team's log.",
    )


@login_required
@permission_required("responses.add_progressupdate", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def update_draft_public(request, reference):
    return _create_update(
        request,
        reference,
        PublicUpdateForm,
        create=lambda incident, form: ProgressUpdate.draft_public(
            incident=incident,
            by=request.user,
            body=form.cleaned_data["body"],
            next_update_at=form.cleaned_data["next_update_at"],
            target_platforms=form.cleaned_data["target_platforms"],
        ),
        success="Public update drafted. The managers who may publish it have been told by mail.",
    )


@login_required
@permission_required("responses.change_progressupdate", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def update_edit(request, reference, pk):
    update = _get_update(request, reference, pk)
    incident = update.incident
    refusal = update.edit_refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(update)
    form = PublicUpdateForm(request.POST or None, instance=update, incident=incident)

    def saved():
        messages.success(request, "Public update saved.")
        return redirect(update)

    return versioned_edit(
        request,
        form,
        template="responses/update_form.html",
        context={"incident": incident, "update": update, "is_public": True},
        save=form.instance.save_draft,
        saved=saved,
        refused_to=update,
        stale_noun="update",
    )


@login_required
@permission_required("responses.publish_progressupdate", raise_exception=True)
@require_POST
def update_publish(request, reference, pk):
    update = _get_update(request, reference, pk)
    form = UpdatePublishForm(request.POST, auto_id=f"publish-{update.pk}-%s")
    if not form.is_valid():
        # The promise is the one thing typed here: show it by its field, as typed.
        context = {
            "update": update,
            "incident": update.incident,
            "form": form,
            "posting_hint": posting.posting_hint(
                update.target_platforms, posting.connected_accounts(), paste_link=False
            )
            if update.target_platforms
            else "",
        }
        return render(request, "responses/update_publish.html", context, status=400)
    try:
        update.publish(
            by=request.user,
            next_update_at=form.cleaned_data["next_update_at"],
            version=form.cleaned_data["version"],
        )
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Published. The audience sees it on the public page.")
    return redirect(update)


@login_required
@permission_required("responses.change_progressupdate", raise_exception=True)
@require_POST
def update_withdraw(request, reference, pk):
    update = _get_update(request, reference, pk)
    try:
        update.withdraw(by=request.user, reason=request.POST.get("reason", ""))
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Withdrawn. It will not be published.")
    return redirect(update)
