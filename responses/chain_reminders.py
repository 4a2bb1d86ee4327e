"""The approval chains' reminders (responses.reminders runs them): a stage of a running round not
decided within its time tells its backups, once per stage and round (the key names the stage,
which belongs to one round, and its due time)."""

from django.conf import settings

from crisis.outbound import EventKind
from crisis.templatetags.crisis_tags import describe_duration
from incidents.models.incident import FROZEN_INCIDENT_STATUSES
from responses.models import ReviewRound, RoundStage


def stage_reminders(now, reminder, subject, when, key):
    """Undecided stages past their time, of statements of incidents not frozen (two queries:
    the stages, their backups). ``reminder`` builds the reminder; ``subject``, ``when`` and
    ``key`` are responses.reminders' helpers, so every reminder reads alike."""
    stages = (
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
    for stage in stages:
        statement = stage.round.statement
        incident = statement.incident
        backups = [u for u in stage.backups.all() if u.is_active]
        headline = f"Approval overdue by {describe_duration(now - stage.due_at)}: {stage.name}"
        url = settings.SITE_URL + statement.get_absolute_url()
        body = (
            f"The stage “{stage.name}” of the approval of a "
            f"{statement.get_kind_display().lower()} on {incident.reference} “{incident.title}” "
            f"was due by {when(stage.due_at)} and is not decided. You are one of its backups: "
            f"read the wording and approve it or request changes.\n\n{url}\n"
        )
        yield reminder(
            key("stage", "overdue", stage, stage.due_at),
            subject(incident, headline),
            body,
            tuple(sorted(u.email for u in backups if u.email)),
            EventKind.STAGE_OVERDUE,
            url,
            incident.severity,
            incident.is_drill,
            people=tuple(u.pk for u in backups),
        )
