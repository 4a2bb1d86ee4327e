"""What the responses app contributes to the incident page and the dashboard (see
crisis.panels), so that incidents never imports responses."""

from collections import defaultdict

from crisis.history import entries_for
from crisis.panels import Panel
from responses.forms import InternalUpdateForm, PublicUpdateForm, UpdatePublishForm
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


def updates_panel(request, incident):
    """The team's log and the public updates, newest first, with the forms to add to them and
    each draft's buttons. One query for the updates, and one for who wrote the drafts when the
    user may publish."""
    user = request.user
    updates = list(incident.progress_updates.select_related("incident", "author", "published_by"))
    drafts = [u.pk for u in updates if u.is_public and u.is_draft]
    may_publish_any = user.has_perm("responses.publish_progressupdate")
    writers = (
        ProgressUpdate.objects.filter(pk__in=drafts).body_writers()
        if drafts and may_publish_any and incident.is_editable
        else defaultdict(set)
    )
    can_add = user.has_perm("responses.add_progressupdate") and incident.is_editable
    can_change = user.has_perm("responses.change_progressupdate")
    public = []
    for update in (u for u in updates if u.is_public):
        row = {"update": update, "publish_form": None, "note": ""}
        if update.is_editable:
            refusal = update.publish_refusal(user, writers[update.pk])
            if not refusal:
                row["publish_form"] = UpdatePublishForm(
                    initial={
                        "version": update.version,
                        "next_update_at": update.default_publish_promise(),
                    },
                    auto_id=f"publish-{update.pk}-%s",
                )
            elif may_publish_any:
                row["note"] = refusal
            else:
                row["note"] = "Waiting for a manager to publish it."
            row["can_change"] = can_change
        public.append(row)
    return Panel(
        "responses/_incident_updates.html",
        {
            "incident": incident,
            "public_updates": public,
            "internal_updates": [u for u in updates if not u.is_public],
            "internal_form": InternalUpdateForm(auto_id="internal-update-%s") if can_add else None,
            "public_form": PublicUpdateForm(auto_id="public-update-%s", incident=incident)
            if can_add
            else None,
        },
    )


def update_entries(request, incident):
    """Every progress update's changes (two queries, however many updates)."""
    records = ProgressUpdate.history.filter(incident_id=incident.pk).select_related("history_user")
    return entries_for(
        ProgressUpdate,
        records,
        subject=lambda r: (
            "Public update" if r.kind == ProgressUpdate.Kind.PUBLIC else "Internal update"
        ),
    )


def awaiting_publication_panel(request):
    """The dashboard's "Public updates waiting for publication" (two queries: the drafts and
    who wrote them), only for people who publish."""
    if not request.user.has_perm("responses.publish_progressupdate"):
        return None
    return Panel(
        "responses/_dashboard_updates.html",
        {"awaiting_publication": ProgressUpdate.objects.awaiting_publication_by(request.user)},
    )
