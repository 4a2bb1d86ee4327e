from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis import panels
from crisis.converters import whole_number
from crisis.exports import CsvDownload
from crisis.forms import AlreadySaved
from crisis.history import entries_for
from crisis.lifecycle import REASON_MAX_LENGTH, StaleEdit, TransitionRefused
from crisis.roles import ACT_ON_MENTIONS
from incidents import triage
from incidents.filters import IncidentFilter
from incidents.forms import AffectedPartyForm, IncidentForm, MoveForm
from incidents.mention_views import offer_link_after_terms_change
from incidents.models import AffectedParty, Incident

PAGE_SIZE = 25
# The incident page shows the newest entries of its timeline; the timeline page shows them all.
TIMELINE_PREVIEW = 30
TIMELINE_PAGE_SIZE = 100


def _get_incident(request, reference):
    """Every signed-in user may read every incident; writes are gated by permissions."""
    return get_object_or_404(
        Incident.objects.select_related("lead", "declared_by").with_clocks(), reference=reference
    )


def _get_party(request, reference, pk):
    return get_object_or_404(
        AffectedParty.objects.select_related("incident"), incident__reference=reference, pk=pk
    )


def _open_by_severity():
    """The open incidents with their clocks (one query), grouped by severity, most severe first."""
    incidents = list(
        Incident.objects.open().for_lists().with_clocks().order_by("severity", "detected_at")
    )
    by_severity = []
    for severity in Incident.Severity:
        rows = [i for i in incidents if i.severity == severity]
        if rows:
            by_severity.append((severity, rows))
    return incidents, by_severity


@login_required
@require_safe
def dashboard(request):
    incidents, by_severity = _open_by_severity()
    recent = list(
        Incident.objects.exclude(status__in=Incident.OPEN_STATUSES)
        .for_lists()
        .order_by("-declared_at")[:5]
    )
    context = {
        "by_severity": by_severity,
        "refresh_seconds": settings.CLOCK_REFRESH_SECONDS,
        "open_count": len(incidents),
        "unacknowledged": [i for i in incidents if i.first_acknowledged_at is None],
        "recent": recent,
        # Each app's boxes (statements waiting for my approval, …): see crisis.panels.
        "panels": panels.render_panels(panels.dashboard_panels, request),
    }
    return render(request, "incidents/dashboard.html", context)


@login_required
@require_safe
@never_cache
def dashboard_clocks(request):
    """The dashboard's open incidents with their clocks, as a fragment that the dashboard's
    script swaps in each minute (static/js/dashboard-clocks.js)."""
    _incidents, by_severity = _open_by_severity()
    context = {"by_severity": by_severity, "refresh_seconds": settings.CLOCK_REFRESH_SECONDS}
    return render(request, "incidents/_dashboard_open.html", context)


def _filtered(request):
    """The list's and the export's filters from the query string. Without a tab chosen (or with
    an unknown one) they show the open incidents: the list opens on the work at hand."""
    data = request.GET.copy()
    if data.get("show") not in ("open", "all"):
        data["show"] = "open"
    return IncidentFilter(data, queryset=Incident.objects.for_lists())


@login_required
@require_safe
def incident_list(request):
    filterset = _filtered(request)
    page = Paginator(filterset.qs.with_clocks().desk_order(), PAGE_SIZE).get_page(
        whole_number(request.GET.get("page"))
    )
    query = filterset.data.copy()
    query.pop("page", None)
    tabs = {}
    for show in ("open", "all"):
        query["show"] = show
        tabs[show] = query.urlencode()
    query["show"] = filterset.data["show"]
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "show": query["show"],
        "tabs": tabs,
        "is_filtered": any(v for k, v in query.items() if k != "show"),
        # The open tab narrows the list unless a status was chosen (see IncidentFilter.show).
        "only_open": query["show"] == "open" and not filterset.form.cleaned_data.get("status"),
        # Only asked when the page is empty, to tell "none open" from "none at all".
        "has_incidents": page.paginator.count > 0 or Incident.objects.exists(),
    }
    return render(request, "incidents/incident_list.html", context)


@login_required
@require_safe
def incident_export(request):
    filterset = _filtered(request)
    download = CsvDownload("incidents")
    download.writerow(
        [
            "Reference",
            "Title",
            "Public title",
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
    for i in filterset.qs.desk_order():
        download.writerow(
            [
                i.reference,
                i.title,
                i.public_title,
                i.get_status_display(),
                i.severity,
                i.get_category_display(),
                ", ".join(i.platform_labels),
                (i.lead.get_full_name() or i.lead.get_username()) if i.lead else "",
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
    return download.response


@login_required
@permission_required("incidents.add_incident", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def incident_create(request):
    if request.method == "POST":
        form = IncidentForm(request.POST, declared_by=request.user)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.edited_fields()}
            notes = []

            def declare():
                incident = Incident.declare(by=request.user, **fields)
                # Other apps' part of the declaration (a plan template), in its transaction.
                notes.extend(panels.after_declare(incident, form.cleaned_data, request.user))
                return incident

            try:
                incident = form.save_once(by=request.user, create=declare)
            except AlreadySaved as saved:
                messages.info(request, str(saved))
                return redirect(saved.url)
            except TransitionRefused as refused:
                form.add_error(None, f"Nothing was declared: {refused}")
            else:
                messages.success(
                    request, f"Incident {incident.reference} declared. Now gather the facts."
                )
                for note in notes:
                    messages.success(request, note)
                return redirect(incident)
    else:
        initial = {"lead": request.user, "detected_at": timezone.now()}
        if request.GET.get("from_mentions") and request.user.has_perm(ACT_ON_MENTIONS):
            # Declared from a selection of the inbox: its title, platforms and terms to start.
            ids = triage.selected_ids(request.GET["from_mentions"].split(","))
            initial.update(triage.declare_prefill(ids))
        form = IncidentForm(initial=initial, declared_by=request.user)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": None})


@login_required
@require_safe
def incident_detail(request, reference):
    incident = _get_incident(request, reference)
    # One more than shown, to know whether the full timeline holds more.
    timeline = panels.timeline(request, incident, limit=TIMELINE_PREVIEW + 1)
    moves = incident.button_moves(request.user)
    context = {
        "incident": incident,
        # Plain moves share one optional note; cancel and reopen each ask for theirs.
        "moves": [m for m in moves if m[0] not in Incident.NOTE_REQUIRED],
        "noted_moves": [m for m in moves if m[0] in Incident.NOTE_REQUIRED],
        "note_max_length": REASON_MAX_LENGTH,
        "can_edit": request.user.has_perm("incidents.change_incident") and incident.is_editable,
        # Each app's panels (statements, affected parties, the public page…): see crisis.panels.
        "panels": panels.render_panels(panels.incident_panels, request, incident),
        "timeline": list(reversed(timeline))[:TIMELINE_PREVIEW],
        "timeline_has_more": len(timeline) > TIMELINE_PREVIEW,
    }
    return render(request, "incidents/incident_detail.html", context)


@login_required
@require_safe
def incident_timeline(request, reference):
    """Everything that happened to the incident, newest first, filtered by kind (``?kind=``,
    repeated); an unknown kind is ignored with a message."""
    incident = _get_incident(request, reference)
    asked = request.GET.getlist("kind")
    chosen = [kind for kind in panels.timeline_kinds if kind in asked]
    unknown = sorted({kind for kind in asked if kind not in panels.timeline_kinds})
    if unknown:
        shown = ", ".join(f"“{kind[:40]}”" for kind in unknown[:5])
        messages.warning(request, f"Not a kind of entry, so ignored: {shown}.")
    entries = panels.timeline(request, incident, kinds=set(chosen) if chosen else None)
    page = Paginator(list(reversed(entries)), TIMELINE_PAGE_SIZE).get_page(
        whole_number(request.GET.get("page"))
    )
    query = QueryDict(mutable=True)
    query.setlist("kind", chosen)
    context = {
        "incident": incident,
        "kinds": [(kind, label, kind in chosen) for kind, label in panels.timeline_kinds.items()],
        "is_filtered": bool(chosen),
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "incidents/incident_timeline.html", context)


@login_required
@permission_required("incidents.change_incident", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def incident_edit(request, reference):
    incident = _get_incident(request, reference)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    current = None
    if request.method == "POST":
        form = IncidentForm(request.POST, instance=incident)
        old_terms = incident.tracking_terms
        if form.is_valid():
            try:
                form.instance.save_edit(
                    by=request.user,
                    expected_version=form.cleaned_data["version"],
                    fields=form.edited_fields(),
                )
            except StaleEdit as stale:
                current = stale.current
                messages.error(request, form.stale_message(current))
            except TransitionRefused as refused:
                messages.error(request, str(refused))
                return redirect(incident)
            else:
                messages.success(request, "Incident updated.")
                offer_link_after_terms_change(request, form.instance, old_terms)
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
    if not form.is_valid():
        # The only field is the note: say what is wrong with it rather than dropping it.
        messages.error(request, f"Nothing moved: {' '.join(form.errors['reason'])}")
        return redirect(incident)
    try:
        incident.move(action, by=request.user, reason=form.cleaned_data["reason"])
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{incident.reference} is now {incident.get_status_display()}.")
    return redirect(incident)


@login_required
@require_safe
def incident_history(request, reference):
    incident = _get_incident(request, reference)
    entries = entries_for(Incident, incident.history.select_related("history_user"))
    context = {"incident": incident, "subject": incident, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)


@login_required
@permission_required("incidents.add_affectedparty", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def party_create(request, reference):
    incident = _get_incident(request, reference)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    form = AffectedPartyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        party = form.save(commit=False)
        party.incident = incident
        try:
            form.save_once(by=request.user, create=lambda: party.add(by=request.user))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(incident)
        messages.success(request, f"Added {party.get_kind_display().lower()}: {party.description}.")
        return redirect(incident.get_absolute_url() + "#parties")
    context = {"form": form, "incident": incident, "party": None}
    return render(request, "incidents/affectedparty_form.html", context)


@login_required
@permission_required("incidents.change_affectedparty", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def party_edit(request, reference, pk):
    party = _get_party(request, reference, pk)
    incident = party.incident
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
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
            messages.error(request, form.stale_message(current))
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(incident)
        else:
            messages.success(request, "Affected party updated.")
            return redirect(incident.get_absolute_url() + "#parties")
    context = {"form": form, "incident": incident, "party": party, "current": current}
    return render(request, "incidents/affectedparty_form.html", context)


@login_required
@require_safe
def party_history(request, reference, pk):
    party = _get_party(request, reference, pk)
    entries = entries_for(AffectedParty, party.history.select_related("history_user"))
    context = {"incident": party.incident, "subject": party, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)
