"""Rumours: an incident's list, logging and editing a rumour, its history, and the log of every
incident's rumours (with its CSV export)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from crisis.converters import whole_number
from crisis.editing import create_once, versioned_edit
from crisis.exports import CsvDownload
from crisis.history import entries_for
from incidents.models import Incident
from rumours.forms import RumourFilterForm, RumourForm
from rumours.models import ADD_PERMISSION, CHANGE_PERMISSION, Rumour

PER_PAGE = 50


def _get_rumour(pk):
    """Every signed-in user reads every rumour; writes are gated by permissions and the rules."""
    return get_object_or_404(
        Rumour.objects.select_related("incident", "owner", "response", "verified_by"), pk=pk
    )


def _rows(rumours):
    return rumours.select_related("incident", "owner", "response")


@login_required
@require_safe
def rumour_list(request, reference):
    """The incident's rumours, the riskiest first."""
    incident = get_object_or_404(Incident, reference=reference)
    rumours = _rows(Rumour.objects.filter(incident=incident)).riskiest_first()
    page = Paginator(rumours, PER_PAGE).get_page(whole_number(request.GET.get("page", "")) or 1)
    context = {
        "incident": incident,
        "page": page,
        "can_log": incident.may_edit(request.user, ADD_PERMISSION),
    }
    return render(request, "rumours/rumour_list.html", context)


@login_required
@permission_required(ADD_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def rumour_create(request, reference):
    incident = get_object_or_404(Incident, reference=reference)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    # "Log as a rumour" from a mention: ?mention=<id> ticks it.
    mention = whole_number(request.GET.get("mention", ""))
    initial = {"owner": request.user, "mentions": [mention] if mention else []}
    form = RumourForm(request.POST or None, initial=initial, incident=incident)

    def log(**fields):
        mentions = list(form.cleaned_data["mentions"])
        return Rumour.log(incident=incident, by=request.user, mentions=mentions, **fields)

    return create_once(
        request,
        form,
        create=log,
        done="Rumour logged.",
        template="rumours/rumour_form.html",
        context={"incident": incident, "rumour": None},
    )


@login_required
@permission_required(CHANGE_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def rumour_edit(request, pk):
    rumour = _get_rumour(pk)
    incident = rumour.incident
    if not rumour.may_edit(request.user):
        messages.error(request, incident.frozen_notice())
        return redirect(reverse("rumours:list", args=[incident.reference]))
    form = RumourForm(request.POST or None, instance=rumour, incident=incident)

    def save(*, by, expected_version, fields):
        return rumour.save_changes(
            by=by,
            expected_version=expected_version,
            fields=fields,
            mentions=list(form.cleaned_data["mentions"]),
        )

    def saved():
        messages.success(request, "Rumour saved.")
        refusal = rumour.public_refusal()
        if rumour.is_public and refusal:
            messages.info(request, f"Not on the public page yet: {refusal}")
        return redirect(rumour)

    context = {"incident": incident, "rumour": rumour, "public_refusal": rumour.public_refusal()}
    return versioned_edit(
        request,
        form,
        template="rumours/rumour_form.html",
        context=context,
        save=save,
        saved=saved,
        refused_to=reverse("rumours:list", args=[incident.reference]),
        stale_noun="rumour",
    )


@login_required
@require_safe
def rumour_history(request, pk):
    rumour = _get_rumour(pk)
    entries = entries_for(Rumour, rumour.history.select_related("history_user"))
    context = {
        "subject": rumour,
        "rumour": rumour,
        "incident": rumour.incident,
        "entries": list(reversed(entries)),
    }
    return render(request, "rumours/rumour_history.html", context)


def _filtered(request):
    """The log's filters and the rumours they keep (every incident's, the newest first)."""
    filters = RumourFilterForm(request.GET or None)
    rumours = _rows(Rumour.objects.all()).order_by("-first_seen_at", "-pk")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["verification"]:
            rumours = rumours.filter(verification=data["verification"])
        if data["risk"]:
            rumours = rumours.filter(risk=data["risk"])
        for word in data["q"].split():
            rumours = rumours.filter(Q(claim__icontains=word) | Q(correction__icontains=word))
    return filters, rumours


@login_required
@require_safe
def rumour_log(request):
    """Every incident's rumours: what is claimed, found, answered, across the desk."""
    filters, rumours = _filtered(request)
    page = Paginator(rumours, PER_PAGE).get_page(whole_number(request.GET.get("page", "")) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "is_filtered": filters.is_valid() and any(filters.cleaned_data.values()),
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "rumours/rumour_log.html", context)


EXPORT_HEADER = [
    "Incident",
    "Claim",
    "First seen",
    "Reach",
    "Risk",
    "Verification",
    "Correction",
    "Response",
    "Response status",
    "Owner",
    "Shown on the public page",
]


@login_required
@require_safe
def rumour_log_export(request):
    """The log as filtered, as CSV (every cell disarmed against spreadsheet formulas)."""
    _filters, rumours = _filtered(request)
    download = CsvDownload("rumours")

    def rows():
        for rumour in rumours.iterator(chunk_size=500):
            yield [
                rumour.incident.reference,
                rumour.claim,
                rumour.first_seen_at.isoformat(),
                rumour.reach,
                rumour.get_risk_display(),
                rumour.get_verification_display(),
                rumour.correction,
                str(rumour.response.pk) if rumour.response else "",
                rumour.response.get_status_display() if rumour.response else "",
                rumour.owner.get_full_name() or rumour.owner.get_username(),
                "yes" if rumour.is_shown_publicly else "no",
            ]

    return download.stream(EXPORT_HEADER, rows())
