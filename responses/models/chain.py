"""Approval chains as admins define them: per incident category and from a minimum severity, the
ordered stages a statement's wording passes (Comms lead → Legal → Executive), each a group that
decides, named backups and a time to decide.

A statement copies the chain in force when it is submitted into its review round
(responses.models.review_round), so an admin's later edit never changes a running round. Where no
chain matches, the default is today's rule: one stage, decided by the Managers group.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from crisis.roles import MANAGERS
from incidents.models import Incident

# The chain in force when no chain matches: one stage, the Managers group, no clock.
DEFAULT_CHAIN_NAME = "Default: one manager"
DEFAULT_STAGE_NAME = "Manager"
# A stage may take at most a week: a longer time is surely a typo (minutes, not hours).
MAX_MINUTES_TO_DECIDE = 7 * 24 * 60


class ApprovalChainQuerySet(models.QuerySet):
    def for_incident(self, incident):
        """The active chain that applies to ``incident``: of its category, with the strictest
        minimum severity the incident reaches (a chain "from severity 2" applies to severities 1
        and 2; when chains from 2 and from 4 both apply, the one from 2 is the stricter). None
        when none applies (the default rule then). One query."""
        return (
            self.filter(
                is_active=True, category=incident.category, min_severity__gte=incident.severity
            )
            .order_by("min_severity", "pk")
            .first()
        )


class ApprovalChain(models.Model):
    """The stages a statement about an incident of one category and severity passes."""

    name = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=30, choices=Incident.Category.choices)
    min_severity = models.PositiveSmallIntegerField(
        "from severity",
        choices=Incident.Severity.choices,
        help_text="Applies to incidents of this severity or more serious (1 is critical).",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="An inactive chain is never chosen for a new round."
    )
    history = HistoricalRecords()
    objects = ApprovalChainQuerySet.as_manager()

    class Meta:
        ordering = ["category", "min_severity", "name"]
        constraints = [
            # One active chain per category and threshold, so the choice is never a guess.
            models.UniqueConstraint(
                fields=["category", "min_severity"],
                condition=Q(is_active=True),
                name="approval_chain_one_active_per_threshold",
                violation_error_message=(
                    "An active chain for this category from this severity exists already."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class ChainStage(models.Model):
    """One stage of a chain: who decides it (a group, and named backups), in how long."""

    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(
        "order", default=1, help_text="Stages are decided in this order, lowest first."
    )
    name = models.CharField(max_length=80, help_text="For example: Legal.")
    # PROTECT: a group that decides a stage is not deleted from under the chain.
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        related_name="chain_stages",
        help_text="Its members decide this stage.",
    )
    backups = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="backup_chain_stages",
        help_text="They may decide this stage too, and are told when it is not decided in time.",
    )
    minutes_to_decide = models.PositiveIntegerField(
        "minutes to decide",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES_TO_DECIDE)],
        help_text="After this long undecided, the backups are told.",
    )

    class Meta:
        ordering = ["chain", "position", "pk"]
        constraints = [
            # The order of a chain is unambiguous.
            models.UniqueConstraint(
                fields=["chain", "position"],
                name="chain_stage_unique_position",
                violation_error_message="Two stages of the chain have the same order.",
            ),
            models.CheckConstraint(
                condition=Q(minutes_to_decide__gte=1),
                name="chain_stage_minutes_positive",
                violation_error_message="Give at least one minute to decide.",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    def clean(self):
        super().clean()
        if self.minutes_to_decide is not None and self.minutes_to_decide < 1:
            raise ValidationError({"minutes_to_decide": "Give at least one minute to decide."})


def default_stage_group():
    """The group of the default chain's one stage (Managers), or None should it be gone. One
    query."""
    return Group.objects.filter(name=MANAGERS).first()
