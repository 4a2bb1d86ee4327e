"""Every statement reviewed or in review before approval chains joins the default chain (one
stage, the Managers group): each past review becomes a round of one decided stage, and a
statement in review gets its running round, so the statement page and the rules read one
shape of data."""

import hashlib
import json

from django.db import migrations

DEFAULT_CHAIN_NAME = "Default: one manager"
DEFAULT_STAGE_NAME = "Manager"


def wording_hash(kind, body, platforms):
    # A copy of responses.models.review_round.wording_hash as it is now: a migration keeps
    # working whatever that module becomes.
    text = json.dumps([kind, body, sorted(platforms or [])], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def forwards(apps, schema_editor):
    Statement = apps.get_model("responses", "Statement")
    HistoricalStatement = apps.get_model("responses", "HistoricalStatement")
    Review = apps.get_model("responses", "Review")
    ReviewRound = apps.get_model("responses", "ReviewRound")
    RoundStage = apps.get_model("responses", "RoundStage")
    Group = apps.get_model("auth", "Group")
    managers = Group.objects.filter(name="Managers").first()

    def wording_of(statement, version):
        row = (
            HistoricalStatement.objects.filter(id=statement.pk, version=version)
            .order_by("-history_id")
            .first()
        ) or statement
        return row.kind, row.body, row.target_platforms

    def submitted_at(statement, version, fallback):
        row = (
            HistoricalStatement.objects.filter(
                id=statement.pk, version__lte=version, status="in_review"
            )
            .order_by("-version", "-history_id")
            .first()
        )
        return row.history_date if row is not None else fallback

    def new_round(statement, number, version, started_at, **fields):
        return ReviewRound.objects.create(
            statement=statement,
            number=number,
            chain=None,
            chain_name=DEFAULT_CHAIN_NAME,
            started_at=started_at,
            started_by_id=statement.author_id,
            version=version,
            text_hash=wording_hash(*wording_of(statement, version)),
            **fields,
        )

    for statement in Statement.objects.order_by("pk").iterator():
        if ReviewRound.objects.filter(statement=statement).exists():
            continue
        number = 0
        for review in Review.objects.filter(statement=statement).order_by("created_at", "pk"):
            number += 1
            version = review.statement_version
            approved = review.decision == "approve"
            started = submitted_at(statement, version, review.created_at)
            review_round = new_round(
                statement,
                number,
                version,
                min(started, review.created_at),
                outcome="approved" if approved else "changes_requested",
                ended_at=review.created_at,
            )
            stage = RoundStage.objects.create(
                round=review_round,
                position=1,
                name=DEFAULT_STAGE_NAME,
                group=managers,
                started_at=review_round.started_at,
                decided_at=review.created_at,
                decided_by_id=review.reviewer_id,
                decision=review.decision,
                comment=review.comment,
                approved_version=version if approved else None,
                approved_hash=review_round.text_hash if approved else "",
            )
            Review.objects.filter(pk=review.pk).update(stage=stage)
        if statement.status == "in_review":
            review_round = new_round(
                statement,
                number + 1,
                statement.version,
                statement.submitted_at or statement.created_at,
            )
            RoundStage.objects.create(
                round=review_round,
                position=1,
                name=DEFAULT_STAGE_NAME,
                group=managers,
                started_at=review_round.started_at,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0014_approval_chains"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
