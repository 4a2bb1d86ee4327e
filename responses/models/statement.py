"""The statement: its wording, its workflow and its length rules (who may review it:
responses.models.statement_review)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from crisis.fields import ChoiceListField
from crisis.lifecycle import Move, TransitionRefused, VersionedModel, clean_reason
from incidents.models import Incident, Platform
from responses import promise
from responses.lengths import length_check, length_errors
from responses.models.four_eyes import FourEyesQuerySet
from responses.models.publication import Publication
from responses.models.review_round import ReviewRound, group_ids
from responses.models.statement_chain import StatementChain
from responses.models.statement_checks import (
    _checks,
    _fits_every_target,
    _has_public_title,
    _same_version,
)
from responses.models.statement_review import StatementReview
from responses.models.statement_versions import StatementVersions


class StatementQuerySet(FourEyesQuerySet):
    def awaiting_review_by(self, user):
        """The statements ``user`` may review now (:meth:`Statement.may_review`), oldest
        submission first, as a list. Two queries (the user's groups, the statements), and when
        any is waiting four more however many: their rounds, stages, backups, history."""
        if user.pk is None:
            return []
        # Narrowed in SQL to the stages the user decides and what may_review would refuse
        # anyway; may_review decides. One filter() so that the conditions hold for one stage.
        waiting = self.filter(status=Statement.Status.IN_REVIEW).exclude(author=user)
        if not user.is_superuser:
            waiting = waiting.filter(
                Q(review_rounds__stages__group__in=group_ids(user))
                | Q(review_rounds__stages__backups=user),
                review_rounds__outcome=ReviewRound.Outcome.OPEN,
                review_rounds__stages__started_at__isnull=False,
                review_rounds__stages__decision="",
            )
        statements = list(
            self.filter(pk__in=waiting.values("pk"))
            .select_related("incident", "author")
            .order_by("submitted_at", "pk")
        )
        if not statements:
            return []
        Statement.attach_chains(statements)
        writers = Statement.writers_of([s.pk for s in statements])
        return [s for s in statements if s.may_review(user, writers[s.pk])]

    def published(self):
        return self.filter(status=Statement.Status.PUBLISHED)


class Statement(StatementChain, StatementReview, VersionedModel):
    class Kind(models.TextChoices):
        HOLDING = "holding", "Holding statement"
        ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
        APOLOGY = "apology", "Apology"
        CORRECTION = "correction", "Correction"
        CLOSING = "closing", "Closing statement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # The workflow, in the order its buttons appear. Who may review is narrower than the
    # permission: nobody reviews a statement they wrote any of (see review_refusal).
    MOVES = {
        "submit": Move(
            frozenset({Status.DRAFT}),
            Status.IN_REVIEW,
            "responses.change_statement",
            "Submit for approval",
        ),
        "approve": Move(
            frozenset({Status.IN_REVIEW}),
            Status.APPROVED,
            # Who decides is the chain's current stage (review_refusal), not a role.
            None,
            "Approve",
        ),
        "request_changes": Move(
            frozenset({Status.IN_REVIEW}),
            Status.DRAFT,
            None,
            "Request changes",
        ),
        "publish": Move(
            frozenset({Status.APPROVED}),
            Status.PUBLISHED,
            "responses.publish_statement",
            "Publish",
        ),
        "withdraw": Move(
            frozenset({Status.DRAFT, Status.IN_REVIEW, Status.APPROVED}),
            Status.WITHDRAWN,
            "responses.change_statement",
            "Withdraw",
        ),
    }
    REVIEW_MOVES = ("approve", "request_changes")
    FROZEN_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)
    # What a reviewer approves: an edit of these while in review or approved voids the review,
    # and whoever saved a change to them is one of the statement's writers.
    WRITING_FIELDS = ("kind", "body", "target_platforms")

    # PROTECT: statements are part of the record; an incident is cancelled, never deleted.
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="statements")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.HOLDING)
    body = models.TextField(help_text="The exact words the audience will read.")
    target_platforms = ChoiceListField(
        "target platforms",
        item_choices=Platform.choices,
        blank=False,
        help_text="Where it will be posted. The body must fit every one of them.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="authored_statements",
        editable=False,
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    created_at = models.DateTimeField("drafted", default=timekeeper.now, editable=False)
    submitted_at = models.DateTimeField("submitted", null=True, blank=True, editable=False)
    # The latest approval, kept after an edit voids it so reviewers can compare against it;
    # the status says whether it still holds.
    approved_at = models.DateTimeField("approved", null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    approved_version = models.PositiveIntegerField(
        "approved version", null=True, blank=True, editable=False
    )
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
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()
    objects = StatementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("approve_statement", "Can approve or request changes on a statement"),
            ("publish_statement", "Can publish an approved statement"),
        ]
        indexes = [
            # "Waiting for your approval" on the dashboard: statements in review, oldest first.
            models.Index(fields=["status", "submitted_at"], name="statement_status_submitted"),
        ]
        constraints = [
            # Approved and published statements always say who approved which wording, when.
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "published"])
                | Q(approved_at__isnull=False, approved_version__isnull=False),
                name="statement_approved_has_approval",
            ),
            # The public page and the acknowledgement clock read published_at.
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="statement_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="statement_withdrawn_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} on {self.incident.reference}"

    def get_absolute_url(self):
        return reverse("responses:statement-detail", args=[self.pk])

    @property
    def is_editable(self):
        """Whether the wording may still change: not published or withdrawn, and the incident
        not frozen. No queries once the incident is loaded."""
        return not self.edit_refusal()

    def edit_refusal(self):
        """Why the wording may not change now, or ``""``: a published or withdrawn statement
        stays as it was (a correction is a new statement), and a frozen incident freezes it. No
        queries once the incident is loaded; the edit verb asks it of the locked row."""
        if self.status in self.FROZEN_STATUSES:
            return (
                f"A {self.get_status_display().lower()} statement cannot be edited. "
                "Write a correction as a new statement instead."
            )
        if not self.incident.is_editable:
            return self.incident.frozen_notice()
        return ""

    def frozen_incident_id(self):
        return self.incident_id

    def versions(self, wanted=None, yours=None):
        """Every saved version with ``wanted`` chosen and its word diffs, against ``yours``
        too (the version the reader last approved; see :class:`StatementVersions`). Queries
        the history once."""
        return StatementVersions(self, wanted, yours)

    @property
    def platform_labels(self):
        return self._meta.get_field("target_platforms").labels(self.target_platforms)

    def length_check(self):
        """The body's length on each target platform, counted as that platform counts (with
        the promise of the next update at its widest until it is published)."""
        return length_check(promise.measurable(self.body), self.target_platforms)

    @property
    def promise_preview(self):
        """How the promise of the next update in the body would read if it were published now
        (responses.promise), or ``""`` when it makes none or is already published."""
        if self.is_published or promise.PROMISE not in self.body:
            return ""
        return promise.preview(self.incident)

    def clean(self):
        """A body must fit every target platform: the form shows which one, by how much."""
        super().clean()
        errors = length_errors(promise.measurable(self.body), self.target_platforms)
        if errors:
            raise ValidationError({"body": errors})

    @property
    def is_in_review(self):
        return self.status == self.Status.IN_REVIEW

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_withdrawn(self):
        return self.status == self.Status.WITHDRAWN

    @property
    def approval_holds(self):
        """Whether the latest approval still covers the current wording."""
        return self.status in (self.Status.APPROVED, self.Status.PUBLISHED)

    @property
    def needs_new_approval(self):
        """A draft again after an approval that an edit voided."""
        return self.status == self.Status.DRAFT and self.approved_version is not None

    @property
    def edit_returns_to_draft(self):
        """Whether saving a change to the wording now voids a review or an approval."""
        return self.status in (self.Status.IN_REVIEW, self.Status.APPROVED)

    @classmethod
    def draft(cls, *, incident, by, reason="Drafted", **fields):
        """Create a draft by ``by`` with history. Queries the database."""
        statement = cls(incident=incident, author=by, **fields)
        statement._save_as(by, reason)
        return statement

    def save_wording(self, *, by, expected_version, fields):
        """Save an edit from the form. Queries and locks the row (see ``save_edit``).

        A change of wording (``WRITING_FIELDS``: the kind, the body or the platforms) while in
        review or after approval sends the statement back to Draft, because an approval belongs
        to the words that were reviewed, for the platforms they were reviewed for. Published and
        withdrawn statements refuse every edit (a correction is a new statement).
        """

        def back_to_draft_if_reworded(row, changed):
            refusal = row.edit_refusal()
            if refusal:
                raise TransitionRefused(refusal)
            if not set(changed) & set(self.WRITING_FIELDS):
                return None
            if not row.edit_returns_to_draft:
                return None
            reason = (
                "Edited after approval: back to Draft"
                if row.status == self.Status.APPROVED
                else "Edited during review: back to Draft"
            )
            row.status = self.Status.DRAFT
            # The round that was deciding ends: a new submission starts at the first stage.
            row._end_open_round(ReviewRound.Outcome.REWORDED, timekeeper.now())
            return reason

        return self.save_edit(
            by=by,
            expected_version=expected_version,
            fields=fields,
            before_save=back_to_draft_if_reworded,
        )

    # The workflow verbs. Each queries and locks the row (see VersionedModel._transition).
    # ``version``, when given, is the version the actor was looking at: a decision about words
    # that have changed since is refused rather than applied to the new words.

    def submit(self, *, by, version=None):
        """Submit the wording for approval: a new review round copies the approval chain that
        applies to the incident now (responses.models.review_round), and those who decide its
        first stage are told. Queries and locks the row, then the chain."""
        from responses import services

        now = timekeeper.now()

        def open_round(row):
            review_round = ReviewRound.start(row, by=by, now=now)
            services.mail_review_requested(row, review_round.stages.get(position=1))

        return self._transition(
            "submit",
            by=by,
            reason="Submitted for approval",
            check=_checks(_same_version(version), _fits_every_target),
            changes={"submitted_at": now},
            record=open_round,
        )

    def publish(self, *, by, links=None):
        """Publish to every target platform; ``links`` maps platform codes to post URLs (each
        optional, addable later), with the promise of the next update written out as counted
        from now (responses.promise). Also starts the incident's public acknowledgement clock the
        first time, and records the incident's latest public word. Queries and locks the
        statement and then the incident."""
        from responses import posting, services

        links = links or {}
        now = timekeeper.now()
        with transaction.atomic():
            row = self._transition(
                "publish",
                by=by,
                reason="Published",
                check=_checks(_fits_every_target, _has_public_title),
                # The promise of the next update, counted from now: what the clock will say.
                changes=lambda row: {
                    "published_at": now,
                    "published_by": by,
                    "body": promise.fill(row, now),
                },
                record=services.mail_published,
            )
            Publication.objects.bulk_create(
                Publication(statement=row, platform=code, url=links.get(code, ""), published_at=now)
                for code in row.target_platforms
            )
            # Posted for real where an account is connected, by a job after the commit.
            posting.queue_posts(row)
            incident = Incident.objects.select_for_update().get(pk=row.incident_id)
            if incident.first_acknowledged_at is None:
                incident.first_acknowledged_at = now
                incident._save_as(by, f"First public acknowledgement: {row.get_kind_display()}")
            Incident.objects.filter(pk=row.incident_id).record_public_word(now)
        return row

    def withdraw(self, *, by, reason=""):
        from responses import services

        reason = clean_reason(reason)
        return self._transition(
            "withdraw",
            by=by,
            reason="Withdrawn" + (f": {reason}" if reason else ""),
            changes={"withdrawn_at": timekeeper.now(), "withdrawn_by": by},
            record=lambda row: (
                row._end_open_round(ReviewRound.Outcome.WITHDRAWN, row.withdrawn_at),
                services.mail_withdrawn(row, by),
            ),
        )
