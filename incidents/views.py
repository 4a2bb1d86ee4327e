import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crisis import panels
from crisis.history import entries_for
from incidents.filters import IncidentFilter
from incidents.forms import AffectedPartyForm, IncidentForm, MoveForm
from incidents.models import AffectedParty, Incident, StaleEdit, TransitionRefused

PAGE_SIZE = 25


def _get_incident(request, reference):
    """Every signed-in user may read every incident; writes are gated by permissions."""
    return get_object_or_404(
        Incident.objects.select_related("lead", "declared_by"), reference=reference
    )


def _get_party(request, reference, pk):
    return get_object_or_404(
        AffectedParty.objects.select_related("incident"), incident__reference=reference, pk=pk
    )


def _stale_message(request, form, current, noun):
    form.catch_up_with(current)
    messages.error(
        request,
        f"Someone else saved this {noun} after you opened it. Their version is shown beside "
        "the form; your changes are still in the form. Review both: saving again replaces "
        "their version with yours.",
    )


@login_required
@require_GET
def dashboard(request):
    incidents = list(Incident.objects.open().for_lists().order_by("severity", "detected_at"))
    by_severity = []
    for severity in Incident.Severity:
        rows = [i for i in incidents if i.severity == severity]
        if rows:
            by_severity.append((severity, rows))
    recent = list(
        Incident.objects.exclude(status__in=Incident.OPEN_STATUSES)
        .for_lists()
        .order_by("-declared_at")[:5]
    )
    context = {
        "by_severity": by_severity,
        "open_count": len(incidents),
        "unacknowledged": [i for i in incidents if i.first_acknowledged_at is None],
        "recent": recent,
        # Each app's boxes (statements waiting for my approval, …): see crisis.panels.
        "panels": panels.render_panels(panels.dashboard_panels, request),
    }
    return render(request, "incidents/dashboard.html", context)


@login_required
@require_GET
def incident_list(request):
    filterset = IncidentFilter(request.GET or None, queryset=Incident.objects.for_lists())
    incidents = filterset.qs.order_by("-declared_at", "-pk")
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    return render(request, "incidents/incident_list.html", context)


@login_required
@require_GET
def incident_export(request):
    filterset = IncidentFilter(request.GET or None, queryset=Incident.objects.for_lists())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="incidents-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Reference",
            "Title",
            "Status",
            "Severity",
            "Category",
            "Platforms",
            "Lead",
            "Drill",
            "Detected",
            "Declared",
            "First public acknowledgement",
            "Resolved",
            "Closed",
        ]
    )
    for i in filterset.qs.order_by("-declared_at", "-pk"):
        writer.writerow(
            [
                i.reference,
                _csv_safe(i.title),
                i.get_status_display(),
                i.severity,
                i.get_category_display(),
                ", ".join(i.platform_labels),
                _csv_safe(i.lead.get_full_name() or i.lead.get_username()) if i.lead else "",
                "yes" if i.is_drill else "no",
                *[
                    t.isoformat() if t else ""
                    for t in (
                        i.detected_at,
                        i.declared_at,
                        i.first_acknowledged_at,
                        i.resolved_at,
                        i.closed_at,
                    )
                ],
            ]
        )
    return response


def _csv_safe(text):
    # A cell starting with = + - @ (or a tab or carriage return before one) runs as a formula in
    # a spreadsheet; quote it as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@permission_required("incidents.add_incident", raise_exception=True)
@require_http_methods(["GET", "POST"])
def incident_create(request):
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.edited_fields()}
            incident = Incident.declare(by=request.user, **fields)
            messages.success(
                request, f"Incident {incident.reference} declared. Now gather the facts."
            )
            return redirect(incident)
    else:
        form = IncidentForm(initial={"lead": request.user, "detected_at": timezone.now()})
    return render(request, "incidents/incident_form.html", {"form": form, "incident": None})


@login_required
@require_GET
def incident_detail(request, reference):
    incident = _get_incident(request, reference)
    timeline = panels.timeline(request, incident)
    context = {
        "incident": incident,
        "moves": incident.button_moves(request.user),
        "move_form": MoveForm(),
        "can_edit": request.user.has_perm("incidents.change_incident") and incident.is_editable,
        # Each app's panels (statements, affected parties, the public page…): see crisis.panels.
        "panels": panels.render_panels(panels.incident_panels, request, incident),
        "timeline": list(reversed(timeline))[:30],
        "timeline_total": len(timeline),
    }
    return render(request, "incidents/incident_detail.html", context)


@login_required
@permission_required("incidents.change_incident", raise_exception=True)
@require_http_methods(["GET", "POST"])
def incident_edit(request, reference):
    incident = _get_incident(request, reference)
    if not incident.is_editable:
        messages.error(request, f"A {incident.get_status_display().lower()} incident is frozen.")
        return redirect(incident)
    current = None
    if request.method == "POST":
        form = IncidentForm(request.POST, instance=incident)
        if form.is_valid():
            try:
                form.instance.save_edit(
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    fields=form.edited_fields(),
                )
            except StaleEdit as stale:
                current = stale.current
                _stale_message(request, form, current, "incident")
            except TransitionRefused as refused:
                messages.error(request, str(refused))
                return redirect(incident)
            else:
                messages.success(request, "Incident updated.")
                return redirect(incident)
    else:
        form = IncidentForm(instance=incident)
    context = {"form": form, "incident": incident, "current": current}
    return render(request, "incidents/incident_form.html", context)


@login_required
@permission_required("incidents.change_incident", raise_exception=True)
@require_POST
def incident_move(request, reference, action):
    incident = _get_incident(request, reference)
    form = MoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        incident.move(action, by=request.user, reason=reason)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{incident.reference} is now {incident.get_status_display()}.")
    return redirect(incident)


@login_required
@require_GET
def incident_history(request, reference):
    incident = _get_incident(request, reference)
    entries = entries_for(Incident, incident.history.select_related("history_user"))
    context = {"incident": incident, "subject": incident, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)


@login_required
@permission_required("incidents.add_affectedparty", raise_exception=True)
@require_http_methods(["GET", "POST"])
def party_create(request, reference):
    incident = _get_incident(request, reference)
    if not incident.is_editable:
        messages.error(request, "A closed incident is frozen.")
        return redirect(incident)
    form = AffectedPartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        party = form.save(commit=False)
        party.incident = incident
        try:
            party.add(by=request.user)
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(incident)
        messages.success(request, f"Added {party.get_kind_display().lower()}: {party.description}.")
        return redirect(incident.get_absolute_url() + "#parties")
    context = {"form": form, "incident": incident, "party": None}
    return render(request, "incidents/affectedparty_form.html", context)


@login_required
@permission_required("incidents.change_affectedparty", raise_exception=True)
@require_http_methods(["GET", "POST"])
def party_edit(request, reference, pk):
    party = _get_party(request, reference, pk)
    incident = party.incident
    if not incident.is_editable:
        messages.error(request, "A closed incident is frozen.")
        return redirect(incident)
    current = None
    form = AffectedPartyForm(request.POST or None, instance=party)
    if request.method == "POST" and form.is_valid():
        try:
            form.instance.save_edit(
                by=request.user,
                expected_version=form.cleaned_data["version"],
                fields=form.edited_fields(),
            )
        except StaleEdit as stale:
            current = stale.current
            _stale_message(request, form, current, "affected party")
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(incident)
        else:
            messages.success(request, "Affected party updated.")
            return redirect(incident.get_absolute_url() + "#parties")
    context = {"form": form, "incident": incident, "party": party, "current": current}
    return render(request, "incidents/affectedparty_form.html", context)


@login_required
@require_GET
def party_history(request, reference, pk):
    party = _get_party(request, reference, pk)
    entries = entries_for(AffectedParty, party.history.select_related("history_user"))
    context = {"incident": party.incident, "subject": party, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)
