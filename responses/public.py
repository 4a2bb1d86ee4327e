"""What the audience reads on an incident's public page, in the audience's words.

The rules of the public page live here: which status words the audience sees, which
statements a later correction supersedes, which updates it shows and when it last changed.
Nothing in here may reveal anything internal.
"""

from incidents.models import Incident
from responses.models import Statement

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
