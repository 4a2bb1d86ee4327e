"""What the responses app contributes to the incident page and the dashboard (see
crisis.panels), so that incidents never imports responses."""

from collections import defaultdict

from django.urls import reverse
from django.utils import timezone

from crisis import panels
from crisis.history import Entry, describe_changes, timeline_entries
from crisis.lifecycle import REASON_MAX_LENGTH
from crisis.panels import Panel
from responses import plans, posting
from responses.forms import (
    InternalUpdateForm,
    PlanApplyForm,
    PublicUpdateForm,
    UpdatePublishForm,
)
from responses.models import (
    ActionItem,
    PlanApplication,
    PlanTemplate,
    ProgressUpdate,
    Publication,
    Statement,
)
from responses.public import public_page_url

# The timeline kinds of this app's entries, with their labels for the filter.
STATEMENT_KINDS = {
    "statement": "Statements",
    "review": "Reviews",
    "publication": "Publications",
}


def statements_panel(request, incident):
    """The incident's statements with what happens next to each (one query: the statements; a
    second, the history of their wording, when one is in review: who may review it; and the
    running rounds of those in review, none when none is)."""
    statements = list(incident.statements.select_related("author"))
    for statement in statements:
        statement.incident = incident  # the page's
    Statement.attach_chains(statements)
    # Who wrote the words matters only to review (the history read for the statements in
    # review only, and none when none is).
    in_review = [s.pk for s in statements if s.status == Statement.Status.IN_REVIEW]
    contributors = Statement.writers_of(in_review if incident.is_editable else [])
    return Panel(
        "responses/_incident_statements.html",
        {
            "incident": incident,
            "statements": [(s, s.next_step(request.user, contributors[s.pk])) for s in statements],
            "can_add_statement": incident.may_edit(request.user, "responses.add_statement"),
        },
    )


def public_page_panel(request, incident):
    """Whether the public page is open, its link, and the button to open or close it.
    No queries: whether anything was published is read from the acknowledgement time."""
    path = public_page_url(incident)
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
        getattr(record, name) != getattr(before, name) for name in Statement.WRITING_FIELDS
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
    """The dashboard's "Waiting for your approval": for managers always, for anyone else who
    decides a stage of an approval chain when something waits for them (two queries, and four
    more when anything waits: see ``awaiting_review_by``)."""
    waiting = Statement.objects.awaiting_review_by(request.user)
    if not waiting and not request.user.has_perm("responses.approve_statement"):
        return None
    return Panel("responses/_dashboard_reviews.html", {"awaiting_review": waiting})


# The action plan (responses.ActionItem).


def _action_items(request, incident):
    """``(the incident's action plan in its order, the unfinished prevention items of earlier
    incidents of its category, soonest due first, one more than shown)``: the two panels that
    read action items share one query per request (crisis.panels.shared); the second part only
    while the incident is open."""

    def load():
        plan = incident.action_items.select_related("incident", "owner").order_by()
        if not incident.is_open:
            rows, earlier = list(plan), []
        else:
            earlier = (
                ActionItem.objects.unfinished()
                .filter(
                    kind=ActionItem.Kind.PREVENT,
                    incident__category=incident.category,
                    incident__declared_at__lt=incident.declared_at,
                )
                .exclude(incident=incident)
                .select_related("incident", "owner")
                .soonest_due_first()[: SUGGESTED_PREVENTION_ITEMS + 1]
            )
            rows = panels.read_together(plan, earlier)
        ours = [i for i in rows if i.incident_id == incident.pk]
        ours.sort(key=lambda i: (i.position, i.pk))
        for item in ours:
            item.incident = incident  # the page's, with its clocks' targets
        others = sorted((i for i in rows if i.incident_id != incident.pk), key=_soonest_due)
        return ours, others

    return panels.shared(request, ("responses.action_items", incident.pk), load)


def _soonest_due(item):
    """The order of ActionItemQuerySet.soonest_due_first, in Python."""
    return (item.due_at is None, item.due_at or 0, item.position, item.pk)


def action_plan_panel(request, incident):
    """The incident's action plan in its order, each item with its clock and the moves the user
    may make now (one query, shared with the unfinished prevention items of earlier incidents:
    the items with their owners; the incident comes from the caller)."""
    now = timezone.now()
    items = _action_items(request, incident)[0]
    can_change = incident.may_edit(request.user, "responses.change_actionitem")
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
            "can_add_item": incident.may_edit(request.user, "responses.add_actionitem"),
            "can_change_item": can_change,
            "overdue_count": sum(1 for row in rows if row["clock"] and row["clock"].is_overdue),
            "unfinished_count": sum(1 for item in items if item.is_unfinished),
            "note_max_length": REASON_MAX_LENGTH,
        },
    )


def action_item_entries(request, incident, *, limit=None):
    """Every action item's changes: added, edited, reordered, started, done, dropped (two
    queries, however many items and changes; three for the newest ``limit`` from the middle of
    a long history)."""
    records = ActionItem.history.filter(incident_id=incident.pk).select_related("history_user")
    return timeline_entries(
        ActionItem, records, limit=limit, subject=lambda r: f"Action item: {r.title}"
    )


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


def plan_template_panel(request, incident):
    """ "Apply plan template": the templates for the incident's category, then the general ones
    (one query), for people who may apply them on an incident that is not frozen."""
    if not plans.may_apply(request.user) or not incident.is_editable:
        return None
    templates = list(PlanTemplate.objects.for_category(incident.category))
    return Panel(
        "responses/_incident_plan_templates.html",
        {
            "incident": incident,
            "form": PlanApplyForm(templates=templates, category=incident.category),
            "has_templates": bool(templates),
        },
    )


def plan_application_entries(request, incident, *, limit=None):
    """ "Plan template applied: X", who and when (one query, however many; only the newest
    ``limit`` when asked)."""
    applications = PlanApplication.objects.filter(incident_id=incident.pk).select_related(
        "template", "applied_by"
    )
    if limit is not None:
        applications = applications.order_by("-applied_at", "-pk")[:limit]
    return [
        Entry(
            at=application.applied_at,
            by=application.applied_by,
            reason=f"Plan template applied: {application.template}",
            action="created",
            kind="template",
            subject="Action plan",
        )
        for application in applications
    ]


def updates_panel(request, incident):
    """The team's log and the public updates, newest first, with the forms to add to them and
    each draft's buttons and each published one's posts by Crisis Desk. One query for the
    updates, one for who wrote the drafts when the user may publish, one for the connected
    accounts when a draft the user may publish names platforms, and one for the posts when an
    update was published to platforms."""
    user = request.user
    # Each update's incident is the page's own (not joined again): a draft's default promise
    # reads the targets handed to it.
    updates = list(incident.progress_updates.select_related("author", "published_by"))
    drafts = [u.pk for u in updates if u.is_public and u.is_draft]
    may_publish_any = user.has_perm("responses.publish_progressupdate")
    writers = (
        ProgressUpdate.objects.filter(pk__in=drafts).writers()
        if drafts and may_publish_any and incident.is_editable
        else defaultdict(set)
    )
    can_add = incident.may_edit(user, "responses.add_progressupdate")
    can_change = user.has_perm("responses.change_progressupdate")
    posts = posting.posts_by_update(updates)
    accounts = None
    public = []
    for update in (u for u in updates if u.is_public):
        row = {"update": update, "publish_form": None, "note": "", "posts": posts.get(update.pk)}
        if update.is_editable:
            refusal = update.publish_refusal(user, writers[update.pk])
            if not refusal and update.target_platforms:
                if accounts is None:
                    accounts = posting.connected_accounts()
                row["posting_hint"] = posting.posting_hint(
                    update.target_platforms, accounts, paste_link=False
                )
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
            "can_retry_posts": user.has_perm("responses.publish_progressupdate"),
            "internal_updates": [u for u in updates if not u.is_public],
            "internal_form": InternalUpdateForm(auto_id="internal-update-%s") if can_add else None,
            "public_form": PublicUpdateForm(auto_id="public-update-%s", incident=incident)
            if can_add
            else None,
        },
    )


def update_entries(request, incident, *, limit=None):
    """Every progress update's changes (two queries, however many updates; three for the newest
    ``limit`` from the middle of a long history)."""
    records = ProgressUpdate.history.filter(incident_id=incident.pk).select_related("history_user")
    return timeline_entries(
        ProgressUpdate,
        records,
        limit=limit,
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


# How many of the earlier incidents' unfinished prevention items the incident page lists.
SUGGESTED_PREVENTION_ITEMS = 5


def unfinished_prevention_panel(request, incident):
    """On a new or open incident, the prevention items that earlier incidents of its category
        promised and that are still open or in progress: the other half of the lessons panel
        (incidents.lessons), soonest due first. Read with the action plan (one query for both, one
    more row than shown, to say there are more); none on an incident that is over."""
    if not incident.is_open:
        return None
    items = _action_items(request, incident)[1]
    if not items:
        return None
    now = timezone.now()
    return Panel(
        "responses/_incident_unfinished_prevention.html",
        {
            "incident": incident,
            "rows": [(item, item.clock(now)) for item in items[:SUGGESTED_PREVENTION_ITEMS]],
            "has_more": len(items) > SUGGESTED_PREVENTION_ITEMS,
        },
    )
