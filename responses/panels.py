"""What the responses app contributes to the incident page and the dashboard (see
crisis.panels), so that incidents never imports responses."""

from django.utils import timezone

from crisis.history import entries_for
from crisis.lifecycle import REASON_MAX_LENGTH
from crisis.panels import Panel
from responses.models import ActionItem, Statement


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


# The action plan (responses.ActionItem).


def action_plan_panel(request, incident):
    """The incident's action plan in its order, each item with its clock and the moves the user
    may make now (one query: the items with their owners; the incident comes from the caller)."""
    now = timezone.now()
    items = list(incident.action_items.select_related("owner"))
    can_change = request.user.has_perm("responses.change_actionitem") and incident.is_editable
    rows = [
        {
            "item": item,
            "clock": item.clock(now),
            # Empty on a closed or cancelled incident: the frozen guard refuses them all.
            "moves": dict(item.allowed_moves(request.user)),
            "can_move_up": can_change and index > 0,
            "can_move_down": can_change and index < len(items) - 1,
        }
        for index, item in enumerate(items)
    ]
    return Panel(
        "responses/_incident_action_plan.html",
        {
            "incident": incident,
            "rows": rows,
            "can_add_item": request.user.has_perm("responses.add_actionitem")
            and incident.is_editable,
            "can_change_item": can_change,
            "overdue_count": sum(1 for row in rows if row["clock"] and row["clock"].is_overdue),
            "unfinished_count": sum(1 for item in items if item.is_unfinished),
            "note_max_length": REASON_MAX_LENGTH,
        },
    )


def action_item_entries(request, incident):
    """Every action item's changes: added, edited, reordered, started, done, dropped (two
    queries, however many items and changes)."""
    records = ActionItem.history.filter(incident_id=incident.pk).select_related("history_user")
    return entries_for(ActionItem, records, subject=lambda r: f"Action item: {r.title}")


def my_action_items_panel(request):
    """The dashboard's "My action items": the user's unfinished items on open incidents, overdue
    first, then soonest due (one query)."""
    now = timezone.now()
    items = (
        ActionItem.objects.owned_by(request.user)
        .unfinished()
        .on_open_incidents()
        .select_related("incident")
        .soonest_due_first()
    )
    return Panel(
        "responses/_dashboard_action_items.html",
        {"my_items": [(item, item.clock(now)) for item in items]},
    )
