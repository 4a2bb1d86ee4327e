"""Mentions for people: the inbox and its actions, an incident's mentions, the offer to link
the inbox's matches after the tracking terms change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from crisis.converters import whole_number
from crisis.lifecycle import TransitionRefused
from crisis.roles import ACT_ON_MENTIONS
from incidents.models import Incident
from monitoring import mentions, panels, triage
from monitoring.models import Mention
from monitoring.triage import OFFER_KEY


def _kept_query(text):
    """The inbox's filters from a form's hidden field, only the known ones, for the way back."""
    query = QueryDict(text or "", mutable=True)
    kept = QueryDict(mutable=True)
    for name in ("q", "platform", "sentiment", "period"):
        value = query.get(name)
        if value:
            kept[name] = value[:200]
    return kept.urlencode()


@login_required
@require_safe
def inbox(request):
    """The mentions no incident claims and nobody dismissed, newest first, filtered and paged
    by cursor (two queries: the page, and the open incidents to link to)."""
    form = triage.filter_form(request.GET)
    page = triage.keyset_page(form.filter(Mention.objects.inbox()), request.GET.get("after"))
    query = _kept_query(request.GET.urlencode())
    can_act = request.user.has_perm(ACT_ON_MENTIONS)
    context = {
        "form": form,
        "page": page,
        "query": query,
        "next_query": "&".join(filter(None, [query, f"after={page.next_cursor}"])),
        "can_act": can_act,
        "open_incidents": list(Incident.objects.open().order_by("severity", "detected_at"))
        if can_act
        else [],
        "max_selected": triage.MAX_SELECTED,
    }
    return render(request, "monitoring/mention_inbox.html", context)


@login_required
@permission_required(ACT_ON_MENTIONS, raise_exception=True)
@require_POST
def inbox_act(request):
    """Link the selected mentions to an open incident, dismiss them, or declare an incident from
    them. Each action only moves what is still in the inbox, so sending it twice does nothing
    more the second time."""
    back = reverse("monitoring:inbox")
    query = _kept_query(request.POST.get("query"))
    if query:
        back += "?" + query
    ids = triage.selected_ids(request.POST.getlist("mention"))
    action = request.POST.get("action")
    if not ids:
        messages.error(request, "Select at least one mention first.")
        return redirect(back)
    if action == "declare":
        return redirect(reverse("incidents:create") + "?from_mentions=" + ",".join(map(str, ids)))
    if action == "dismiss":
        count = mentions.dismiss_mentions(ids, by=request.user)
        if count:
            messages.success(request, f"{_mentions(count)} dismissed from the inbox.")
        else:
            messages.info(request, "Those mentions had already left the inbox.")
        return redirect(back)
    if action == "link":
        pk = whole_number(request.POST.get("incident") or "")
        incident = Incident.objects.open().filter(pk=pk).first() if pk else None
        if incident is None:
            messages.error(request, "Choose the open incident to link the mentions to.")
            return redirect(back)
        in_inbox = list(Mention.objects.inbox().filter(pk__in=ids).values_list("pk", flat=True))
        try:
            count = mentions.link_mentions(in_inbox, incident, by=request.user)
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(back)
        if count:
            messages.success(request, f"{_mentions(count)} linked to {incident.reference}.")
        else:
            messages.info(request, "Those mentions had already left the inbox.")
        return redirect(back)
    messages.error(request, "Choose what to do with the selected mentions.")
    return redirect(back)


def _mentions(count):
    return f"{count} mention{'s' if count != 1 else ''}"


def _get_incident(reference):
    return get_object_or_404(Incident.objects.select_related("lead"), reference=reference)


@login_required
@require_safe
def incident_mentions(request, reference):
    """Every mention linked to the incident, filtered, newest first, paged by cursor."""
    incident = _get_incident(reference)
    form = triage.filter_form(request.GET)
    page = triage.keyset_page(form.filter(incident.mentions.all()), request.GET.get("after"))
    query = _kept_query(request.GET.urlencode())
    context = {
        "incident": incident,
        "form": form,
        "page": page,
        "query": query,
        "next_query": "&".join(filter(None, [query, f"after={page.next_cursor}"])),
        "can_unlink": incident.may_edit(request.user, ACT_ON_MENTIONS),
    }
    return render(request, "monitoring/incident_mentions.html", context)


@login_required
@permission_required(ACT_ON_MENTIONS, raise_exception=True)
@require_POST
def incident_mentions_unlink(request, reference):
    """Send mentions linked by mistake back to the inbox (recorded, like every link)."""
    incident = _get_incident(reference)
    back = reverse("monitoring:mentions", args=[reference])
    query = _kept_query(request.POST.get("query"))
    if query:
        back += "?" + query
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        return redirect(back)
    ids = triage.selected_ids(request.POST.getlist("mention"))
    if not ids:
        messages.error(request, "Select at least one mention first.")
        return redirect(back)
    mine = list(incident.mentions.filter(pk__in=ids).values_list("pk", flat=True))
    count = mentions.unlink_mentions(mine, by=request.user) if mine else 0
    if count:
        messages.success(request, f"{_mentions(count)} sent back to the inbox.")
    else:
        messages.info(request, "Those mentions were no longer linked to this incident.")
    return redirect(back)


@login_required
@require_safe
@never_cache
def incident_mentions_panel(request, reference):
    """The incident page's mentions panel alone, which the page reads again every minute."""
    incident = _get_incident(reference)
    panel = panels.mentions_panel(request, incident)
    return render(request, panel.template, panel.context)


@login_required
@permission_required(ACT_ON_MENTIONS, raise_exception=True)
@require_POST
def incident_link_matching(request, reference):
    """The answer to "N mentions in the inbox match the new terms": link them, or not now."""
    incident = _get_incident(reference)
    offers = request.session.get(OFFER_KEY, [])
    if reference in offers:
        request.session[OFFER_KEY] = [r for r in offers if r != reference]
    if request.POST.get("decision") != "link":
        return redirect(incident.get_absolute_url() + "#mentions")
    try:
        count = mentions.link_matching(incident, by=request.user)
    except TransitionRefused as refused:
        messages.error(request, str(refused))
    else:
        if count:
            messages.success(request, f"{_mentions(count)} from the inbox linked.")
        else:
            messages.info(request, "No mention in the inbox matches the terms any more.")
    return redirect(incident.get_absolute_url() + "#mentions")


@login_required
@require_safe
@never_cache
def dashboard_spikes(request):
    """The dashboard's mention spikes alone, read again with the clocks."""
    panel = panels.spikes_panel(request)
    return render(request, panel.template, panel.context)
