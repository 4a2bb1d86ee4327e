"""Mentions moved to the monitoring app (issue 22): the models leave this app's state only.

Their tables stay where they are, under the same names (``incidents_mention``…): the monitoring
app's first migration takes them over in its state, so no row is copied and a database with
millions of mentions migrates at once. Nothing here depends on the monitoring app."""

from django.db import migrations

MOVED = [
    # Those that point to others first.
    "MentionLinkEvent",
    "MentionCount",
    "Mention",
    "MentionImport",
    "CsvColumnMapping",
    "ApiToken",
    "SpikeThreshold",
]


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0017_platform_mastodon"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name) for name in MOVED],
            database_operations=[],
        )
    ]
