"""What the incidents app contributes to the composed incident page (see crisis.panels)."""

from crisis.history import describe_changes, timeline_entries
from crisis.panels import Panel
from incidents.models import AffectedParty, Incident, Mention

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


# Mentions (see incidents.triage and incidents.mentions).

# How many of the top mentions by reach, and of the latest, the incident page shows.
TOP_MENTIONS = 5
LATEST_MENTIONS = 5
TOP_AMONG = 1000


def mentions_panel(request, incident):
    """Mentions per hour by sentiment (a chart made here, with its table), the top ones by
    reach and the latest (three queries, however many mentions; a fourth reading the inbox
    only just after the tracking terms changed, to offer linking its matches)."""
    from django.conf import settings

    from crisis.roles import ACT_ON_MENTIONS
    from incidents import triage
    from incidents.mention_views import OFFER_KEY

    linked = incident.mentions.all()
    series = triage.hourly_counts(linked)
    offer = None
    if (
        incident.reference in request.session.get(OFFER_KEY, [])
        and request.user.has_perm(ACT_ON_MENTIONS)
        and incident.is_editable
    ):
        offer = triage.in_inbox_matching_count(incident)
    return Panel(
        "incidents/_incident_mentions.html",
        {
            "incident": incident,
            "chart": triage.chart(series),
            # Among the latest TOP_AMONG: bounded by the (incident, posted time) index, so an
            # incident with a million mentions reads as fast as one with ten.
            "top": list(
                Mention.objects.filter(
                    pk__in=linked.newest_first().values("pk")[:TOP_AMONG]
                ).order_by("-reach", "-posted_at", "-pk")[:TOP_MENTIONS]
            ),
            "top_among": TOP_AMONG,
            "latest": list(linked.newest_first()[:LATEST_MENTIONS]),
            "offer": offer,
            "refresh_seconds": settings.CLOCK_REFRESH_SECONDS,
        },
    )


def spikes_panel(request):
    """The dashboard's mention spikes: the open incidents, and the inbox, whose last hour
    exceeds the spike rule of crisis.clocks (four queries, however many mentions: the
    thresholds, the open incidents, their volumes, the inbox's)."""
    from django.conf import settings

    from crisis import clocks

    rule = clocks.spike_rule()
    incidents = list(Incident.objects.open().order_by("severity", "detected_at"))
    volumes = clocks.incident_volumes([i.pk for i in incidents], rule=rule)
    spikes = [
        {"incident": i, "count": volumes[i.pk].count, "usual": volumes[i.pk].usual}
        for i in incidents
        if volumes[i.pk].is_spike
    ]
    inbox = clocks.inbox_volume(rule=rule)
    if inbox.is_spike:
        spikes.append({"incident": None, "count": inbox.count, "usual": inbox.usual})
    return Panel(
        "incidents/_dashboard_spikes.html",
        {"spikes": spikes, "refresh_seconds": settings.CLOCK_REFRESH_SECONDS},
    )
