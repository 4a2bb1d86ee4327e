"""What the responses app contributes to the incident page and the dashboard (see
crisis.panels), so that incidents never imports responses."""

from django.urls import reverse

from crisis.history import describe_changes, timeline_entries
from crisis.panels import Panel
from responses.models import Publication, Statement

# The timeline kinds of this app's entries, with their labels for the filter.
STATEMENT_KINDS = {
    "statement": "Statements",
    "review": "Reviews",
    "publication": "Publications",
}


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


def _reworded(record, before):
    return before is not None and any(
        getattr(record, name) != getattr(before, name) for name in Statement.WORDING_FIELDS
    )


def _statement_kind(record, before):
    """Which part of the workflow a statement's history row records."""
    S = Statement.Status
    if before is None or record.status == before.status:
        return "statement"  # drafted, or edited without a change of status
    if record.status == S.PUBLISHED:
        return "publication"
    if record.status == S.APPROVED:
        return "review"
    if before.status == S.IN_REVIEW and record.status == S.DRAFT and not _reworded(record, before):
        return "review"  # changes requested
    return "statement"  # submitted, withdrawn, or edited back to Draft


def statement_entries(request, incident, *, limit=None):
    """Every statement's changes: drafted, edited, submitted, reviewed, published (where to),
    withdrawn (two queries however many statements, three for the newest ``limit`` from the
    middle of a long history)."""
    platforms = Statement._meta.get_field("target_platforms")

    def describe(entry, record, before):
        entry.kind = _statement_kind(record, before)
        entry.url = reverse("responses:statement-detail", args=[record.id])
        if entry.kind == "publication":
            entry.detail = f"To {', '.join(platforms.labels(record.target_platforms))}"
        elif _reworded(record, before):
            entry.detail = describe_changes(entry.changes)
        elif record.status == Statement.Status.IN_REVIEW and before.status != record.status:
            # The version the reviewers decide on, as the statement page numbers it.
            entry.detail = f"Version {record.version}"

    records = Statement.history.filter(incident_id=incident.pk).select_related("history_user")
    return timeline_entries(
        Statement,
        records,
        limit=limit,
        subject=lambda r: f"Statement: {r.get_kind_display()}",
        describe=describe,
    )


def publication_entries(request, incident, *, limit=None):
    """Links to published posts, added or changed later (one query: a publication's first row
    is written with its statement's, without history of its own)."""

    def describe(entry, record, before):
        entry.kind = "publication"
        entry.url = reverse("responses:statement-detail", args=[record.statement_id]) + (
            "#publications"
        )
        entry.detail = f"On {record.get_platform_display()}: {record.url or 'no link'}"

    records = Publication.history.filter(statement__incident_id=incident.pk).select_related(
        "history_user", "statement"
    )
    return timeline_entries(
        Publication,
        records,
        limit=limit,
        subject=lambda r: f"Statement: {r.statement.get_kind_display()}",
        describe=describe,
    )


def awaiting_review_panel(request):
    """The dashboard's "Waiting for your approval" (one query), only for people who approve."""
    if not request.user.has_perm("responses.approve_statement"):
        return None
    return Panel(
        "responses/_dashboard_reviews.html",
        {"awaiting_review": list(Statement.objects.awaiting_review_by(request.user))},
    )
