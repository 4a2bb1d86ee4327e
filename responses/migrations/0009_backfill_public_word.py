"""Fill each incident's latest public word and its promise (incidents 0014) from the published
statements and public updates, in one UPDATE: the rule of responses.public_word, written against
the models as they are at this migration. Going back leaves the values (incidents 0014 going
back removes the columns)."""

from django.db import migrations
from django.db.models import Case, Exists, OuterRef, Q, Subquery, When
from django.db.models.lookups import GreaterThanOrEqual, IsNull


def fill(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    Statement = apps.get_model("responses", "Statement")
    ProgressUpdate = apps.get_model("responses", "ProgressUpdate")
    db = schema_editor.connection.alias
    statements = Statement.objects.using(db).filter(incident=OuterRef("pk"), status="published")
    updates = ProgressUpdate.objects.using(db).filter(
        incident=OuterRef("pk"), kind="public", status="published"
    )

    def statement_at():
        return Subquery(statements.order_by("-published_at").values("published_at")[:1])

    def update(field):
        return Subquery(updates.order_by("-published_at", "-next_update_at").values(field)[:1])

    # An update and a statement of the same moment count as the update, which promises.
    update_is_latest = Q(IsNull(update("published_at"), False)) & (
        Q(IsNull(statement_at(), True)) | Q(GreaterThanOrEqual(update("published_at"), statement_at()))
    )
    # Only the incidents that have a public word; the others keep their nulls.
    Incident.objects.using(db).filter(
        Q(first_acknowledged_at__isnull=False) | Q(Exists(updates))
    ).update(
        public_word_at=Case(When(update_is_latest, then=update("published_at")), default=statement_at()),
        promised_update_at=Case(When(update_is_latest, then=update("next_update_at")), default=None),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0014_public_word"),
        ("responses", "0008_time_defaults_from_timekeeper"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
