"""What the incidents app contributes to the composed incident page (see crisis.panels)."""

from crisis.history import describe_changes, timeline_entries
from crisis.panels import Panel
from incidents.models import AffectedParty, Incident

# The timeline kinds of this app's entries, with their labels for the filter.
INCIDENT_KINDS = {
    "status": "Status",
    "incident": "Incident details",
    "public_page": "Public page",
    # The first public acknowledgement, written when a statement goes out: named by responses.
    "publication": None,
}
PARTY_KINDS = {"party": "Affected parties"}


def parties_panel(request, incident):
    """The affected parties (one query)."""
    return Panel(
        "incidents/_incident_parties.html",
        {
            "incident": incident,
            "parties": list(incident.affected_parties.all()),
            "can_add_party": request.user.has_perm("incidents.add_affectedparty")
            and incident.is_editable,
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
