"""A step of the action plan: what we do to fix the situation (Rectify) or to stop a repeat
(Prevent), with an owner and a due time."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crisis.lifecycle import Move, VersionedModel, clean_reason


class ActionItemQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=ActionItem.UNFINISHED_STATUSES)

    def owned_by(self, user):
        return self.filter(owner=user)


class ActionItem(VersionedModel):
    class Kind(models.TextChoices):
        RECTIFY = "rectify", "Rectify"
        PREVENT = "prevent", "Prevent"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    UNFINISHED_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    # The item's lifecycle, in the order its buttons appear.
    MOVES = {
        "start": Move(
            frozenset({Status.OPEN}),
            Status.IN_PROGRESS,
            "responses.change_actionitem",
            "Start",
        ),
        "complete": Move(
            frozenset({Status.OPEN, Status.IN_PROGRESS}),
            Status.DONE,
            "responses.change_actionitem",
            "Mark done",
        ),
        "drop": Move(
            frozenset({Status.OPEN, Status.IN_PROGRESS}),
            Status.DROPPED,
            "responses.change_actionitem",
            "Drop",
        ),
        "reopen": Move(
            frozenset({Status.DONE, Status.DROPPED}),
            Status.OPEN,
            "responses.change_actionitem",
            "Reopen",
        ),
    }

    # PROTECT: items are part of the record; an incident is cancelled, never deleted.
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="action_items"
    )
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    kind = models.CharField(
        max_length=10,
        choices=Kind.choices,
        default=Kind.RECTIFY,
        help_text="Rectify fixes the situation; Prevent stops it happening again.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_action_items",
    )
    due_at = models.DateTimeField("due", null=True, blank=True)
    is_public = models.BooleanField(
        "public",
        default=False,
        help_text="Shown in the action plan on the incident's public page.",
    )
    position = models.PositiveIntegerField("order", default=0, editable=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    started_at = models.DateTimeField("started", null=True, blank=True, editable=False)
    completed_at = models.DateTimeField("done", null=True, blank=True, editable=False)
    dropped_at = models.DateTimeField("dropped", null=True, blank=True, editable=False)
    drop_reason = models.TextField("reason for dropping", blank=True, editable=False)
    # The plan template it came from, if any (applying a template twice is noticed by this).
    plan_template = models.ForeignKey(
        "responses.PlanTemplate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()
    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        indexes = [
            # "My action items" on the dashboard: unfinished items of one owner, soonest due.
            models.Index(fields=["owner", "status", "due_at"], name="actionitem_owner_due"),
            # An incident's plan in its order.
            models.Index(fields=["incident", "position"], name="actionitem_incident_order"),
        ]
        constraints = [
            # A dropped item always says why (the form asks; this keeps the shell honest).
            models.CheckConstraint(
                condition=~Q(status="dropped") | ~Q(drop_reason=""),
                name="actionitem_dropped_has_reason",
                violation_error_message="Say why the item is dropped.",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_at__isnull=False),
                name="actionitem_done_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.incident.reference]) + f"#item-{self.pk}"

    def frozen_incident_id(self):
        return self.incident_id

    @property
    def is_unfinished(self):
        return self.status in self.UNFINISHED_STATUSES

    def clean(self):
        super().clean()
        if self.pk is None and self.due_at is not None and self.due_at < timezone.now():
            raise ValidationError({"due_at": "A new item cannot be due in the past."})

    def add(self, *, by, reason="Added"):
        """Save a new item at the end of its incident's plan, with ``by`` in its history.
        Queries the database (the save refuses a frozen incident)."""
        last = (
            ActionItem.objects.filter(incident_id=self.incident_id)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        self.position = (last or 0) + 1
        self.created_by = by
        self._save_as(by, reason)
        return self

    # The lifecycle verbs. Each queries and locks the row (see VersionedModel._transition).

    def start(self, *, by):
        return self._transition("start", by=by, reason="", changes={"started_at": timezone.now()})

    def complete(self, *, by, note=""):
        note = clean_reason(note)
        return self._transition(
            "complete",
            by=by,
            reason=f"Done: {note}" if note else "",
            changes={"completed_at": timezone.now()},
        )

    def drop(self, *, by, reason):
        reason = clean_reason(reason, required=True, missing="Say why the item is dropped.")
        return self._transition(
            "drop",
            by=by,
            reason=f"Dropped: {reason}",
            changes={"dropped_at": timezone.now(), "drop_reason": reason},
        )

    def reopen(self, *, by, reason=""):
        reason = clean_reason(reason)
        return self._transition(
            "reopen",
            by=by,
            reason=f"Reopened: {reason}" if reason else "",
            changes={"completed_at": None, "dropped_at": None},
        )
