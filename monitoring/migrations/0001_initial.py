"""The mention models, moved here from the incidents app (issue 22) without copying a row.

The state takes over the models that incidents/0018 let go of, with their tables' old names
(``db_table``); the database is not touched. The content types of the moved models change
their app label, so that the permissions the roles hold, the admin's history and any generic
relation keep pointing at them."""

import crisis.timekeeper
import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

MOVED = [
    "apitoken",
    "csvcolumnmapping",
    "mention",
    "mentioncount",
    "mentionimport",
    "mentionlinkevent",
    "spikethreshold",
]


def _relabel(apps, schema_editor, old, new):
    """The moved models' content types from app label ``old`` to ``new``, keeping their ids
    (and so the permissions the roles hold). One already made under ``new`` (none, unless made
    by hand) is left alone."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    taken = set(types.filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
    types.filter(app_label=old, model__in=MOVED).exclude(model__in=taken).update(app_label=new)
    ContentType.objects.clear_cache()


def relabel_content_types(apps, schema_editor):
    """incidents.mention becomes monitoring.mention, and so on."""
    _relabel(apps, schema_editor, "incidents", "monitoring")


def label_back(apps, schema_editor):
    _relabel(apps, schema_editor, "monitoring", "incidents")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('incidents', '0018_mentions_moved_to_monitoring'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ApiToken',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(help_text='Which tool uses it.', max_length=100, unique=True)),
                        ('key_prefix', models.CharField(editable=False, max_length=16, unique=True)),
                        ('secret_hash', models.CharField(editable=False, max_length=64)),
                        ('created_at', models.DateTimeField(default=crisis.timekeeper.now, editable=False, verbose_name='created')),
                        ('expires_at', models.DateTimeField(blank=True, help_text='Leave empty for a token that never expires.', null=True, verbose_name='expires')),
                        ('last_used_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='last used')),
                        ('revoked_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='revoked')),
                        ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='created_api_tokens', to=settings.AUTH_USER_MODEL)),
                        ('revoked_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='revoked_api_tokens', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'API token',
                        'db_table': 'incidents_apitoken',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Mention',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('platform', models.CharField(choices=[('x', 'X'), ('facebook', 'Facebook'), ('instagram', 'Instagram'), ('linkedin', 'LinkedIn'), ('tiktok', 'TikTok'), ('youtube', 'YouTube'), ('reddit', 'Reddit'), ('threads', 'Threads'), ('bluesky', 'Bluesky'), ('mastodon', 'Mastodon'), ('other', 'Other')], max_length=20)),
                        ('external_id', models.CharField(help_text="The platform's own id of the post.", max_length=200, verbose_name='external id')),
                        ('url', models.URLField(blank=True, max_length=2000, verbose_name='link')),
                        ('author', models.CharField(blank=True, max_length=200)),
                        ('text', models.TextField(blank=True)),
                        ('posted_at', models.DateTimeField(verbose_name='posted')),
                        ('sentiment_score', models.FloatField(blank=True, null=True)),
                        ('sentiment_label', models.CharField(choices=[('negative', 'Negative'), ('neutral', 'Neutral'), ('positive', 'Positive')], max_length=10)),
                        ('reach', models.PositiveBigIntegerField(default=0, help_text='Followers or views, as given.')),
                        ('received_at', models.DateTimeField(default=crisis.timekeeper.now, verbose_name='received')),
                        ('source', models.CharField(help_text='Where it came from: "api:<token name>" or "csv:<import id>".', max_length=120)),
                        ('linked_at', models.DateTimeField(blank=True, null=True, verbose_name='linked')),
                        ('dismissed_at', models.DateTimeField(blank=True, null=True, verbose_name='dismissed')),
                        ('dismissed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dismissed_mentions', to=settings.AUTH_USER_MODEL)),
                        ('incident', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='mentions', to='incidents.incident')),
                        ('linked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='linked_mentions', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'incidents_mention',
                        'ordering': ['-posted_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='MentionCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('hour', models.DateTimeField(help_text='The start of the UTC hour the mentions were posted in.')),
                        ('sentiment_label', models.CharField(choices=[('negative', 'Negative'), ('neutral', 'Neutral'), ('positive', 'Positive')], max_length=10)),
                        ('n', models.BigIntegerField(default=0)),
                        ('incident', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='mention_counts', to='incidents.incident')),
                    ],
                    options={
                        'db_table': 'incidents_mentioncount',
                    },
                ),
                migrations.CreateModel(
                    name='MentionImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_path', models.CharField(editable=False, max_length=500)),
                        ('original_name', models.CharField(max_length=255, verbose_name='file')),
                        ('size_bytes', models.PositiveBigIntegerField(default=0)),
                        ('encoding', models.CharField(default='utf-8-sig', max_length=20)),
                        ('delimiter', models.CharField(default=',', max_length=1)),
                        ('headers', models.JSONField(default=list)),
                        ('total_rows', models.PositiveIntegerField(default=0)),
                        ('source_name', models.CharField(max_length=100, verbose_name='source')),
                        ('columns', models.JSONField(blank=True, default=dict)),
                        ('platform', models.CharField(blank=True, max_length=20)),
                        ('status', models.CharField(choices=[('mapping', 'Waiting for its columns'), ('queued', 'Queued'), ('running', 'Importing'), ('done', 'Imported'), ('failed', 'Failed')], default='mapping', max_length=20)),
                        ('processed_rows', models.PositiveIntegerField(default=0)),
                        ('created_count', models.PositiveIntegerField(default=0)),
                        ('duplicate_count', models.PositiveIntegerField(default=0)),
                        ('rejected_count', models.PositiveIntegerField(default=0)),
                        ('errors', models.JSONField(blank=True, default=list)),
                        ('failure', models.TextField(blank=True)),
                        ('task_id', models.CharField(blank=True, max_length=64)),
                        ('created_at', models.DateTimeField(default=crisis.timekeeper.now)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('progress_at', models.DateTimeField(blank=True, null=True)),
                        ('attempt', models.PositiveIntegerField(default=0)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='mention_imports', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'incidents_mentionimport',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='MentionLinkEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('linked', 'Linked'), ('unlinked', 'Unlinked'), ('dismissed', 'Dismissed'), ('restored', 'Back to the inbox')], max_length=10)),
                        ('at', models.DateTimeField(default=crisis.timekeeper.now)),
                        ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='mention_link_events', to=settings.AUTH_USER_MODEL)),
                        ('incident', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='mention_link_events', to='incidents.incident')),
                        ('mention', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='link_events', to='monitoring.mention')),
                    ],
                    options={
                        'db_table': 'incidents_mentionlinkevent',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SpikeThreshold',
                    fields=[
                        ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                        ('multiple', models.DecimalField(decimal_places=2, default=3, help_text='A spike is more than this many times the usual volume of the hour.', max_digits=5)),
                        ('minimum_volume', models.PositiveIntegerField(default=50, help_text='Fewer mentions than this in the last hour is never a spike.', verbose_name='minimum volume')),
                    ],
                    options={
                        'verbose_name': 'spike threshold',
                        'db_table': 'incidents_spikethreshold',
                        'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='spikethreshold_single_row'), models.CheckConstraint(condition=models.Q(('multiple__gt', 0)), name='spikethreshold_multiple_positive', violation_error_message='The multiple must be more than 0.')],
                    },
                ),
                migrations.CreateModel(
                    name='CsvColumnMapping',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source_name', models.CharField(max_length=100, verbose_name='source')),
                        ('header_key', models.CharField(editable=False, max_length=64)),
                        ('headers', models.JSONField(default=list, editable=False)),
                        ('columns', models.JSONField(default=dict)),
                        ('platform', models.CharField(blank=True, max_length=20)),
                        ('updated_at', models.DateTimeField(default=crisis.timekeeper.now)),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='csv_column_mappings', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'CSV column mapping',
                        'db_table': 'incidents_csvcolumnmapping',
                        'constraints': [models.UniqueConstraint(fields=('source_name', 'header_key'), name='csv_mapping_one_per_source_headers')],
                    },
                ),
                migrations.AddIndex(
                    model_name='mention',
                    index=models.Index(fields=['incident', 'posted_at', 'id'], name='mention_incident_posted'),
                ),
                migrations.AddIndex(
                    model_name='mention',
                    index=models.Index(fields=['incident', '-reach', '-id'], name='mention_incident_reach'),
                ),
                migrations.AddIndex(
                    model_name='mention',
                    index=models.Index(condition=models.Q(('dismissed_at__isnull', True), ('incident__isnull', True)), fields=['posted_at', 'id'], name='mention_inbox_posted'),
                ),
                migrations.AddConstraint(
                    model_name='mention',
                    constraint=models.UniqueConstraint(fields=('platform', 'external_id'), name='mention_unique_per_platform'),
                ),
                migrations.AddConstraint(
                    model_name='mention',
                    constraint=models.CheckConstraint(condition=models.Q(('sentiment_score__isnull', True), models.Q(('sentiment_score__gte', -1), ('sentiment_score__lte', 1)), _connector='OR'), name='mention_sentiment_score_range', violation_error_message='A sentiment score lies between -1 and 1.'),
                ),
                migrations.AddIndex(
                    model_name='mentioncount',
                    index=models.Index(fields=['incident', 'hour'], name='mentioncount_incident_hour'),
                ),
                migrations.AddConstraint(
                    model_name='mentioncount',
                    constraint=models.UniqueConstraint(models.F('hour'), django.db.models.functions.comparison.Coalesce('incident', 0), models.F('sentiment_label'), name='mentioncount_unique_hour'),
                ),
                migrations.AddIndex(
                    model_name='mentionlinkevent',
                    index=models.Index(fields=['mention', 'at'], name='mentionlink_mention_at'),
                ),
                migrations.AddIndex(
                    model_name='mentionlinkevent',
                    index=models.Index(fields=['incident', 'at'], name='mentionlink_incident_at'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_types, label_back),
    ]
