"""The media inquiries: the list of open ones across incidents, logging and editing one, its
answer (approved lines offered beside it), the approval of new wording, marking it answered or
declined, and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis import panels, timekeeper
from crisis.converters import whole_number
from crisis.editing import create_once, versioned_edit
from crisis.history import entries_for
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from press.forms import AnswerForm, DeclineForm, InquiryForm
from press.models import ADD_PERMISSION, APPROVE_PERMISSION, CHANGE_PERMISSION, MediaInquiry

PER_PAGE = 50


def _get_inquiry(pk):
    """Every signed-in user reads every inquiry; writes are gated by permissions and rules."""
    return get_object_or_404(
        MediaInquiry.objects.select_related(
            "incident",
            "spokesperson",
            "logged_by",
            "worded_by",
            "answer_approved_by",
            "answered_by",
            "declined_by",
        ),
        pk=pk,
    )


@login_required
@require_safe
def inquiry_list(request):
    """Open inquiries of running incidents, soonest deadline first (two queries: the count and
    the page)."""
    inquiries = (
        MediaInquiry.objects.open()
        .of_running_incidents()
        .select_related("incident", "spokesperson")
        .by_deadline()
    )
    page = Paginator(inquiries, PER_PAGE).get_page(whole_number(request.GET.get("page", "")) or 1)
    now = timekeeper.now()
    context = {"page": page, "rows": [(inquiry, inquiry.clock(now)) for inquiry in page]}
    return render(request, "press/inquiry_list.html", context)


@login_required
@permission_required(ADD_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_create(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    form = InquiryForm(
        request.POST or None, incident=incident, initial={"received_at": timekeeper.now()}
    )
    return create_once(
        request,
        form,
        create=lambda **fields: MediaInquiry.log(incident=incident, by=request.user, **fields),
        done="Media inquiry logged. Write the answer when it is ready.",
        template="press/inquiry_form.html",
        context={"incident": incident, "inquiry": None},
    )


@login_required
@require_safe
def inquiry_detail(request, pk):
    inquiry = _get_inquiry(pk)
    user = request.user
    lines = inquiry.offered_lines() if inquiry.is_open and inquiry.answer else []
    from_lines = inquiry.is_made_of_lines(lines)
    writers = inquiry.writers() if inquiry.is_open and inquiry.answer else set()
    context = {
        "inquiry": inquiry,
        "incident": inquiry.incident,
        "clock": inquiry.clock(),
        "from_lines": from_lines,
        "can_edit": not inquiry.edit_refusal(user),
        "can_approve": not inquiry.answer_approval_refusal(user, writers),
        "approval_note": inquiry.answer_approval_refusal(user, writers)
        if user.has_perm(APPROVE_PERMISSION)
        else "",
        "answered_refusal": inquiry.answered_refusal(user, from_lines),
        "can_decline": not inquiry.decline_refusal(user),
        "may_change": user.has_perm(CHANGE_PERMISSION),
        "decline_form": DeclineForm(auto_id="decline-%s"),
    }
    return render(request, "press/inquiry_detail.html", context)


@login_required
@permission_required(CHANGE_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_edit(request, pk):
    inquiry = _get_inquiry(pk)
    refusal = inquiry.edit_refusal(request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect(inquiry)
    form = InquiryForm(request.POST or None, instance=inquiry, incident=inquiry.incident)

    def saved():
        messages.success(request, "Inquiry saved.")
        return redirect(inquiry)

    return versioned_edit(
        request,
        form,
        template="press/inquiry_form.html",
        context={"incident": inquiry.incident, "inquiry": inquiry},
        save=form.instance.save_details,
        saved=saved,
        refused_to=inquiry,
        stale_noun="inquiry",
    )


@login_required
@permission_required(CHANGE_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_answer(request, pk):
    inquiry = _get_inquiry(pk)
    refusal = inquiry.edit_refusal(request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect(inquiry)
    was_approved = inquiry.is_answer_approved
    form = AnswerForm(request.POST or None, instance=inquiry)

    def saved():
        if was_approved and not inquiry.is_answer_approved:
            messages.warning(
                request, "Answer saved. The wording changed, so its approval was cleared."
            )
        else:
            messages.success(request, "Answer saved.")
        return redirect(inquiry)

    context = {
        "incident": inquiry.incident,
        "inquiry": inquiry,
        "aids": panels.render_form_aids("media_answer", request, inquiry.incident, form["answer"]),
    }
    return versioned_edit(
        request,
        form,
        template="press/answer_form.html",
        context=context,
        save=form.instance.save_answer,
        saved=saved,
        refused_to=inquiry,
        stale_noun="answer",
    )


def _act(request, pk, act, done):
    inquiry = _get_inquiry(pk)
    version = whole_number(request.POST.get("version", ""))
    try:
        act(inquiry, version)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(inquiry)


@login_required
@permission_required(APPROVE_PERMISSION, raise_exception=True)
@require_POST
def inquiry_approve(request, pk):
    return _act(
        request,
        pk,
        lambda inquiry, version: inquiry.approve_answer(by=request.user, version=version),
        "Answer approved: it may go to the journalist.",
    )


@login_required
@permission_required(CHANGE_PERMISSION, raise_exception=True)
@require_POST
def inquiry_answered(request, pk):
    return _act(
        request,
        pk,
        lambda inquiry, version: inquiry.mark_answered(by=request.user, version=version),
        "Marked answered.",
    )


@login_required
@permission_required(CHANGE_PERMISSION, raise_exception=True)
@require_POST
def inquiry_decline(request, pk):
    form = DeclineForm(request.POST)
    if not form.is_valid():
        inquiry = _get_inquiry(pk)
        for error in form.errors.get("reason", []):
            messages.error(request, error)
        return redirect(inquiry)
    reason = form.cleaned_data["reason"]
    return _act(
        request,
        pk,
        lambda inquiry, version: inquiry.decline(by=request.user, version=version, reason=reason),
        "Declined: the inquiry is closed.",
    )


@login_required
@require_safe
def inquiry_history(request, pk):
    inquiry = _get_inquiry(pk)
    entries = entries_for(MediaInquiry, inquiry.history.select_related("history_user"))
    context = {
        "incident": inquiry.incident,
        "subject": inquiry,
        "inquiry": inquiry,
        "entries": list(reversed(entries)),
    }
    return render(request, "press/inquiry_history.html", context)
