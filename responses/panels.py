"""What the responses app contributes to the incident page and the dashboard (see
crisis.panels), so that incidents never imports responses."""

from django.db.models import Case, DateTimeField, F, OuterRef, Q, Subquery, When

from crisis import clocks
from crisis.history import entries_for
from crisis.panels import Panel
from responses.models import ProgressUpdate, Statement


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


def public_word_annotation(incidents):
    """``incidents`` (a queryset) with each one's latest public word and its promise, for the
    response clock (crisis.clocks), in the same query: the latest published statement or
    published public update, and, when that word is an update, the next update it promised
    (after a statement, the clock adds the severity's cadence). An update and a statement of
    the same moment count as the update, which carries a promise."""
    statement_at = Subquery(
        Statement.objects.published()
        .filter(incident=OuterRef("pk"))
        .order_by("-published_at")
        .values("published_at")[:1]
    )
    updates = (
        ProgressUpdate.objects.published_public()
        .filter(incident=OuterRef("pk"))
        .order_by("-published_at", "-pk")
    )
    update_is_latest = Q(_update_at__isnull=False) & (
        Q(_statement_at__isnull=True) | Q(_update_at__gte=F("_statement_at"))
    )
    return incidents.alias(
        _statement_at=statement_at,
        _update_at=Subquery(updates.values("published_at")[:1]),
    ).annotate(
        **{
            clocks.PUBLIC_WORD_AT: Case(
                When(update_is_latest, then=F("_update_at")),
                default=F("_statement_at"),
                output_field=DateTimeField(),
            ),
            clocks.PROMISED_UPDATE_AT: Case(
                When(update_is_latest, then=Subquery(updates.values("next_update_at")[:1])),
                default=None,
                output_field=DateTimeField(),
            ),
        }
    )
