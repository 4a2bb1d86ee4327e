from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis.converters import whole_number
from crisis.editing import versioned_edit
from crisis.forms import AlreadySaved
from crisis.history import entries_for
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident, Platform
from responses import plans, public
from responses.forms import (
    ActionItemForm,
    DecisionForm,
    InternalUpdateForm,
    PlanApplyForm,
    PublicationLinkForm,
    PublicUpdateForm,
    PublishForm,
    StatementForm,
    UpdatePublishForm,
    WithdrawForm,
)
from responses.lengths import LENGTH_LIMITS
from responses.models import ActionItem, ProgressUpdate, Publication, Statement


def _get_statement(request, pk):
    """Every signed-in user may read every statement; writes are gated by permissions."""
    return get_object_or_404(
        Statement.objects.select_related(
            "incident", "author", "approved_by", "published_by", "withdrawn_by"
        ),
        pk=pk,
    )


def _posted_version(request):
    return whole_number(request.POST.get("version", ""))


@login_required
@permission_required("responses.add_statement", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def statement_create(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    form = StatementForm(request.POST or None, incident=incident)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.edited_fields()}
        try:
            statement = form.save_once(
                by=request.user,
                create=lambda: Statement.draft(incident=incident, by=request.user, **fields),
            )
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(incident)
        if _wants_submit(request):
            _submit_after_save(request, statement, saved="Draft saved")
        else:
            messages.success(request, "Draft saved. Submit it for approval when it is ready.")
        return redirect(statement)
    context = {
        "form": form,
        "incident": incident,
        "statement": None,
        "limits": _limits(),
        "can_submit": request.user.has_perm(Statement.MOVES["submit"].permission),
    }
    return render(request, "responses/statement_form.html", context)


def _wants_submit(request):
    """Whether the form was sent with **Save and submit for review**."""
    return request.POST.get("then") == "submit"


def _submit_after_save(request, statement, *, saved):
    """Submit what was just saved, as the form's second button asks. A refusal keeps the save
    and says why it was not submitted."""
    try:
        statement.submit(by=request.user, version=statement.version)
    except TransitionRefused as refused:
        messages.warning(request, f"{saved}, but not submitted for approval: {refused}")
    else:
        messages.success(
            request, f"{saved} and submitted for approval. The managers have been told by mail."
        )


def _limits():
    return [(code, Platform(code).label, limit) for code, limit in LENGTH_LIMITS.items() if limit]


@login_required
@require_safe
def statement_detail(request, pk):
    return _render_detail(request, _get_statement(request, pk))


def _render_detail(request, statement, *, publish_form=None, status=200):
    versions = statement.versions(whole_number(request.GET.get("version", "")))
    contributors = statement.writers()
    context = {
        "statement": statement,
        "incident": statement.incident,
        "moves": dict(statement.allowed_moves(request.user, contributors)),
        "can_approve_and_publish": statement.may_approve_and_publish(request.user, contributors),
        "next_step": statement.next_step(request.user, contributors),
        "can_edit": statement.may_edit(request.user),
        "can_set_links": statement.incident.may_edit(request.user, "responses.change_statement"),
        "length_check": statement.length_check(),
        "reviews": list(statement.reviews.select_related("reviewer")),
        "publications": [
            (p, PublicationLinkForm(instance=p, auto_id=f"link-{p.pk}-%s"))
            for p in statement.publications.all()
        ],
        "decision_form": DecisionForm(auto_id="review-%s"),
        "withdraw_form": WithdrawForm(auto_id="withdraw-%s"),
        "publish_form": publish_form or PublishForm(statement=statement),
        "versions": versions.newest_first,
        "selected": versions.selected,
        "comparisons": versions.comparisons(),
        "public_url": statement.incident.get_public_url()
        if statement.incident.is_public_page_open
        else None,
        "can_manage_public_page": request.user.has_perm("incidents.manage_public_page"),
    }
    return render(request, "responses/statement_detail.html", context, status=status)


@login_required
@permission_required("responses.change_statement", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def statement_edit(request, pk):
    statement = _get_statement(request, pk)
    refusal = statement.edit_refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(statement)
    status_before = statement.status
    form = StatementForm(request.POST or None, instance=statement, incident=statement.incident)

    def saved():
        if _wants_submit(request):
            _submit_after_save(request, statement, saved="Saved")
        elif statement.status == Statement.Status.DRAFT and status_before != statement.status:
            messages.warning(
                request,
                "Saved. The wording changed, so the statement is back in Draft: "
                "submit it for approval again.",
            )
        else:
            messages.success(request, "Statement saved.")
        return redirect(statement)

    context = {
        "incident": statement.incident,
        "statement": statement,
        "limits": _limits(),
        # Offered on a draft; a statement in review or approved is submitted again after an
        # edit of its wording sends it back to Draft.
        "can_submit": request.user.has_perm(Statement.MOVES["submit"].permission)
        and statement.status in Statement.MOVES["submit"].sources,
    }
    return versioned_edit(
        request,
        form,
        template="responses/statement_form.html",
        context=context,
        save=form.instance.save_wording,
        saved=saved,
        refused_to=statement,
    )


@login_required
@require_safe
def statement_history(request, pk):
    statement = _get_statement(request, pk)
    entries = entries_for(Statement, statement.history.select_related("history_user"))
    context = {
        "incident": statement.incident,
        "subject": statement,
        "entries": list(reversed(entries)),
    }
    return render(request, "incidents/history.html", context)


@login_required
@permission_required("responses.change_statement", raise_exception=True)
@require_POST
def statement_submit(request, pk):
    statement = _get_statement(request, pk)
    try:
        statement.submit(by=request.user, version=_posted_version(request))
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Submitted for approval. The managers have been told by mail.")
    return redirect(statement)


@login_required
@permission_required("responses.approve_statement", raise_exception=True)
@require_POST
def statement_approve(request, pk):
    return _decide(request, pk, "approve", "Approved. It can now be published.")


@login_required
@permission_required("responses.approve_statement", raise_exception=True)
@require_POST
def statement_request_changes(request, pk):
    return _decide(
        request, pk, "request_changes", "Changes requested. The statement is back in Draft."
    )


def _decide(request, pk, verb, success):
    """A reviewer's decision: ``verb`` is ``approve`` or ``request_changes``."""
    statement = _get_statement(request, pk)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise TransitionRefused("Reload the statement and try again: the form was incomplete.")
        getattr(statement, verb)(
            by=request.user,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data["version"],
        )
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, success)
    return redirect(statement)


@login_required
@permission_required("responses.publish_statement", raise_exception=True)
@require_POST
def statement_publish(request, pk):
    statement = _get_statement(request, pk)
    form = PublishForm(request.POST, statement=statement)
    if not form.is_valid():
        messages.error(request, "Some links are not web addresses; nothing was published.")
        return _render_detail(request, statement, publish_form=form, status=400)
    is_first_word = statement.incident.first_acknowledged_at is None
    try:
        statement.publish(by=request.user, links=form.links())
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _published_text(request, statement, "Published", is_first_word))
    return redirect(statement)


def _published_text(request, statement, done, is_first_word):
    text = f"{done} to {', '.join(statement.platform_labels)}. Add links as posts go up."
    incident = statement.incident
    if (
        is_first_word
        and not incident.is_public_page_open
        and request.user.has_perm("incidents.manage_public_page")
    ):
        # The first public word is the moment to give the audience one place to follow.
        text += (
            " This is the incident’s first public word: open its public page so the "
            "audience can follow every update in one place."
        )
    return text


@login_required
@permission_required(
    ["responses.approve_statement", "responses.publish_statement"], raise_exception=True
)
@require_POST
def statement_approve_publish(request, pk):
    """Approve the wording read and publish it in one step, for a manager who may do both."""
    statement = _get_statement(request, pk)
    decision = DecisionForm(request.POST)
    publish_form = PublishForm(request.POST, statement=statement)
    if not publish_form.is_valid():
        messages.error(
            request, "Some links are not web addresses; nothing was approved or published."
        )
        return _render_detail(request, statement, publish_form=publish_form, status=400)
    is_first_word = statement.incident.first_acknowledged_at is None
    try:
        if not decision.is_valid():
            raise TransitionRefused("Reload the statement and try again: the form was incomplete.")
        statement.approve_and_publish(
            by=request.user,
            comment=decision.cleaned_data["comment"],
            version=decision.cleaned_data["version"],
            links=publish_form.links(),
        )
    except TransitionRefused as refused:
        messages.error(request, f"Nothing was approved or published: {refused}")
    else:
        messages.success(
            request, _published_text(request, statement, "Approved and published", is_first_word)
        )
    return redirect(statement)


@login_required
@permission_required("responses.change_statement", raise_exception=True)
@require_POST
def statement_withdraw(request, pk):
    statement = _get_statement(request, pk)
    try:
        statement.withdraw(by=request.user, reason=request.POST.get("reason", ""))
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Withdrawn. It will not be published.")
    return redirect(statement)


@login_required
@permission_required("responses.change_statement", raise_exception=True)
@require_POST
def publication_link(request, pk, publication_pk):
    publication = get_object_or_404(
        Publication.objects.select_related("statement"), pk=publication_pk, statement_id=pk
    )
    form = PublicationLinkForm(request.POST, instance=publication)
    if form.is_valid():
        try:
            publication.set_link(form.cleaned_data["url"], by=request.user)
        except TransitionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, f"Link on {publication.get_platform_display()} saved.")
    else:
        errors = "; ".join(form.errors.get("url", ["Enter a web address."]))
        messages.error(request, f"Link on {publication.get_platform_display()} not saved: {errors}")
    return redirect(publication.statement.get_absolute_url() + "#publications")


@login_required
@permission_required("incidents.manage_public_page", raise_exception=True)
@require_POST
def public_page_open(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    try:
        incident.open_public_page(by=request.user)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, "The public page is open. Anyone with its link can read it, signed in or not."
        )
    return redirect(_back_to(request, incident.get_absolute_url() + "#public-page"))


def _back_to(request, default):
    """The page a form came from (``next``), if it is one of ours; else ``default``."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


@login_required
@permission_required("incidents.manage_public_page", raise_exception=True)
@require_POST
def public_page_close(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    try:
        incident.close_public_page(by=request.user)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The public page is closed. Its link now answers “not found”.")
    return redirect(incident.get_absolute_url() + "#public-page")


@require_safe
# Anyone may keep a copy for a minute: it spares the app a rush of readers during a crisis, and
# a page taken down or a new statement shows everywhere within that minute.
@cache_control(public=True, max_age=60)
def public_page(request, token):
    """The audience's page: no sign-in, nothing internal, 404 unless a manager opened it."""
    incident = get_object_or_404(Incident, public_token=token, is_public_page_open=True)
    statements = list(incident.statements.published().prefetch_related("publications"))
    rows = public.public_rows(statements)
    updates = public.public_updates(incident)
    status, status_text = public.public_status(incident)
    context = {
        "company_name": settings.COMPANY_NAME,
        "title": incident.shown_public_title,
        "status": status,
        "status_text": status_text,
        "statements": statements,
        "rows": rows,
        "action_items": public.public_action_items(incident),
        "updates": updates,
        "last_updated": public.last_updated(statements, updates),
    }
    return render(request, "responses/public_page.html", context)


def page_not_found(request, exception=None):
    """The site's 404 handler: under the public pages' address the answer is a plain page that
    names neither the tool nor the company's internals; elsewhere it is the usual one."""
    public_prefix = reverse("responses:public-page", args=["-"]).removesuffix("-/")
    if request.path.startswith(public_prefix):
        context = {"company_name": settings.COMPANY_NAME}
        return render(request, "responses/public_not_found.html", context, status=404)
    return defaults.page_not_found(request, exception)


# The action plan: items are added, edited, moved and reordered from the incident page.


def _get_item(request, reference, pk):
    """Every signed-in user may read every item; writes are gated by permissions."""
    return get_object_or_404(
        ActionItem.objects.select_related("incident", "owner"),
        incident__reference=reference,
        pk=pk,
    )


def _plan_url(incident):
    return incident.get_absolute_url() + "#action-plan"


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


# Progress updates: posted to the team's log, or drafted for the audience and published by a
# manager who wrote none of it. They live on the incident page (responses.panels.updates_panel);
# these views take its forms and buttons.


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
        context = {"update": update, "incident": update.incident, "form": form}
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
