"""The approval chains' reminders (responses.reminders runs them): a stage of a running round not
decided within its time tells its backups, or the members of its group when it names no active
backup, once per stage and round (the key names the stage, which belongs to one round, and its
due time)."""

from django.conf import settings
from django.contrib.auth import get_user_model

from crisis.outbound import EventKind
from crisis.templatetags.crisis_tags import describe_duration
from incidents.models.incident import FROZEN_INCIDENT_STATUSES
from responses.models import ReviewRound, RoundStage


def stage_reminders(now, reminder, subject, when, key):
    """Undecided stages past their time, of statements of incidents not frozen (two queries:
    the stages, their backups; a third, the groups' members, only when a stage names no active
    backup). ``reminder`` builds the reminder; ``subject``, ``when`` and ``key`` are
    responses.reminders' helpers, so every reminder reads alike."""
    stages = list(
        RoundStage.objects.filter(
            decision="",
            started_at__isnull=False,
            due_at__lt=now,
            round__outcome=ReviewRound.Outcome.OPEN,
        )
        .exclude(round__statement__incident__status__in=FROZEN_INCIDENT_STATUSES)
        .select_related("round__statement__incident", "group")
        .prefetch_related("backups")
        .order_by("due_at", "pk")
    )
    backups_of = {stage.pk: [u for u in stage.backups.all() if u.is_active] for stage in stages}
    members_of = _members_of({s.group_id for s in stages if s.group_id and not backups_of[s.pk]})
    for stage in stages:
        statement = stage.round.statement
        incident = statement.incident
        told = backups_of[stage.pk]
        why = "You are one of its backups"
        if not told and stage.group_id:
            # Nobody named to step in: those who decide it hear instead.
            told = members_of.get(stage.group_id, [])
            why = f"It names no backup, and you are in its group, {stage.group.name}"
        headline = f"Approval overdue by {describe_duration(now - stage.due_at)}: {stage.name}"
        url = settings.SITE_URL + statement.get_absolute_url()
        body = (
            f"The stage “{stage.name}” of the approval of a "
            f"{statement.get_kind_display().lower()} on {incident.reference} “{incident.title}” "
            f"was due by {when(stage.due_at)} and is not decided. {why}: "
            f"read the wording and approve it or request changes.\n\n{url}\n"
        )
        yield reminder(
            key("stage", "overdue", stage, stage.due_at),
            subject(incident, headline),
            body,
            tuple(sorted(u.email for u in told if u.email)),
            EventKind.STAGE_OVERDUE,
            url,
            incident.severity,
            incident.is_drill,
            people=tuple(u.pk for u in told),
        )


def _members_of(group_ids):
    """The active members of each group of ``group_ids``, by group id, in username order (one
    query; none when there is no group to ask)."""
    if not group_ids:
        return {}
    memberships = (
        get_user_model()
        .groups.through.objects.filter(group_id__in=group_ids, user__is_active=True)
        .select_related("user")
        .order_by("user__username", "pk")
    )
    members = {}
    for membership in memberships:
        members.setdefault(membership.group_id, []).append(membership.user)
    return members
