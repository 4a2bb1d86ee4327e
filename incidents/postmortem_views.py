"""The post-mortem pages: written by Comms and Managers, submitted by a Manager to close the
incident, then read as a printable report or a Markdown file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from crisis import panels
from crisis.history import entries_for
from crisis.lifecycle import StaleEdit, TransitionRefused
from incidents import report
from incidents.forms import PostMortemForm
from incidents.models import Incident, PostMortem
from incidents.models.postmortem import CLOSE_PERMISSION, TEXT_FIELDS, CloseRefused
from incidents.panels import postmortem_of
from incidents.views import get_incident


def _postmortem_context(request, incident, form, postmortem, *, refusals, current=None):
    facts = getattr(form, "facts", None) or panels.facts_for(incident)
    return {
        "incident": incident,
        "form": form,
        "postmortem": postmortem,
        "refusals": refusals,
        "current": current,
        "moments": [f for f in facts if f.section == "moments"],
        "fact_sections": [
            (label, [f for f in facts if f.section == section])
            for section, label in panels.FACT_SECTIONS.items()
            if section != "moments" and any(f.section == section for f in facts)
        ],
        "can_close": request.user.has_perm(CLOSE_PERMISSION),
    }


@login_required
@permission_required("incidents.change_postmortem", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def postmortem_form(request, reference):
    """Write the post-mortem: save a draft, or (a manager) submit it to close the incident.
    Submitting refuses with every unmet condition listed, each linked to where to fix it."""
    incident = get_incident(request, reference)
    stored = postmortem_of(incident)
    if not incident.is_editable:
        messages.error(request, incident.frozen_notice())
        if stored is not None:
            return redirect("incidents:postmortem-report", incident.reference)
        return redirect(incident)
    instance = stored or PostMortem(incident=incident)
    refusals, current = [], None
    if request.method == "POST":
        form = PostMortemForm(request.POST, instance=instance)
        submitting = request.POST.get("action") == "submit"
        if form.is_valid():
            version = form.cleaned_data.get("version")
            try:
                if submitting:
                    form.instance.submit(by=request.user, expected_version=version)
                else:
                    form.instance.save_draft(by=request.user, expected_version=version)
            except CloseRefused as refused:
                refusals = refused.refusals
                count = len(refusals)
                messages.error(
                    request,
                    f"Not closed: {count} condition{'s' if count != 1 else ''} "
                    f"{'are' if count != 1 else 'is'} still unmet (listed above the form). "
                    "What you typed is still in the form.",
                )
            except StaleEdit as stale:
                current = stale.current
                messages.error(request, form.stale_message(current))
            except TransitionRefused as refused:
                messages.error(request, str(refused))
            else:
                if submitting:
                    messages.success(
                        request,
                        f"{incident.reference} is now Closed. Its post-mortem is on record.",
                    )
                    return redirect("incidents:postmortem-report", incident.reference)
                messages.success(request, "Post-mortem draft saved.")
                return redirect("incidents:postmortem", incident.reference)
    else:
        facts = panels.facts_for(incident)
        form = PostMortemForm(instance=instance, initial=instance.starting_text(facts))
        form.facts = facts
        # The fields still to write are the form itself; the page lists what else blocks.
        refusals = [r for r in instance.close_refusals(incident) if not r.field]
    context = _postmortem_context(
        request, incident, form, stored, refusals=refusals, current=current
    )
    return render(request, "incidents/postmortem_form.html", context)


def _report(request, incident, postmortem):
    """What the report page and its Markdown twin show (a fixed number of queries)."""
    facts = panels.facts_for(incident)
    return {
        "incident": incident,
        "postmortem": postmortem,
        "is_final": incident.status == Incident.Status.CLOSED and postmortem.is_complete,
        "fields": [
            (PostMortem._meta.get_field(name).verbose_name.capitalize(), getattr(postmortem, name))
            for name in TEXT_FIELDS
        ],
        "figures": [f for f in facts if f.section not in ("moments",) and f.value],
        "timeline": panels.timeline(request, incident),
        "sections": panels.sections_for(incident),
    }


def _postmortem_or_redirect(request, incident):
    postmortem = postmortem_of(incident)
    if postmortem is None:
        messages.info(request, f"{incident.reference} has no post-mortem yet.")
    return postmortem


@login_required
@require_safe
def postmortem_report(request, reference):
    """The printable report: the post-mortem, the timeline, what was published and the plan."""
    incident = get_incident(request, reference)
    postmortem = _postmortem_or_redirect(request, incident)
    if postmortem is None:
        return redirect(incident)
    return render(
        request, "incidents/postmortem_report.html", _report(request, incident, postmortem)
    )


@login_required
@require_safe
def postmortem_markdown(request, reference):
    """The report as a Markdown file, every person's words escaped (see incidents.report)."""
    incident = get_incident(request, reference)
    postmortem = _postmortem_or_redirect(request, incident)
    if postmortem is None:
        return redirect(incident)
    text = report.render(_report(request, incident, postmortem))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    filename = f"{incident.reference}-post-mortem.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def postmortem_history(request, reference):
    incident = get_incident(request, reference)
    postmortem = _postmortem_or_redirect(request, incident)
    if postmortem is None:
        return redirect(incident)
    entries = entries_for(PostMortem, postmortem.history.select_related("history_user"))
    context = {"incident": incident, "subject": postmortem, "entries": list(reversed(entries))}
    return render(request, "incidents/history.html", context)
