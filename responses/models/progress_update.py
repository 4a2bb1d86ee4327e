"""Progress updates: the team's internal log, and public updates that keep the audience informed
on the cadence we promised."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crisis.lifecycle import Move, VersionedModel


class ProgressUpdateQuerySet(models.QuerySet):
    def published_public(self):
        return self.filter(kind=ProgressUpdate.Kind.PUBLIC, status=ProgressUpdate.Status.PUBLISHED)


class ProgressUpdate(VersionedModel):
    class Kind(models.TextChoices):
        INTERNAL = "internal", "Internal"
        PUBLIC = "public", "Public"

    class Status(models.TextChoices):
        # An internal update is posted at once; a public one is drafted, then published by a
        # manager who did not write it.
        POSTED = "posted", "Posted"
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MOVES = {
        "publish": Move(
            frozenset({Status.DRAFT}),
            Status.PUBLISHED,
            "responses.publish_progressupdate",
            "Publish",
        ),
        "withdraw": Move(
            frozenset({Status.DRAFT}),
            Status.WITHDRAWN,
            "responses.change_progressupdate",
            "Withdraw",
        ),
    }

    # PROTECT: updates are part of the record; an incident is cancelled, never deleted.
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="progress_updates"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INTERNAL)
    body = models.TextField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # For a public update: when the audience will hear from us next.
    next_update_at = models.DateTimeField("next update promised for", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="authored_updates",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField("published", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    withdrawn_at = models.DateTimeField("withdrawn", null=True, blank=True, editable=False)

    history = HistoricalRecords()
    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("publish_progressupdate", "Can publish a public progress update"),
        ]
        indexes = [
            # The update clock reads an incident's latest published public update.
            models.Index(
                fields=["incident", "kind", "status", "-published_at"],
                name="update_incident_published",
            ),
        ]
        constraints = [
            # The update clock and the public page read published_at.
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="update_published_has_time",
            ),
            # Internal updates are posted; only public ones are drafted and published.
            models.CheckConstraint(
                condition=Q(kind="internal", status="posted")
                | Q(kind="public", status__in=["draft", "published", "withdrawn"]),
                name="update_status_fits_kind",
            ),
            # Every published public update promises the next one.
            models.CheckConstraint(
                condition=~Q(kind="public", status="published") | Q(next_update_at__isnull=False),
                name="update_public_promises_next",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} update #{self.pk}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.incident.reference]) + f"#update-{self.pk}"

    def frozen_incident_id(self):
        return self.incident_id

    @property
    def is_public(self):
        return self.kind == self.Kind.PUBLIC
