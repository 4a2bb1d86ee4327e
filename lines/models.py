"""The library of approved lines: what the team may say, and its answers to likely questions, per
kind of incident, each with an owner who keeps it current by its "review by" date.

Comms draft and edit lines; a manager approves the exact wording, never a line they own or last
worded. An edit of the wording clears the approval, so only wording a manager read is offered
when a statement is drafted (:meth:`ApprovedLineQuerySet.offered_for`). A line no longer said is
retired, never deleted. Every change keeps its history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from crisis.lifecycle import TransitionRefused, VersionedModel
from incidents.models import Incident

APPROVE_PERMISSION = "lines.approve_approvedline"
CHANGE_PERMISSION = "lines.change_approvedline"
TEXT_MAX_LENGTH = 3000
QUESTION_MAX_LENGTH = 500
# The fields that make the wording a manager approves: changing any of them clears the approval.
WORDING_FIELDS = ("kind", "question", "text")
ANY_CATEGORY = "any"
CATEGORY_CHOICES = [(ANY_CATEGORY, "Any category"), *Incident.Category.choices]


class ApprovedLineQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(approved_at__isnull=False)

    def current(self):
        return self.filter(is_retired=False)

    def in_category(self, category):
        """Lines written for ``category``, and those for any category."""
        return self.filter(category__in=[category, ANY_CATEGORY])

    def offered_for(self, category):
        """What drafting for an incident of ``category`` offers: approved, not retired lines of
        its category and of any category; lines before answers, each by its order of writing."""
        return (
            self.approved()
            .current()
            .in_category(category)
            .select_related("owner")
            .order_by("kind", "pk")
        )

    def search(self, words):
        """Lines whose wording or question holds every one of ``words`` (a string)."""
        found = self
        for word in (words or "").split():
            found = found.filter(Q(text__icontains=word) | Q(question__icontains=word))
        return found


class ApprovedLine(VersionedModel):
    class Kind(models.TextChoices):
        # Sorted before answers when offered (the stored values sort that way).
        LINE = "a_line", "A line to say"
        ANSWER = "answer", "An answer to a likely question"

    category = models.CharField(max_length=32, choices=CATEGORY_CHOICES, default=ANY_CATEGORY)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LINE)
    question = models.CharField(
        max_length=QUESTION_MAX_LENGTH,
        blank=True,
        help_text="The likely question this line answers (for an answer only).",
    )
    text = models.TextField(max_length=TEXT_MAX_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lines_owned"
    )
    review_by = models.DateField(help_text="When the owner checks that the line still holds.")
    # Who last wrote the wording (the line's author for the no-own-approval rule).
    worded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lines_worded"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lines_approved",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    is_retired = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)

    history = HistoricalRecords()
    objects = ApprovedLineQuerySet.as_manager()

    class Meta:
        ordering = ["category", "kind", "pk"]
        permissions = [("approve_approvedline", "Can approve the wording of an approved line")]
        constraints = [
            # An answer says which question it answers (the form's message: clean()).
            models.CheckConstraint(
                condition=~Q(kind="answer") | ~Q(question=""), name="line_answer_has_question"
            ),
            # Approved means both who and when (approve() sets them together).
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="line_approval_whole",
            ),
        ]
        indexes = [
            # The statement form's offer: approved, current lines of one category.
            models.Index(fields=["category", "is_retired"], name="line_offer"),
        ]

    def __str__(self):
        label = self.question if self.kind == self.Kind.ANSWER else self.text
        short = " ".join(label.split())
        return short if len(short) <= 60 else short[:59] + "…"

    def get_absolute_url(self):
        return reverse("lines:edit", args=[self.pk])

    def frozen_incident_id(self):
        # A line belongs to no incident: closing one freezes nothing here.
        return None

    def clean(self):
        super().clean()
        if self.kind == self.Kind.ANSWER and not self.question.strip():
            raise ValidationError({"question": "Say which question this answers."})

    # -- Rules ------------------------------------------------------------------------------

    @property
    def is_approved(self):
        return self.approved_at is not None

    def is_past_review(self, today=None):
        """Whether the "review by" date has passed (the owner should check the line again)."""
        today = today or timezone_today()
        return self.review_by < today

    def approval_refusal(self, user):
        """Why ``user`` may not approve this wording now, or ``""``. No queries."""
        if user is None or not user.is_authenticated or not user.has_perm(APPROVE_PERMISSION):
            return "Only a manager may approve a line."
        if self.is_retired:
            return "This line is retired."
        if self.is_approved:
            return "This wording is already approved."
        if user.pk in (self.owner_id, self.worded_by_id):
            return "Nobody approves their own line: another manager must approve it."
        return ""

    def edit_refusal(self, user):
        """Why ``user`` may not edit this line, or ``""``. No queries."""
        if not user.has_perm(CHANGE_PERMISSION):
            return "Only Comms and managers may edit lines."
        if self.is_retired:
            return "This line is retired; write a new one instead."
        return ""

    def retire_refusal(self, user):
        """Why ``user`` may not retire this line, or ``""``: a manager, or its owner. No
        queries."""
        if not user.has_perm(CHANGE_PERMISSION):
            return "Only Comms and managers may retire lines."
        if not user.has_perm(APPROVE_PERMISSION) and user.pk != self.owner_id:
            return "Only the line's owner or a manager may retire it."
        if self.is_retired:
            return "This line is already retired."
        return ""

    # -- Verbs ------------------------------------------------------------------------------

    @classmethod
    def draft(cls, *, by, **fields):
        """A new line, not approved yet, worded by ``by``. Queries the database."""
        if not by.has_perm("lines.add_approvedline"):
            raise TransitionRefused("Only Comms and managers may write lines.")
        line = cls(worded_by=by, **fields)
        line.full_clean()
        line._save_as(by, "Drafted")
        return line

    def save_wording(self, *, by, expected_version, fields):
        """Save an edit (:meth:`VersionedModel.save_edit`); a change of the wording clears the
        approval, and makes ``by`` the one who worded it. Queries the database."""
        refusal = self.edit_refusal(by)
        if refusal:
            raise TransitionRefused(refusal)

        def before_save(row, changed):
            if row.is_retired:
                raise TransitionRefused(row.edit_refusal(by) or "This line is retired.")
            if set(changed) & set(WORDING_FIELDS):
                row.worded_by = by
                if row.is_approved:
                    row.approved_by = row.approved_at = None
                    return "Wording edited: approval cleared"
                return "Wording edited"
            return "Edited"

        return self.save_edit(
            by=by, expected_version=expected_version, fields=fields, before_save=before_save
        )

    def approve(self, *, by, version):
        """Approve the wording of ``version`` (the one the manager read). Queries the
        database: locks the row, so two approvals at once make one."""
        return self._locked_change(
            by=by,
            version=version,
            refusal=lambda row: row.approval_refusal(by),
            changes={"approved_by": by, "approved_at": timekeeper.now()},
            reason="Approved",
        )

    def retire(self, *, by, version):
        """Stop offering this line. Queries the database (locks the row)."""
        return self._locked_change(
            by=by,
            version=version,
            refusal=lambda row: row.retire_refusal(by),
            changes={"is_retired": True},
            reason="Retired",
        )

    def _locked_change(self, *, by, version, refusal, changes, reason):
        with transaction.atomic():
            row = type(self).objects.select_for_update().get(pk=self.pk)
            why = refusal(row)
            if why:
                raise TransitionRefused(why)
            if row.version != version:
                raise TransitionRefused(
                    "The line was changed after you opened it: read it again first."
                )
            for name, value in changes.items():
                setattr(row, name, value)
            row.version += 1
            row._save_as(by, reason)
        self._copy_from(row)
        return row


def timezone_today():
    """Today's date in the desk's time zone (by the desk's clock)."""
    return timezone.localdate(timekeeper.now())
