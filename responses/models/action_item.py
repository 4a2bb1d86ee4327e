"""A step of the action plan: what we do to fix the situation (Rectify) or to stop a repeat
(Prevent), with an owner and a due time."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crisis import clocks, timekeeper
from crisis.lifecycle import Move, TransitionRefused, VersionedModel, clean_reason
from incidents.models import Incident


class ActionItemQuerySet(models.QuerySet):
    def unfinished(self):
        return self.filter(status__in=ActionItem.UNFINISHED_STATUSES)

    def owned_by(self, user):
        return self.filter(owner=user)

    def on_open_incidents(self):
        return self.filter(incident__status__in=Incident.OPEN_STATUSES)

    def soonest_due_first(self):
        """Overdue items come first because their due time is the earliest; items without a
        due time come last."""
        return self.order_by(F("due_at").asc(nulls_last=True), "position", "pk")

    def public(self):
        return self.filter(is_public=True)


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
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)
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

    def clock(self, now=None):
        """The due-time clock (crisis.clocks), or None without a due time. No queries."""
        return clocks.action_item_clock(self, now)

    def clean(self):
        super().clean()
        if self.pk is None and self.due_at is not None and self.due_at < timekeeper.now():
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
        # History reads in the past tense: "Started", "Done", "Reopened".
        return self._transition(
            "start", by=by, reason="Started", changes={"started_at": timekeeper.now()}
        )

    def complete(self, *, by, note=""):
        note = clean_reason(note)
        return self._transition(
            "complete",
            by=by,
            reason=f"Done: {note}" if note else "Done",
            changes={"completed_at": timekeeper.now()},
        )

    def drop(self, *, by, reason):
        reason = clean_reason(reason, required=True, missing="Say why the item is dropped.")
        return self._transition(
            "drop",
            by=by,
            reason=f"Dropped: {reason}",
            changes={"dropped_at": timekeeper.now(), "drop_reason": reason},
        )

    def reopen(self, *, by, reason=""):
        reason = clean_reason(reason)
        return self._transition(
            "reopen",
            by=by,
            reason=f"Reopened: {reason}" if reason else "Reopened",
            changes={"completed_at": None, "dropped_at": None},
        )

    def move(self, action, *, by, reason=""):
        """Run the verb behind a button's ``action`` name: the note goes with completing and
        reopening, and is the required reason for dropping."""
        if action == "start":
            return self.start(by=by)
        if action == "complete":
            return self.complete(by=by, note=reason)
        if action == "drop":
            return self.drop(by=by, reason=reason)
        if action == "reopen":
            return self.reopen(by=by, reason=reason)
        raise TransitionRefused("That is not a move an action item can make here.")

    # The plan's order. Not a lifecycle move and not an edit: it does not bump the version, so a
    # form opened on the item before someone reordered the plan still saves.

    def move_up(self, *, by):
        """Swap places with the item before it in the plan. Queries and locks the plan."""
        return self._reorder(-1, by=by)

    def move_down(self, *, by):
        """Swap places with the item after it in the plan. Queries and locks the plan."""
        return self._reorder(+1, by=by)

    def _reorder(self, step, *, by):
        if by is None or not by.has_perm("responses.change_actionitem"):
            raise TransitionRefused("You may not reorder the action plan.")
        self.refuse_if_frozen()
        with transaction.atomic():
            # Lock the whole plan: two people reordering at once would otherwise swap with
            # neighbours that are no longer neighbours.
            plan = list(
                ActionItem.objects.select_for_update()
                .filter(incident_id=self.incident_id)
                .order_by("position", "pk")
            )
            index = next(i for i, item in enumerate(plan) if item.pk == self.pk)
            other = index + step
            if not 0 <= other < len(plan):
                where = "first" if step < 0 else "last"
                raise TransitionRefused(f"“{self.title}” is already {where} in the plan.")
            neighbour = plan[other]
            positions = [item.position for item in plan]
            plan[index], plan[other] = plan[other], plan[index]
            if len(set(positions)) != len(positions):
                # Items added another way (a template, the admin site) may share a position:
                # number the plan afresh so that the order is exactly what was asked for.
                positions = list(range(1, len(plan) + 1))
            up, down = "Moved up in the plan", "Moved down in the plan"
            reasons = {
                self.pk: up if step < 0 else down,
                neighbour.pk: down if step < 0 else up,
            }
            for item, position in zip(plan, positions, strict=True):
                if item.position != position:
                    item.position = position
                    item._save_as(by, reasons.get(item.pk, "Plan renumbered"))
        row = next(item for item in plan if item.pk == self.pk)
        self.position = row.position
        return self
