"""What the responses app contributes to the incident page and the dashboard (see
crisis.panels), so that incidents never imports responses."""

from crisis.history import entries_for
from crisis.panels import Panel
from responses.models import Statement


def statements_panel(request, incident):
    """The incident's statements with what happens next to each (two queries: the statements,
    and the history of their wording for who may review them)."""
    statements = list(incident.statements.select_related("author", "incident"))
    contributors = incident.statements.wording_contributors()
    return Panel(
        "responses/_incident_statements.html",
        {
            "incident": incident,
            "statements": [(s, s.next_step(request.user, contributors[s.pk])) for s in statements],
            "can_add_statement": request.user.has_perm("responses.add_statement")
            and incident.is_editable,
        },
    )


def public_page_panel(request, incident):
    """Whether the public page is open, its link, and the button to open or close it.
    No queries: whether anything was published is read from the acknowledgement time."""
    path = incident.get_public_url()
    return Panel(
        "responses/_incident_public_page.html",
        {
            "incident": incident,
            "can_manage_public_page": request.user.has_perm("incidents.manage_public_page"),
            "public_url": request.build_absolute_uri(path) if path else None,
        },
    )


def statement_entries(request, incident):
    """Every statement's changes (two queries, however many statements)."""
    records = Statement.history.filter(incident_id=incident.pk).select_related("history_user")
    return entries_for(Statement, records, subject=lambda r: f"Statement: {r.get_kind_display()}")


def awaiting_review_panel(request):
    """The dashboard's "Waiting for your approval" (one query), only for people who approve."""
    if not request.user.has_perm("responses.approve_statement"):
        return None
    return Panel(
        "responses/_dashboard_reviews.html",
        {"awaiting_review": list(Statement.objects.awaiting_review_by(request.user))},
    )
