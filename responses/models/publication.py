"""Where a published statement went, with the post's link."""

from django.db import models
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from crisis.lifecycle import FrozenGuard
from incidents.models import Platform


class Publication(FrozenGuard):
    """Where a published statement went: one row per target platform, with the post's link."""

    statement = models.ForeignKey(
        "responses.Statement", on_delete=models.PROTECT, related_name="publications"
    )
    platform = models.CharField(max_length=20, choices=Platform.choices)
    url = models.URLField(
        "link",
        max_length=500,
        blank=True,
        help_text="The address of the post on the platform, once it is up.",
    )
    published_at = models.DateTimeField(default=timekeeper.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            # A statement goes to each platform once; a repost is a new statement.
            models.UniqueConstraint(
                fields=["statement", "platform"], name="publication_once_per_platform"
            ),
        ]

    def __str__(self):
        return f"{self.get_platform_display()}: {self.url or 'no link yet'}"

    def frozen_incident_id(self):
        """Queries the statement unless it is already loaded."""
        return self.statement.incident_id

    def set_link(self, url, *, by):
        """Record the post's link with ``by`` in history."""
        self.url = url
        self._history_user = by
        self._change_reason = "Link added" if url else "Link removed"
        self.save(update_fields=["url"])
        return self
