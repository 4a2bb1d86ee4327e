"""A core statement's variants: writing one, its page (with its diff to the core), editing,
approving, publishing and withdrawing it, its history, and its printed and Markdown forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audiences.forms import VariantForm
from audiences.models import Audience, Variant, VariantTaken
from crisis.converters import whole_number
from crisis.editing import create_once, versioned_edit
from crisis.history import entries_for
from crisis.lifecycle import TransitionRefused
from incidents.report import escape, escape_line
from responses.diff import has_changes, word_diff
from responses.models import Statement


def _get_variant(pk):
    """Every signed-in user reads every variant; writes are gated by permissions and rules."""
    return get_object_or_404(
        Variant.objects.select_related(
            "core__incident", "audience", "author", "approved_by", "published_by"
        ),
        pk=pk,
    )


@login_required
@permission_required("audiences.add_variant", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def variant_create(request, pk):
    core = get_object_or_404(Statement.objects.select_related("incident"), pk=pk)
    if not core.approval_holds:
        messages.error(request, "A variant is written from an approved core statement.")
        return redirect(core)
    if not core.incident.is_editable:
        messages.error(request, core.incident.frozen_notice())
        return redirect(core)
    initial = {"body": core.body, "audience": Audience.objects.filter(is_active=True).first()}
    form = VariantForm(request.POST or None, initial=initial, core=core)
    return create_once(
        request,
        form,
        create=lambda **fields: Variant.draft(core=core, by=request.user, **fields),
        done="Variant saved. Someone other than you approves it.",
        template="audiences/variant_form.html",
        context={"core": core, "incident": core.incident, "variant": None},
        refusal_fields={VariantTaken: "language"},
    )


@login_required
@require_safe
def variant_detail(request, pk):
    variant = _get_variant(pk)
    writers = variant.writers()
    approval_refusal = variant.approval_refusal(request.user, writers)
    diff = word_diff(variant.core.body, variant.body)
    context = {
        "variant": variant,
        "core": variant.core,
        "incident": variant.core.incident,
        "stale_reason": variant.stale_reason(),
        "diff": diff,
        "differs": has_changes(diff),
        "can_edit": variant.may_edit(request.user),
        "can_approve": not approval_refusal,
        # Why a manager who might expect to approve may not (the author, the rule).
        "approval_note": approval_refusal
        if request.user.has_perm("audiences.approve_variant")
        and variant.status in Variant.MOVES["approve"].sources
        else "",
        "can_publish": variant.may_move(request.user, "publish"),
        "publish_refusal": variant.publish_refusal(),
        "can_withdraw": variant.may_move(request.user, "withdraw"),
        "is_printed": variant.audience.way_out
        in (Audience.WayOut.PRESS_RELEASE, Audience.WayOut.LETTER),
        "is_press": variant.audience.way_out == Audience.WayOut.PRESS_RELEASE,
    }
    return render(request, "audiences/variant_detail.html", context)


@login_required
@permission_required("audiences.change_variant", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def variant_edit(request, pk):
    variant = _get_variant(pk)
    refusal = variant.edit_refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(variant)
    was_approved = variant.status == Variant.Status.APPROVED
    form = VariantForm(request.POST or None, instance=variant)

    def saved():
        if was_approved and variant.status == Variant.Status.DRAFT:
            messages.warning(request, "Saved. The wording changed, so it must be approved again.")
        else:
            messages.success(request, "Variant saved.")
        return redirect(variant)

    context = {"variant": variant, "core": variant.core, "incident": variant.core.incident}
    return versioned_edit(
        request,
        form,
        template="audiences/variant_form.html",
        context=context,
        save=form.instance.save_wording,
        saved=saved,
        refused_to=variant.get_absolute_url(),
        stale_noun="variant",
    )


def _act(request, pk, act, done):
    variant = _get_variant(pk)
    try:
        act(variant)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done(variant))
    return redirect(variant)


@login_required
@permission_required("audiences.approve_variant", raise_exception=True)
@require_POST
def variant_approve(request, pk):
    version = whole_number(request.POST.get("version", ""))
    return _act(
        request,
        pk,
        lambda v: v.approve(by=request.user, version=version),
        lambda v: "Variant approved: it may now go out.",
    )


PUBLISHED = {
    Audience.WayOut.PUBLIC_PAGE: "Published: the public page shows it to readers of its language.",
    Audience.WayOut.MAIL: "Published: the mail to the audience's list is on its way.",
    Audience.WayOut.PRESS_RELEASE: "Released: download or print the press release.",
    Audience.WayOut.LETTER: "Published: print the letter.",
}


@login_required
@permission_required("audiences.publish_variant", raise_exception=True)
@require_POST
def variant_publish(request, pk):
    return _act(
        request,
        pk,
        lambda v: v.publish(by=request.user),
        lambda v: PUBLISHED[v.audience.way_out],
    )


@login_required
@permission_required("audiences.change_variant", raise_exception=True)
@require_POST
def variant_withdraw(request, pk):
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        lambda v: v.withdraw(by=request.user, reason=reason),
        lambda v: "Variant withdrawn: it will not go out.",
    )


@login_required
@require_safe
def variant_history(request, pk):
    variant = _get_variant(pk)
    entries = entries_for(Variant, variant.history.select_related("history_user"))
    context = {
        "incident": variant.core.incident,
        "subject": variant,
        "variant": variant,
        "entries": list(reversed(entries)),
    }
    return render(request, "audiences/variant_history.html", context)


@login_required
@require_safe
def variant_print(request, pk):
    """The press release or letter as a page to print (any variant may be printed to read)."""
    variant = _get_variant(pk)
    incident = variant.core.incident
    heading = incident.public_heading(incident.public_title)
    context = {"variant": variant, "incident": incident, "heading": heading}
    return render(request, "audiences/variant_print.html", context)


@login_required
@require_safe
def variant_markdown(request, pk):
    """The variant as a Markdown file: every word of it escaped, so it reads as typed."""
    variant = _get_variant(pk)
    incident = variant.core.incident
    heading = incident.public_heading(incident.public_title)
    status = "" if variant.is_published else f"Status: {variant.get_status_display()}\n\n"
    when = variant.published_at.strftime("%d %B %Y") if variant.published_at else ""
    text = (
        f"# {escape_line(heading)}\n\n"
        f"{escape_line(variant.audience.name)} · {escape_line(variant.language_name)}"
        + (f" · {when}" if when else "")
        + "\n\n"
        + status
        + escape(variant.body)
        + "\n"
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    filename = f"{incident.reference}-{variant.audience.pk}-{variant.language}-{variant.pk}.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
