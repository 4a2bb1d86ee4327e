"""What the audience reads on an incident's public page, in the audience's words.

The rules of the public page live here: which status words the audience sees, which
statements a later correction supersedes, which updates it shows and when it last changed.
Nothing in here may reveal anything internal.
"""

from django.urls import reverse

from incidents.models import Incident
from responses.models import ActionItem, Statement

S = Incident.Status

# The incident's status as the audience should read it: a short heading and one sentence.
PUBLIC_STATUS = {
    S.TRIAGE: ("We are working on it", "We know about the problem and are looking into it."),
    S.RESPONDING: ("We are working on it", "We know about the problem and are working on it."),
    S.MONITORING: ("Monitoring", "A fix is in place and we are watching closely."),
    S.RESOLVED: ("Resolved", "The problem is resolved."),
    S.CLOSED: ("Resolved", "The problem is resolved."),
    S.CANCELLED: ("Closed", "There is nothing more to report."),
}


def public_page_url(incident):
    """The incident's public page's path, or None before a manager first opened it. Here, not on
    the incident: the public page is this app's, and incidents never depend on responses."""
    if not incident.public_token:
        return None
    return reverse("responses:public-page", args=[incident.public_token])


def public_status(incident):
    """``(heading, sentence)`` for the incident's status, as the audience reads it."""
    return PUBLIC_STATUS[incident.status]


def public_rows(statements):
    """The published ``statements`` for the page, newest first, as dicts with the statement,
    its anchor and the correction that supersedes it (or None).

    The rule, kept simple and honest: a correction supersedes every statement published before
    it; each such statement points to the first correction published after it. No queries.
    """
    newest_first = sorted(statements, key=lambda s: (s.published_at, s.pk), reverse=True)
    count = len(newest_first)
    rows = []
    nearest_correction = None
    for index, statement in enumerate(newest_first):
        # Numbered from the oldest, so an anchor keeps pointing at the same statement.
        row = {"statement": statement, "anchor": f"update-{count - index}"}
        row["superseded_by"] = nearest_correction
        if statement.kind == Statement.Kind.CORRECTION:
            nearest_correction = row
        rows.append(row)
    return rows


# The public action plan: each item's kind and status in the audience's words.
PUBLIC_ITEM_KIND = {
    ActionItem.Kind.RECTIFY: "Fixing the problem",
    ActionItem.Kind.PREVENT: "Preventing a repeat",
}
PUBLIC_ITEM_STATUS = {
    ActionItem.Status.OPEN: "Planned",
    ActionItem.Status.IN_PROGRESS: "Under way",
    ActionItem.Status.DONE: "Done",
    # Said plainly rather than hidden: the audience saw it promised. The reason stays internal.
    ActionItem.Status.DROPPED: "No longer planned",
}


def public_action_items(incident):
    """The incident's public action items in the plan's order, as dicts holding only what the
    audience may read: title, kind and status in plain words, and when it is expected or was
    done. Never the owner, the details or a reason. One query."""
    items = ActionItem.objects.filter(incident_id=incident.pk).public()
    return [
        {
            "title": item.title,
            "kind": PUBLIC_ITEM_KIND[item.kind],
            "status": PUBLIC_ITEM_STATUS[item.status],
            "expected_at": item.due_at if item.is_unfinished else None,
            "done_at": item.completed_at if item.status == ActionItem.Status.DONE else None,
        }
        for item in items.only("title", "kind", "status", "due_at", "completed_at")
    ]


def public_updates(incident):
    """The incident's published public updates, newest first, as a list (one query). Internal
    updates and drafts never reach the page."""
    return list(incident.progress_updates.published_public().order_by("-published_at", "-pk"))


def last_updated(statements, updates):
    """When the audience last heard from us: the latest published statement or public update,
    or None before either. No queries."""
    return max(
        [s.published_at for s in statements] + [u.published_at for u in updates], default=None
    )
