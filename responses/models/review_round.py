"""A statement's review rounds: each submission copies the approval chain in force
(responses.models.chain) into a round of stages, decided one after the other on one wording.

The rows are written only by the statement's verbs (responses.models.statement_chain), under the
lock of the statement's row, and the statement's history records every decision with its reason;
so these rows keep no history of their own. A round ends when its last stage approves, when a
stage requests changes, when the wording is edited, or when the statement is withdrawn.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q

from crisis import clocks
from crisis.history import display_user
from responses.models.chain import (
    DEFAULT_CHAIN_NAME,
    DEFAULT_STAGE_NAME,
    ApprovalChain,
    default_stage_group,
)


def wording_hash(kind, body, platforms):
    """The fingerprint of a wording: what a stage approves (the kind, the exact body, the
    platforms it was read for)."""
    text = json.dumps([kind, body, sorted(platforms or [])], ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def group_ids(user):
    """The ids of ``user``'s groups, cached on the user (one query per request)."""
    cached = getattr(user, "_chain_group_ids", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("pk", flat=True)) if user.pk else frozenset()
        user._chain_group_ids = cached
    return cached


def is_decider(user, group_id, backup_ids):
    """Whether ``user`` decides a stage of group ``group_id`` with backups ``backup_ids``: a
    member, a backup, or a superuser (who holds every permission). The one home of "who
    decides a stage" (the round's stages, and a chain's last stage for variants)."""
    if user.pk is None or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (group_id is not None and group_id in group_ids(user)) or user.pk in backup_ids


class ReviewRound(models.Model):
    """One submission of a statement for approval, through the stages of its chain."""

    class Outcome(models.TextChoices):
        OPEN = "open", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REWORDED = "reworded", "Ended by an edit of the wording"
        WITHDRAWN = "withdrawn", "Ended by withdrawal"

    statement = models.ForeignKey(
        "responses.Statement", on_delete=models.PROTECT, related_name="review_rounds"
    )
    number = models.PositiveIntegerField()
    # Which chain it was copied from (None: the default); its name as it was then.
    chain = models.ForeignKey(
        ApprovalChain, null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds"
    )
    chain_name = models.CharField(max_length=100)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The wording the round decides on: the statement's version when submitted, and its hash.
    version = models.PositiveIntegerField()
    text_hash = models.CharField(max_length=64)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "number"], name="review_round_unique_number"
            ),
            # One running round per statement: the stage in force is never a guess.
            models.UniqueConstraint(
                fields=["statement"],
                condition=Q(outcome="open"),
                name="review_round_one_open_per_statement",
            ),
            models.CheckConstraint(
                condition=Q(outcome="open", ended_at__isnull=True)
                | (~Q(outcome="open") & Q(ended_at__isnull=False)),
                name="review_round_ended_has_time",
            ),
        ]

    def __str__(self):
        return f"Round {self.number} ({self.chain_name})"

    @property
    def is_open(self):
        return self.outcome == self.Outcome.OPEN

    @classmethod
    def start(cls, statement, *, by, now):
        """Open a round for ``statement`` (locked, just moved to In review) with a copy of the
        chain that applies to its incident now, and start its first stage. Queries: the chain,
        its stages and backups, then the inserts."""
        chain = ApprovalChain.objects.for_incident(statement.incident)
        last = statement.review_rounds.order_by("-number").values_list("number", flat=True)
        review_round = cls.objects.create(
            statement=statement,
            number=(last.first() or 0) + 1,
            chain=chain,
            chain_name=chain.name if chain else DEFAULT_CHAIN_NAME,
            started_at=now,
            started_by=by,
            version=statement.version,
            text_hash=statement.wording_hash(),
        )
        if chain is None:
            RoundStage.objects.create(
                round=review_round,
                position=1,
                name=DEFAULT_STAGE_NAME,
                group=default_stage_group(),
                minutes_to_decide=None,
            )
        else:
            for position, stage in enumerate(chain.stages.prefetch_related("backups"), 1):
                copy = RoundStage.objects.create(
                    round=review_round,
                    position=position,
                    name=stage.name,
                    group_id=stage.group_id,
                    minutes_to_decide=stage.minutes_to_decide,
                )
                copy.backups.set(stage.backups.all())
        first = review_round.stages.order_by("position").first()
        first.begin(now)
        return review_round

    def end(self, outcome, now):
        self.outcome = outcome
        self.ended_at = now
        self.save(update_fields=["outcome", "ended_at"])


class RoundStage(models.Model):
    """One stage of a round: who may decide it (copied from the chain), when it began and is
    due, and what was decided on which wording."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        REQUEST_CHANGES = "request_changes", "Changes requested"

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    backups = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # None: no clock (the default chain's one stage).
    minutes_to_decide = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    comment = models.TextField(blank=True)
    # The exact wording approved: the statement's version and its hash.
    approved_version = models.PositiveIntegerField(null=True, blank=True)
    approved_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["round", "position"]
        indexes = [
            # The reminders' "stages overdue": undecided stages by due time.
            models.Index(fields=["decided_at", "due_at"], name="round_stage_undecided_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="round_stage_unique"),
            # No one approves two stages of one round (one wording): held by the database too.
            models.UniqueConstraint(
                fields=["round", "decided_by"],
                condition=Q(decision="approve"),
                name="round_stage_one_approval_per_person",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_at__isnull=False),
                name="round_stage_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(decision="approve") | ~Q(approved_hash=""),
                name="round_stage_approval_has_wording",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.name}"

    @property
    def is_decided(self):
        return bool(self.decision)

    @property
    def is_current(self):
        return self.started_at is not None and not self.decision

    def begin(self, now):
        self.started_at = now
        if self.minutes_to_decide:
            self.due_at = now + timedelta(minutes=self.minutes_to_decide)
        self.save(update_fields=["started_at", "due_at"])

    def clock(self, now=None):
        """This stage's clock (crisis.clocks.decision_clock), None without a time to decide."""
        return clocks.decision_clock(
            self.started_at, self.due_at, self.decided_at, now, label=f"Stage {self.name}"
        )

    def is_escalated(self, now=None):
        """Whether its time passed undecided (or it was decided late): its backups were told."""
        if self.due_at is None or self.started_at is None:
            return False
        return clocks.is_past(self.due_at, self.decided_at or now)

    def backup_ids(self):
        """Ids of the backups; no query when they were prefetched."""
        return {user.pk for user in self.backups.all()}

    def is_decider(self, user):
        """Whether ``user`` is one who decides this stage: a member of its group, one of its
        backups, or a superuser (who holds every permission). One query for the user's groups
        (cached on the user), none more when the backups were prefetched."""
        return is_decider(user, self.group_id, self.backup_ids())

    def deciders_text(self):
        """Who decides it, as a person reads it: "the Legal group or Ana (backup)"."""
        group = f"the {self.group.name} group" if self.group_id else "no group"
        names = sorted(display_user(user) for user in self.backups.all())
        if not names:
            return group
        return f"{group} or its backups ({', '.join(names)})"

    def record(self, *, by, decision, comment, version, text_hash, now):
        self.decided_at = now
        self.decided_by = by
        self.decision = decision
        self.comment = comment
        if decision == self.Decision.APPROVE:
            self.approved_version = version
            self.approved_hash = text_hash
        self.save()
