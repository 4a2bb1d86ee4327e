import copy

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis import panels
from crisis.converters import whole_number
from crisis.editing import versioned_edit
from crisis.forms import AlreadySaved
from crisis.history import entries_for
from crisis.lifecycle import REASON_MAX_LENGTH, TransitionRefused
from crisis.pagination import SegmentPaginator
from incidents.dashboard import open_by_severity
from incidents.filters import IncidentFilter
from incidents.forms import AffectedPartyForm, IncidentForm, MoveForm
from incidents.models import AffectedParty, Incident

PAGE_SIZE = 25
# The list counts and pages through at most this many incidents ("more than 10,000"): beyond
# it, filters narrow the list (and the CSV export holds every one).
LIST_COUNT_CAP = 10_000
# The incident page shows the newest entries of its timeline; the timeline page shows them all.
TIMELINE_PREVIEW = 30
TIMELINE_PAGE_SIZE = 100


def get_incident(request, reference):
    """Every signed-in user may read every incident; writes are gated by permissions. Shared by
    the incident's pages (incidents.postmortem_views too)."""
    return get_object_or_404(
        Incident.objects.select_related(
            "lead", "declared_by", "postmortem", "postmortem__completed_by"
        ).with_clocks(),
        reference=reference,
    )


def _get_party(request, reference, pk):
    return get_object_or_404(
        AffectedParty.objects.select_related("incident"), incident__reference=reference, pk=pk
    )


# The dashboard lists this many open incidents, the most urgent; the list shows them all.
DASHBOARD_URGENT = 20


@login_required
@require_safe
def dashboard(request):
    by_severity, totals = open_by_severity(urgent=DASHBOARD_URGENT)
    recent = list(Incident.objects.for_lists().recently_ended()[:5])
    context = {
        "by_severity": by_severity,
        "refresh_seconds": settings.CLOCK_REFRESH_SECONDS,
        **totals,
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
    by_severity, totals = open_by_severity(urgent=DASHBOARD_URGENT)
    context = {
        "by_severity": by_severity,
        "refresh_seconds": settings.CLOCK_REFRESH_SECONDS,
        **totals,
    }
    return render(request, "incidents/_dashboard_open.html", context)


def filtered(request):
    """The list's and the export's filters from the query string. Without a tab chosen (or with
    an unknown one) they show the open incidents: the list opens on the work at hand."""
    data = request.GET.copy()
    if data.get("show") not in ("open", "all"):
        data["show"] = "open"
    return IncidentFilter(data, queryset=Incident.objects.for_lists())


def desk_segments(filterset, using=DEFAULT_DB_ALIAS):
    """The filtered incidents in desk order, as querysets an index reads in order: the open
    tab's are all open (one segment), "All incidents" are the open ones, then the rest. The
    open ones come first either way (read through the partial index incident_open_desk)."""
    incidents = filterset.qs.using(using).order_by()
    if filterset.form.cleaned_data.get("show") == "open" and not filterset.form.cleaned_data.get(
        "status"
    ):
        return [incidents.open_desk_order()]
    return incidents.desk_segments()


@login_required
@require_safe
def incident_list(request):
    filterset = filtered(request)
    segments = desk_segments(filterset)
    # Counted in their order: the open incidents (first) through their partial index, and with
    # a platform chosen every segment, through that platform's partial index.
    in_order = range(len(segments)) if filterset.form.cleaned_data.get("platform") else [0]
    paginator = SegmentPaginator(
        segments,
        PAGE_SIZE,
        load=lambda ids: Incident.objects.for_lists().with_clocks().filter(pk__in=ids).desk_order(),
        cap=LIST_COUNT_CAP,
        counted_in_order=in_order,
    )
    number = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if number == "last" else whole_number(number))
    filterset.mark_errors()
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
        # Shown on the button that opens the filters on a phone.
        "filter_count": sum(1 for k, values in query.lists() if k != "show" and any(values)),
        # The open tab narrows the list unless a status was chosen (see IncidentFilter.show).
        "only_open": query["show"] == "open" and not filterset.form.cleaned_data.get("status"),
        # Only asked when the page is empty, to tell "none open" from "none at all".
        "has_incidents": page.paginator.count > 0 or Incident.objects.exists(),
        "count_is_exact": paginator.count_is_exact,
    }
    return render(request, "incidents/incident_list.html", context)


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
        # What other apps fill in (a selection of mentions: its title, platforms and terms).
        initial.update(panels.declare_initial(request))
        form = IncidentForm(initial=initial, declared_by=request.user)
    return render(request, "incidents/incident_form.html", {"form": form, "incident": None})


@login_required
@require_safe
def incident_detail(request, reference):
    incident = get_incident(request, reference)
    # One more than shown, to know whether the full timeline holds more.
    timeline = panels.timeline(request, incident, limit=TIMELINE_PREVIEW + 1)
    moves = incident.button_moves(request.user)
    context = {
        "incident": incident,
        # Plain moves share one optional note; cancel and reopen each ask for theirs.
        "moves": [m for m in moves if m[0] not in Incident.NOTE_REQUIRED],
        "noted_moves": [m for m in moves if m[0] in Incident.NOTE_REQUIRED],
        "note_max_length": REASON_MAX_LENGTH,
        "can_edit": incident.may_edit(request.user),
        # After the first public word, Triage is over: offer the move at the top of the page.
        "offer_respond": incident.is_triage_after_public_word
        and any(action == "respond" for action, _move in moves),
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
    incident = get_incident(request, reference)
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
    incident = get_incident(request, reference)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(incident)
    before = copy.copy(incident)
    form = IncidentForm(request.POST if request.method == "POST" else None, instance=incident)

    def saved():
        messages.success(request, "Incident updated.")
        panels.after_edit(request, before, form.instance)
        return redirect(incident)

    return versioned_edit(
        request,
        form,
        template="incidents/incident_form.html",
        context={"incident": incident},
        saved=saved,
        refused_to=incident,
    )


@login_required
@permission_required("incidents.change_incident", raise_exception=True)
@require_POST
def incident_move(request, reference, action):
    incident = get_incident(request, reference)
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
    incident = get_incident(request, reference)
    entries = entries_for(Incident, incident.history.select_related("history_user"))
    context = {"incident": incident, "subject": incident, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)


@login_required
@permission_required("incidents.add_affectedparty", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def party_create(request, reference):
    incident = get_incident(request, reference)
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
    form = AffectedPartyForm(request.POST or None, instance=party)

    def saved():
        messages.success(request, "Affected party updated.")
        return redirect(incident.get_absolute_url() + "#parties")

    return versioned_edit(
        request,
        form,
        template="incidents/affectedparty_form.html",
        context={"incident": incident, "party": party},
        saved=saved,
        refused_to=incident,
    )


@login_required
@require_safe
def party_history(request, reference, pk):
    party = _get_party(request, reference, pk)
    entries = entries_for(AffectedParty, party.history.select_related("history_user"))
    context = {"incident": party.incident, "subject": party, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)
