"""What rumours add to the incident page, its timeline and the public page (crisis.panels;
registered in rumours.apps)."""

from functools import cache

from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse

from crisis import panels
from crisis.history import Entry
from crisis.panels import Panel, PublicSection
from rumours.models import ADD_PERMISSION, Rumour

# How many rumours the incident page lists (the riskiest); the rest are on the incident's list.
PANEL_ROWS = 5
# The incident page reads the rumours most recently logged or checked, at most this many: its
# timeline's newest entries are theirs, and no read grows with an incident's whole record (issue
# 19). The incident's list has them all.
READ_AT_MOST = 100
PUBLIC_TEMPLATE = "rumours/_public_truths.html"


def incident_rumours(request, incident):
    """The incident's rumours most recently logged or checked (at most :data:`READ_AT_MOST`),
    riskiest first, with their owners, who checked them and their responses, read once per
    request: the incident page's panel and its timeline share them (crisis.panels.shared). One
    query."""

    def load():
        active_at = Greatest("created_at", Coalesce("verified_at", "created_at"))
        rows = list(
            Rumour.objects.filter(incident_id=incident.pk)
            .select_related("owner", "created_by", "verified_by", "response")
            .annotate(active_at=active_at)
            .order_by("-active_at", "-pk")[:READ_AT_MOST]
        )
        rank = {risk: n for n, risk in enumerate(Rumour.RISK_ORDER)}
        # As Rumour.objects.riskiest_first() orders them.
        rows.sort(key=lambda r: (rank.get(r.risk, len(rank)), -r.reach, -r.pk))
        return rows

    return panels.shared(request, ("rumours.incident", incident.pk), load)


def rumours_panel(request, incident):
    """The riskiest rumours of the incident, how many there are, and the way to log one (one
    query, shared with the timeline: :func:`incident_rumours`)."""
    rumours = incident_rumours(request, incident)
    return Panel(
        "rumours/_incident_rumours.html",
        {
            "incident": incident,
            "rumours": rumours[:PANEL_ROWS],
            "count": len(rumours),
            "count_is_capped": len(rumours) >= READ_AT_MOST,
            "false_count": sum(r.verification in Rumour.CORRECTABLE for r in rumours),
            "can_log": incident.may_edit(request.user, ADD_PERMISSION),
        },
    )


def rumour_entries(request, incident, *, limit=None):
    """The rumours' moments: each logged, and last checked (found false, true…), from the
    rumours themselves (no query of its own on the incident page: :func:`incident_rumours`;
    each rumour's every change is on its history page). The newest ``limit`` when given."""
    entries = []
    # The incident's list, which everyone signed in may read (the edit page is Comms').
    listed = reverse("rumours:list", args=[incident.reference])
    for rumour in incident_rumours(request, incident):
        subject = f"Rumour: {rumour}"
        url = f"{listed}#rumour-{rumour.pk}"
        entries.append(
            Entry(
                rumour.created_at,
                rumour.created_by,
                "Rumour logged",
                action="created",
                subject=subject,
                detail=f"{rumour.get_risk_display()} risk · reach {rumour.reach:,}",
                url=url,
            )
        )
        if rumour.verified_at is not None:
            entries.append(
                Entry(
                    rumour.verified_at,
                    rumour.verified_by,
                    f"Rumour checked: {rumour.get_verification_display().lower()}",
                    subject=subject,
                    url=url,
                )
            )
    entries.sort(key=lambda entry: entry.at)
    return entries[-limit:] if limit else entries


def public_truths(incident_id):
    """The public page's "What is true": the claims found false or partly true that Comms chose
    to show, each with its correction, once their response statement is published
    (:meth:`Rumour.public_refusal` decides). One query; nothing to show, no section."""
    candidates = (
        Rumour.objects.filter(incident_id=incident_id)
        .public_candidates()
        .select_related("response")
        .order_by("first_seen_at", "pk")
    )
    shown = [rumour for rumour in candidates if rumour.is_shown_publicly]
    if not shown:
        return None
    return Panel(PUBLIC_TEMPLATE, {"rumours": shown})


@cache
def public_changes():
    """When "What is true" may have changed: every change of a rumour of the page's incident
    that was ever chosen for the page (ticked, unticked, reworded, found true after all). A
    response statement's publication counts through the page's own statements. SQL for
    crisis.panels.PublicSection."""
    history = Rumour.history.model._meta.db_table
    sql = (
        f"SELECT history_date, history_id FROM {history} "
        "WHERE incident_id IN (SELECT id FROM page) "
        f"AND id IN (SELECT id FROM {history} WHERE incident_id IN (SELECT id FROM page) "
        "AND is_public = %s)"
    )
    return sql, (True,)


PUBLIC_SECTION = PublicSection(
    render=public_truths, changes=public_changes, templates=(PUBLIC_TEMPLATE,), order=50
)
