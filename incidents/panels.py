"""What the incidents app contributes to the composed incident page (see crisis.panels)."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse

from crisis import clocks
from crisis.history import describe_changes, timeline_entries
from crisis.panels import Fact, Panel
from crisis.templatetags.crisis_tags import describe_duration
from incidents.models import AffectedParty, Incident, PostMortem
from incidents.models.postmortem import CLOSE_PERMISSION, WRITE_PERMISSION

# The timeline kinds of this app's entries, with their labels for the filter.
INCIDENT_KINDS = {
    "status": "Status",
    "incident": "Incident details",
    "public_page": "Public page",
    # The first public acknowledgement, written when a statement goes out: named by responses.
    "publication": None,
}
PARTY_KINDS = {"party": "Affected parties"}
POSTMORTEM_KINDS = {"postmortem": "Post-mortem"}


def postmortem_of(incident):
    """The incident's post-mortem, or None. No queries when the incident was loaded with
    ``select_related("postmortem")`` (as the incident page loads it)."""
    try:
        return incident.postmortem
    except PostMortem.DoesNotExist:
        return None


def postmortem_panel(request, incident):
    """Close with post-mortem on a resolved incident, and the post-mortem's state once there is
    one (no queries: the page loads it with the incident)."""
    postmortem = postmortem_of(incident)
    is_resolved = incident.status == Incident.Status.RESOLVED
    if postmortem is None and not is_resolved:
        return None
    return Panel(
        "incidents/_incident_postmortem.html",
        {
            "incident": incident,
            "postmortem": postmortem,
            "is_resolved": is_resolved,
            "can_write": incident.may_edit(request.user, WRITE_PERMISSION),
            "can_close": request.user.has_perm(CLOSE_PERMISSION),
        },
    )


def postmortem_entries(request, incident, *, limit=None):
    """The post-mortem's drafts, submissions and reviews (none without a post-mortem; else one
    query, two for the newest ``limit`` of a long history)."""
    if postmortem_of(incident) is None:
        return []
    # The report, which everyone signed in reads (the form is for those who write it, and only
    # until the incident closes).
    url = reverse("incidents:postmortem-report", args=[incident.reference])

    def describe(entry, record, before):
        entry.kind = "postmortem"
        entry.url = url

    records = PostMortem.history.filter(incident_id=incident.pk).select_related("history_user")
    return timeline_entries(
        PostMortem, records, limit=limit, subject=lambda r: "Post-mortem", describe=describe
    )


# What the post-mortem form knows of the incident (see crisis.panels.postmortem_facts).


def lifecycle_facts(incident):
    """Key moments (detected, declared, every status move, the first public acknowledgement)
    and the response's durations from crisis.clocks (one query: the incident's history)."""
    facts = [
        Fact("moments", "First signal detected", at=incident.detected_at),
    ]
    rows = incident.history.order_by("history_date", "history_id").values_list(
        "status", "history_date", "history_change_reason"
    )
    status_before = None
    for status, at, reason in rows:
        if status != status_before:
            label = reason if status_before is not None else "Declared"
            facts.append(Fact("moments", label or Incident.Status(status).label, at=at))
        status_before = status
    if incident.first_acknowledged_at:
        facts.append(
            Fact("moments", "First public acknowledgement", at=incident.first_acknowledged_at)
        )
    target = clocks.targets_of(incident).acknowledgement
    took = clocks.time_to_acknowledgement(incident)
    if took is None:
        facts.append(
            Fact(
                "figures",
                "Detection to first public acknowledgement",
                "never acknowledged publicly",
                field="went_wrong",
            )
        )
    else:
        within = clocks.acknowledged_within_target(incident)
        verdict = "within" if within else "later than"
        facts.append(
            Fact(
                "figures",
                "Detection to first public acknowledgement",
                f"{describe_duration(took)} ({verdict} the target of {describe_duration(target)})",
                field="went_well" if within else "went_wrong",
            )
        )
    resolution = clocks.time_to_resolution(incident)
    if resolution is not None:
        facts.append(Fact("figures", "Detection to resolution", describe_duration(resolution)))
    return facts


def party_facts(incident):
    """The affected parties by outreach status, and each one's impact for the impact field
    (one query)."""
    parties = list(incident.affected_parties.all())
    if not parties:
        return [Fact("parties", "Affected parties", "none recorded")]
    facts = []
    for status in AffectedParty.Outreach:
        these = [p for p in parties if p.outreach_status == status]
        if these:
            facts.append(Fact("parties", status.label, ", ".join(p.description for p in these)))
    for party in parties:
        count = f" (about {intcomma(party.estimated_count)})" if party.estimated_count else ""
        outreach = f"outreach: {party.get_outreach_status_display().lower()}"
        value = " · ".join(part for part in (party.description, party.impact, outreach) if part)
        facts.append(Fact("parties", f"{party.get_kind_display()}{count}", value, field="impact"))
    return facts


def parties_panel(request, incident):
    """The affected parties (one query)."""
    return Panel(
        "incidents/_incident_parties.html",
        {
            "incident": incident,
            "parties": list(incident.affected_parties.all()),
            "can_add_party": incident.may_edit(request.user, "incidents.add_affectedparty"),
        },
    )


def incident_entries(request, incident, *, limit=None):
    """The incident's own changes: declared, status moves, edits, its public page (two queries,
    three when only the newest ``limit`` are read from the middle of a long history)."""
    url = incident.get_absolute_url()

    def describe(entry, record, before):
        # A status move reads as its note ("Start responding: Facts gathered"); an edit as
        # what changed.
        entry.url = url
        if before is None or record.status != before.status:
            entry.kind = "status"
        elif record.is_public_page_open != before.is_public_page_open:
            entry.kind = "public_page"
        elif record.first_acknowledged_at != before.first_acknowledged_at:
            # Written when a statement goes out: the filter shows it with the publications.
            entry.kind = "publication"
        else:
            entry.kind = "incident"
            entry.detail = describe_changes(entry.changes)

    return timeline_entries(
        Incident,
        incident.history.select_related("history_user"),
        limit=limit,
        subject=lambda r: "Incident",
        describe=describe,
    )


def party_entries(request, incident, *, limit=None):
    """Every affected party's changes: added, outreach, edits (one query, two for the newest
    ``limit`` of a long history; parties have no user fields to look up)."""
    url = incident.get_absolute_url()

    def describe(entry, record, before):
        entry.kind = "party"
        entry.url = f"{url}#party-{record.id}"
        entry.detail = (
            record.get_kind_display() if before is None else describe_changes(entry.changes)
        )

    records = AffectedParty.history.filter(incident_id=incident.pk).select_related("history_user")
    return timeline_entries(
        AffectedParty,
        records,
        limit=limit,
        subject=lambda r: f"Affected party: {r.description}",
        describe=describe,
    )
