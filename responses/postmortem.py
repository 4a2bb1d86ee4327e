"""What the responses app tells the post-mortem of an incident (see crisis.panels): the gates
that keep it from closing, the facts it knows, and its sections of the printable report.

Each function runs a fixed number of queries, whatever the incident holds.
"""

from django.urls import reverse

from crisis import clocks
from crisis.panels import Fact, Refusal, ReportEntry, ReportSection
from crisis.templatetags.crisis_tags import absolute_time, describe_duration
from responses.models import ActionItem, ProgressUpdate, Statement

# Statements that still wait for a decision or for publication: one approved but never
# published was not withdrawn either, so someone still has to decide about it.
WAITING_STATEMENTS = (Statement.Status.IN_REVIEW, Statement.Status.APPROVED)


def _incident_url(incident, anchor=""):
    return reverse("incidents:detail", args=[incident.reference]) + anchor


def _person(user):
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


# The gates


def open_rectify_items(incident):
    """A Rectify item still open or in progress keeps the incident from closing: the situation
    is not fixed yet (one query). Prevent items may outlive the incident."""
    items = ActionItem.objects.filter(
        incident=incident, kind=ActionItem.Kind.RECTIFY, status__in=ActionItem.UNFINISHED_STATUSES
    ).order_by("position", "pk")
    return [
        Refusal(
            f"Rectify item “{item.title}” is {item.get_status_display().lower()}: mark it done "
            "or drop it with a reason.",
            _incident_url(incident, f"#item-{item.pk}"),
        )
        for item in items
    ]


def waiting_statements(incident):
    """A statement in review, or approved and not published, keeps the incident from closing:
    publish or withdraw it first (one query)."""
    statements = Statement.objects.filter(incident=incident, status__in=WAITING_STATEMENTS)
    return [
        Refusal(
            f"{statement.get_kind_display()} #{statement.pk} is "
            f"{statement.get_status_display().lower()}: publish it or withdraw it.",
            statement.get_absolute_url(),
        )
        for statement in statements.order_by("created_at", "pk")
    ]


def waiting_public_updates(incident):
    """A public update drafted and not published keeps the incident from closing: publish it
    or withdraw it first (one query)."""
    updates = ProgressUpdate.objects.filter(
        incident=incident, kind=ProgressUpdate.Kind.PUBLIC, status=ProgressUpdate.Status.DRAFT
    ).order_by("created_at", "pk")
    return [
        Refusal(
            f"A public update drafted {absolute_time(update.created_at)} waits to be published: "
            "publish it or withdraw it.",
            _incident_url(incident, f"#update-{update.pk}"),
        )
        for update in updates
    ]


# The facts


def _public_words(incident):
    """The incident's published statements and public updates, oldest first (two queries)."""
    statements = list(
        Statement.objects.filter(incident=incident, status=Statement.Status.PUBLISHED)
        .exclude(published_at=None)
        .order_by("published_at", "pk")
    )
    updates = list(
        ProgressUpdate.objects.published_public()
        .filter(incident=incident)
        .order_by("published_at", "pk")
    )
    return statements, updates


def response_facts(incident):
    """Published statements and updates as key moments, and the promises of public updates,
    judged by crisis.clocks.promise_outcomes (two queries)."""
    statements, updates = _public_words(incident)
    facts = [
        Fact("moments", f"{s.get_kind_display()} published", at=s.published_at) for s in statements
    ]
    facts += [Fact("moments", "Public update published", at=u.published_at) for u in updates]
    words = [(s.published_at, None) for s in statements]
    words += [(u.published_at, u.next_update_at) for u in updates]
    outcomes = clocks.promise_outcomes(words, stopped_at=clocks.stopped_at(incident))
    if outcomes:
        kept = sum(1 for *_, k in outcomes if k is True)
        broken = [promised for _, promised, k in outcomes if k is False]
        counted = kept + len(broken)
        value = f"{len(outcomes)} made, {kept} of {counted} kept"
        if len(outcomes) > counted:
            value += f" ({len(outcomes) - counted} not yet due or ended by the resolution)"
        facts.append(
            Fact(
                "figures",
                "Public update promises",
                value,
                field="went_wrong" if broken else "went_well",
            )
        )
        for promised in broken:
            facts.append(
                Fact(
                    "figures",
                    "Promise broken",
                    f"the update promised for {absolute_time(promised)} came late or not at all",
                    field="went_wrong",
                )
            )
    else:
        facts.append(Fact("figures", "Public update promises", "none made"))
    return facts


OUTCOME_LABELS = {
    clocks.ON_TIME: "done on time",
    clocks.LATE: "done late",
    clocks.DROPPED: "dropped",
    clocks.UNFINISHED: "not finished",
}


def action_plan_facts(incident):
    """The action plan's outcome (crisis.clocks.action_item_outcome): how many items were done
    on time, late, dropped or are unfinished; the late and dropped ones by name; and the Prevent
    items as the start of the follow-up (one query)."""
    items = list(
        ActionItem.objects.filter(incident=incident)
        .select_related("owner")
        .order_by("position", "pk")
    )
    if not items:
        return [Fact("plan", "Action items", "none", field="went_wrong")]
    outcomes = [(item, clocks.action_item_outcome(item)) for item in items]
    counts = [
        f"{sum(1 for _, o in outcomes if o == outcome)} {label}"
        for outcome, label in OUTCOME_LABELS.items()
        if any(o == outcome for _, o in outcomes)
    ]
    facts = [Fact("plan", "Action items", f"{len(items)}: " + ", ".join(counts))]
    for item, outcome in outcomes:
        if outcome == clocks.LATE:
            late_by = describe_duration(item.completed_at - item.due_at)
            facts.append(
                Fact(
                    "plan",
                    f"Done late: {item.title}",
                    f"{late_by} after its due time",
                    field="went_wrong",
                )
            )
        elif outcome == clocks.DROPPED:
            facts.append(
                Fact("plan", f"Dropped: {item.title}", item.drop_reason, field="went_wrong")
            )
    on_time = sum(1 for _, o in outcomes if o == clocks.ON_TIME)
    if on_time:
        facts.append(
            Fact("plan", "Done on time", f"{on_time} of {len(items)} items", field="went_well")
        )
    for item in items:
        if item.kind == ActionItem.Kind.PREVENT:
            due = f", due {absolute_time(item.due_at)}" if item.due_at else ""
            facts.append(
                Fact(
                    "plan",
                    f"Prevent: {item.title}",
                    f"{item.get_status_display().lower()}, owner {_person(item.owner)}{due}",
                    field="follow_up",
                )
            )
    return facts


# The report


def statement_sections(incident):
    """The published statements with where and when each went out (two queries)."""
    statements = (
        Statement.objects.filter(incident=incident, status=Statement.Status.PUBLISHED)
        .select_related("published_by")
        .prefetch_related("publications")
        .order_by("published_at", "pk")
    )
    entries = []
    for statement in statements:
        links = tuple(
            (
                f"{publication.get_platform_display()}, {absolute_time(publication.published_at)}",
                publication.url,
            )
            for publication in statement.publications.all()
        )
        entries.append(
            ReportEntry(
                statement.get_kind_display(),
                at=statement.published_at,
                lines=(statement.body, f"Published by {_person(statement.published_by)}"),
                links=links,
            )
        )
    updates = ProgressUpdate.objects.published_public().filter(incident=incident)
    update_entries = [
        ReportEntry(
            "Public update",
            at=update.published_at,
            lines=(update.body, f"Next update promised for {absolute_time(update.next_update_at)}"),
        )
        for update in updates.order_by("published_at", "pk")
    ]
    return [
        ReportSection("Published statements", tuple(entries), "No statement was published.", 20),
        ReportSection("Public updates", tuple(update_entries), "No public update.", 30),
    ]


def action_plan_section(incident):
    """The action plan, in its order, with each item's outcome (one query)."""
    items = (
        ActionItem.objects.filter(incident=incident)
        .select_related("owner")
        .order_by("position", "pk")
    )
    entries = []
    for item in items:
        lines = [
            f"{item.get_status_display()} · {OUTCOME_LABELS[clocks.action_item_outcome(item)]}",
            f"Owner: {_person(item.owner)}",
        ]
        if item.due_at:
            lines.append(f"Due: {absolute_time(item.due_at)}")
        if item.completed_at:
            lines.append(f"Done: {absolute_time(item.completed_at)}")
        if item.drop_reason:
            lines.append(f"Dropped: {item.drop_reason}")
        if item.details:
            lines.append(item.details)
        entries.append(ReportEntry(f"{item.get_kind_display()}: {item.title}", lines=tuple(lines)))
    return [ReportSection("Action plan", tuple(entries), "The plan had no items.", 40)]
