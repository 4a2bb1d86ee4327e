"""One reviewer's decision on one version of a statement."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from crisis.lifecycle import FrozenGuard


class Review(FrozenGuard):
    """One decision on one version of a statement. Written only by Statement's verbs."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        REQUEST_CHANGES = "request_changes", "Changes requested"

    statement = models.ForeignKey(
        "responses.Statement", on_delete=models.PROTECT, related_name="reviews"
    )
    statement_version = models.PositiveIntegerField("version reviewed")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    # The stage of the approval chain decided (None for reviews made before chains).
    stage = models.ForeignKey(
        "responses.RoundStage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
        editable=False,
    )
    created_at = models.DateTimeField(default=timekeeper.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # The author reads why changes are wanted; an empty request helps nobody.
            models.CheckConstraint(
                condition=~Q(decision="request_changes") | ~Q(comment=""),
                name="review_request_changes_has_comment",
                violation_error_message="Say what should change.",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} (version {self.statement_version})"

    def frozen_incident_id(self):
        """Queries the statement unless it is already loaded."""
        return self.statement.incident_id

    @classmethod
    def record(cls, statement, *, by, decision, comment, stage=None):
        """Save the decision on the version just reviewed (the one before the move)."""
        review = cls(
            statement=statement,
            # The move bumped the version; the reviewer read the one before.
            statement_version=statement.version - 1,
            reviewer=by,
            decision=decision,
            comment=comment,
            stage=stage,
        )
        review._history_user = by
        review._change_reason = review.get_decision_display()
        review.save()
        return review
