"""The statement pages: drafting, the page a reviewer reads, the workflow buttons and the
publication links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis import panels, timekeeper
from crisis.converters import whole_number
from crisis.editing import versioned_edit
from crisis.forms import AlreadySaved
from crisis.history import entries_for
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident, Platform
from responses import posting
from responses.forms import (
    DecisionForm,
    PublicationLinkForm,
    PublishForm,
    StatementForm,
    WithdrawForm,
)
from responses.lengths import LENGTH_LIMITS
from responses.models import Publication, Statement
from responses.public import public_page_url


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
        "aids": _aids(request, incident, form),
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


def _aids(request, incident, form):
    """What other apps offer beside the body (approved lines), as HTML (crisis.panels)."""
    return panels.render_form_aids("statement", request, incident, form["body"])


def _limits():
    return [(code, Platform(code).label, limit) for code, limit in LENGTH_LIMITS.items() if limit]


def _chain(statement):
    """The latest review round as the page shows it: each stage with who decides it, what was
    decided when, its clock, and its backups once it is past its time. None before the first
    submission. Three queries (the round, its stages, their backups)."""
    review_round = statement.latest_round()
    if review_round is None:
        return None
    now = timekeeper.now()
    stages = list(review_round.stages.all())
    return {
        "round": review_round,
        "count": len(stages),
        "stages": [
            {
                "stage": stage,
                "clock": stage.clock(now) if stage.started_at else None,
                "is_current": review_round.is_open and stage.is_current,
                "is_escalated": stage.is_escalated(now),
                "backups": list(stage.backups.all()),
            }
            for stage in stages
        ],
    }


@login_required
@require_safe
def statement_detail(request, pk):
    return _render_detail(request, _get_statement(request, pk))


def _render_detail(request, statement, *, publish_form=None, status=200):
    yours = statement.last_approved_version_by(request.user)
    versions = statement.versions(whole_number(request.GET.get("version", "")), yours=yours)
    contributors = statement.writers()
    context = {
        "chain": _chain(statement),
        "current_stage": statement.current_stage(),
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
        "public_url": public_page_url(statement.incident)
        if statement.incident.is_public_page_open
        else None,
        "can_manage_public_page": request.user.has_perm("incidents.manage_public_page"),
        "posts": posting.posts_of(statement),
        "can_retry_posts": request.user.has_perm("responses.publish_statement"),
        # What other apps show of this statement (its variants for other audiences).
        "panels": panels.render_panels(panels.statement_panels, request, statement),
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
        "can_submit": statement.may_move(request.user, "submit"),
        "aids": _aids(request, statement.incident, form),
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


# Who decides is the current stage of the statement's approval chain (its group, its backups),
# not a role: the model's review_refusal refuses everyone else, with a message.
@login_required
@require_POST
def statement_approve(request, pk):
    return _decide(request, pk, "approve", "Approved. It can now be published.")


@login_required
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
            stage=form.cleaned_data["stage"],
        )
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        following = statement.current_stage()
        if following is not None:
            # Approved at a stage that is not the chain's last: the next one decides now.
            success = f"Approved. It now waits for the stage “{following.name}”."
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
@permission_required("responses.publish_statement", raise_exception=True)
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
            stage=decision.cleaned_data["stage"],
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
