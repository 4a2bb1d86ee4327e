"""What the incidents app contributes to the composed incident page (see crisis.panels)."""

from crisis.history import entries_for
from crisis.panels import Panel
from incidents.models import AffectedParty, Incident


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


def incident_entries(request, incident):
    """The incident's own changes (two queries: history and the users fields point to)."""
    return entries_for(
        Incident, incident.history.select_related("history_user"), subject=lambda r: "Incident"
    )


def party_entries(request, incident):
    """Every affected party's changes (two queries, however many parties)."""
    records = AffectedParty.history.filter(incident_id=incident.pk).select_related("history_user")
    return entries_for(AffectedParty, records, subject=lambda r: f"Affected party: {r.description}")
