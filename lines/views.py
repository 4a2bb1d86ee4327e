"""The library of approved lines: the list, writing and editing a line, approving its wording,
retiring it, and its history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis.converters import whole_number
from crisis.editing import create_once, versioned_edit
from crisis.history import entries_for
from crisis.lifecycle import TransitionRefused
from lines.forms import LineFilterForm, LineForm
from lines.models import ANY_CATEGORY, ApprovedLine, timezone_today

PER_PAGE = 50


def _get_line(pk):
    """Every signed-in user reads every line; writes are gated by permissions and the rules."""
    return get_object_or_404(
        ApprovedLine.objects.select_related("owner", "worded_by", "approved_by"), pk=pk
    )


@login_required
@require_safe
def line_list(request):
    filters = LineFilterForm(request.GET or None)
    lines = ApprovedLine.objects.current().select_related("owner", "approved_by")
    is_filtered = filters.is_valid() and any(filters.cleaned_data.values())
    if filters.is_valid():
        category = filters.cleaned_data["category"]
        if category == ANY_CATEGORY:
            lines = lines.filter(category=ANY_CATEGORY)
        elif category:
            lines = lines.in_category(category)
        lines = lines.search(filters.cleaned_data["q"])
    page = Paginator(lines, PER_PAGE).get_page(whole_number(request.GET.get("page", "")) or 1)
    today = timezone_today()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "is_filtered": is_filtered,
        "page": page,
        "rows": [(line, line.is_past_review(today)) for line in page],
        # The filters, for the pages' links.
        "query": query.urlencode(),
    }
    return render(request, "lines/line_list.html", context)


@login_required
@permission_required("lines.add_approvedline", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def line_create(request):
    form = LineForm(request.POST or None, initial={"owner": request.user})
    return create_once(
        request,
        form,
        create=lambda **fields: ApprovedLine.draft(by=request.user, **fields),
        done="Line saved. A manager other than you approves its wording.",
        template="lines/line_form.html",
        context={"line": None},
    )


@login_required
@permission_required("lines.change_approvedline", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def line_edit(request, pk):
    line = _get_line(pk)
    refusal = line.edit_refusal(request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("lines:list")
    was_approved = line.is_approved
    form = LineForm(request.POST or None, instance=line)

    def saved():
        if was_approved and not line.is_approved:
            messages.warning(
                request, "Saved. The wording changed, so a manager must approve it again."
            )
        else:
            messages.success(request, "Line saved.")
        return redirect(line)

    context = {
        "line": line,
        "can_approve": not line.approval_refusal(request.user),
        "can_retire": not line.retire_refusal(request.user),
        "past_review": line.is_past_review(),
    }
    return versioned_edit(
        request,
        form,
        template="lines/line_form.html",
        context=context,
        save=form.instance.save_wording,
        saved=saved,
        refused_to="lines:list",
        stale_noun="line",
    )


def _act(request, pk, verb, done):
    line = _get_line(pk)
    try:
        getattr(line, verb)(by=request.user, version=whole_number(request.POST.get("version", "")))
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect(line if not line.is_retired else "lines:list")


@login_required
@permission_required("lines.approve_approvedline", raise_exception=True)
@require_POST
def line_approve(request, pk):
    return _act(request, pk, "approve", "Wording approved: drafting now offers this line.")


@login_required
@permission_required("lines.change_approvedline", raise_exception=True)
@require_POST
def line_retire(request, pk):
    return _act(request, pk, "retire", "Line retired: it is no longer offered.")


@login_required
@require_safe
def line_history(request, pk):
    line = _get_line(pk)
    entries = entries_for(ApprovedLine, line.history.select_related("history_user"))
    context = {"subject": line, "line": line, "entries": list(reversed(entries))}
    return render(request, "lines/line_history.html", context)
