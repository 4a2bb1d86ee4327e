"""CSV files of mentions exported by a listening tool, imported in the background.

The file waits on disk (``settings.MENTION_IMPORT_DIR``) and the worker reads it in chunks
(monitoring.imports); the row here carries its progress, counts and the first errors by line.
Not history-tracked: an operational log, like the mentions it brings in.
"""

import hashlib
import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse

from crisis import timekeeper

# A chunk of 1,000 lines takes seconds; an import with no progress written for this long has lost
# its worker (a restart, a killed process): the import's page says so and offers to restart it.
IMPORT_STALLED_AFTER = timedelta(minutes=10)

# A failed import keeps its file for a retry (the database's disk was full) this long; then
# `send_reminders` removes it.
FAILED_IMPORT_FILE_KEPT = timedelta(days=7)


def failed_import_files_expire_before(now=None):
    """Files of imports that failed before this moment are removed."""
    return (now or timekeeper.now()) - FAILED_IMPORT_FILE_KEPT


def import_is_stalled(last_progress_at, now=None):
    """Whether a running import that last wrote its progress at ``last_progress_at`` has been
    silent long enough for its worker to be taken for dead."""
    if last_progress_at is None:
        return False
    now = now or timekeeper.now()
    return now - last_progress_at >= IMPORT_STALLED_AFTER


# The fields of a mention a column can fill, with their labels, in the order the mapping form
# asks for them. What each must hold is the ingestion's rule (monitoring.mentions.MentionIn).
MAPPABLE_FIELDS = {
    "platform": "Platform",
    "external_id": "Post id",
    "url": "Link",
    "author": "Author",
    "text": "Text",
    "posted_at": "Posted at",
    "sentiment_score": "Sentiment score (-1 to 1)",
    "sentiment_label": "Sentiment label",
    "reach": "Reach",
}
# Kept per import: enough to fix a file, bounded so that a file of bad lines stays small.
MAX_STORED_ERRORS = 200


def header_key(headers):
    """One key for a set of column names, whatever their order or case (a digest, so that long
    headers fit an indexed column)."""
    names = sorted({name.strip().casefold() for name in headers if name and name.strip()})
    return hashlib.sha256(json.dumps(names).encode()).hexdigest()


class CsvColumnMappingQuerySet(models.QuerySet):
    def remembered(self, source_name, headers):
        """The mapping last used for this source and these columns, or None (one query)."""
        return self.filter(
            source_name__iexact=source_name.strip(), header_key=header_key(headers)
        ).first()


class CsvColumnMapping(models.Model):
    """Which column of a listening tool's export holds which field, remembered per source (the
    name people give the tool) and set of columns: the next export of the same tool is mapped
    already."""

    source_name = models.CharField("source", max_length=100)
    header_key = models.CharField(max_length=64, editable=False)
    headers = models.JSONField(default=list, editable=False)
    # {field name: column name}; a field left out is not imported.
    columns = models.JSONField(default=dict)
    # A platform for every row, when the file has no platform column.
    platform = models.CharField(max_length=20, blank=True)
    updated_at = models.DateTimeField(default=timekeeper.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="csv_column_mappings",
    )

    objects = CsvColumnMappingQuerySet.as_manager()

    class Meta:
        db_table = "incidents_csvcolumnmapping"
        verbose_name = "CSV column mapping"
        constraints = [
            # One remembered mapping per source and set of columns (CsvColumnMapping.remember).
            models.UniqueConstraint(
                fields=["source_name", "header_key"], name="csv_mapping_one_per_source_headers"
            ),
        ]

    def __str__(self):
        return f"{self.source_name} ({len(self.headers)} columns)"

    @classmethod
    def remember(cls, *, source_name, headers, columns, platform, by):
        """Store (or replace) the mapping for this source and columns. Queries the database."""
        mapping, _created = cls.objects.update_or_create(
            source_name=source_name.strip(),
            header_key=header_key(headers),
            defaults={
                "headers": list(headers),
                "columns": columns,
                "platform": platform,
                "updated_at": timekeeper.now(),
                "updated_by": by,
            },
        )
        return mapping


class MentionImportQuerySet(models.QuerySet):
    def recent(self):
        return self.select_related("created_by").order_by("-created_at", "-pk")

    def remove_old_failed_files(self, now=None):
        """Remove the files failed imports kept for a retry, once kept long enough
        (FAILED_IMPORT_FILE_KEPT); return how many. Queries the database."""
        failed = self.filter(
            status=MentionImport.Status.FAILED,
            finished_at__lt=failed_import_files_expire_before(now),
        )
        removed = 0
        for mention_import in failed.only("file_path").iterator():
            if mention_import.path.exists():
                mention_import.path.unlink(missing_ok=True)
                removed += 1
        return removed


class MentionImport(models.Model):
    class Status(models.TextChoices):
        # Uploaded; the columns are being mapped and the first rows previewed.
        MAPPING = "mapping", "Waiting for its columns"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    FINISHED = (Status.DONE, Status.FAILED)

    file_path = models.CharField(max_length=500, editable=False)
    original_name = models.CharField("file", max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)
    # The encoding the file is read with: UTF-8 (a byte-order mark is skipped), UTF-16 when it
    # starts with its byte-order mark, or Windows-1252 when the file is not valid UTF-8.
    encoding = models.CharField(max_length=20, default="utf-8-sig")
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    # Lines of data (after the header), counted on upload; the progress is read against it.
    total_rows = models.PositiveIntegerField(default=0)
    source_name = models.CharField("source", max_length=100)
    columns = models.JSONField(default=dict, blank=True)
    platform = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.MAPPING)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # The first MAX_STORED_ERRORS problems: [{"line": 12, "field": "posted_at", "message": …}].
    errors = models.JSONField(default=list, blank=True)
    failure = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="mention_imports",
    )
    created_at = models.DateTimeField(default=timekeeper.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # The worker's last sign of life (its start, then each chunk), for MentionImport.is_stalled.
    progress_at = models.DateTimeField(null=True, blank=True)
    # Raised by each retry: a worker taken for dead that wakes up finds a newer attempt and stops,
    # so that two workers never import the same file at once (monitoring.imports.run).
    attempt = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = MentionImportQuerySet.as_manager()

    class Meta:
        db_table = "incidents_mentionimport"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("monitoring:import-detail", args=[self.pk])

    @property
    def path(self):
        return Path(self.file_path)

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def last_progress_at(self):
        return self.progress_at or self.started_at

    @property
    def is_stalled(self):
        """Importing, but with no progress for a while (:func:`import_is_stalled`): its
        worker died."""
        return self.status == self.Status.RUNNING and import_is_stalled(self.last_progress_at)

    @property
    def can_retry(self):
        """Failed with its file still here (the database refused writes), or stalled: it can be
        queued again and carries on after the lines it counted."""
        if self.status != self.Status.FAILED and not self.is_stalled:
            return False
        return self.path.exists()

    @property
    def percent_done(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.processed_rows * 100 // self.total_rows)

    @property
    def source_label(self):
        """How the mentions it brings in name their source."""
        return f"csv:{self.pk}"

    @property
    def errors_left_out(self):
        return max(0, self.rejected_count - len(self.errors))
