from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crisis.fields import ChoiceListField
from crisis.lifecycle import FrozenGuard, Move, TransitionRefused, VersionedModel, clean_reason
from incidents.models import Incident, Platform

# The longest body each platform accepts, in characters; None means no limit worth checking.
# Counted as len(body), one per Unicode code point. X really counts every link as 23 characters
# and some scripts double; we ignore that: a body that fits here fits there, or nearly so.
LENGTH_LIMITS = {
    Platform.X: 280,
    Platform.BLUESKY: 300,
    Platform.THREADS: 500,
    Platform.INSTAGRAM: 2200,
    Platform.TIKTOK: 2200,
    Platform.LINKEDIN: 3000,
    Platform.YOUTUBE: 5000,
    Platform.REDDIT: 40000,
    Platform.FACEBOOK: 63206,
    Platform.OTHER: None,
}


def length_check(body, platforms):
    """One row per platform: ``(label, limit, length, excess)``; excess > 0 means too long."""
    length = len(body or "")
    rows = []
    for code in platforms or []:
        limit = LENGTH_LIMITS.get(code)
        excess = length - limit if limit is not None else 0
        rows.append((Platform(code).label, limit, length, excess))
    return rows


def length_errors(body, platforms):
    """Readable refusals, one per platform the body is too long for."""
    return [
        f"Too long for {label} by {excess:,} character{'s' if excess != 1 else ''} "
        f"({length:,} of {limit:,})."
        for label, limit, length, excess in length_check(body, platforms)
        if excess > 0
    ]


class StatementQuerySet(models.QuerySet):
    def awaiting_review_by(self, user):
        """Statements in review that ``user`` may decide on: not their own, and only for a
        user who may approve at all (otherwise none)."""
        if not user.has_perm("responses.approve_statement"):
            return self.none()
        return (
            self.filter(status=Statement.Status.IN_REVIEW)
            .exclude(author=user)
            .select_related("incident", "author")
            .order_by("submitted_at", "pk")
        )

    def published(self):
        return self.filter(status=Statement.Status.PUBLISHED)


class Statement(VersionedModel):
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
    # permission: the author never reviews their own statement (see _refuse_author).
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
            "responses.approve_statement",
            "Approve",
        ),
        "request_changes": Move(
            frozenset({Status.IN_REVIEW}),
            Status.DRAFT,
            "responses.approve_statement",
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
    # An edit of these while in review or approved voids the review.
    WORDING_FIELDS = ("body", "target_platforms")

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
    created_at = models.DateTimeField("drafted", default=timezone.now, editable=False)
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
        return self.status not in self.FROZEN_STATUSES and self.incident.is_editable

    def frozen_incident_id(self):
        return self.incident_id

    @property
    def platform_labels(self):
        return self._meta.get_field("target_platforms").labels(self.target_platforms)

    def length_check(self):
        return length_check(self.body, self.target_platforms)

    def is_reviewable_by(self, user):
        """Whether ``user`` may decide on this statement now. No queries."""
        return (
            self.status == self.Status.IN_REVIEW
            and user.has_perm("responses.approve_statement")
            and self.author_id != user.pk
        )

    def wording_contributors(self):
        """Ids of everyone who saved a change to the wording. Queries the history once.

        A manager who rewrote part of a statement is one of its authors: the four-eyes rule
        needs a reviewer who wrote none of it.
        """
        contributors = set()
        previous = None
        for body, platforms, user_id in self.history.order_by(
            "history_date", "history_id"
        ).values_list("body", "target_platforms", "history_user_id"):
            if previous is not None and (body, platforms) != previous:
                contributors.add(user_id)
            previous = (body, platforms)
        return contributors

    def allowed_moves(self, user, contributors=frozenset()):
        """The moves ``user`` may make now, a review by an author (or by one of the
        ``contributors`` to the wording, see :meth:`wording_contributors`) left out. No queries."""
        may_review = self.author_id != user.pk and user.pk not in contributors
        return [
            (action, move)
            for action, move in super().allowed_moves(user)
            if action not in self.REVIEW_MOVES or may_review
        ]

    def next_step(self, user):
        """What happens next, said to ``user`` (for badges on the incident page). No queries."""
        S = self.Status
        if self.status == S.IN_REVIEW:
            if self.is_reviewable_by(user):
                return "Waiting for your approval"
            return "Waiting for a manager’s approval"
        if self.status == S.APPROVED:
            if user.has_perm("responses.publish_statement"):
                return "Approved: ready for you to publish"
            return "Approved: waiting for a manager to publish"
        if self.status == S.DRAFT and user.has_perm("responses.change_statement"):
            return "Draft: submit it for approval when ready"
        return ""

    @classmethod
    def draft(cls, *, incident, by, **fields):
        """Create a draft by ``by`` with history. Queries the database."""
        statement = cls(incident=incident, author=by, **fields)
        statement._save_as(by, "Drafted")
        return statement

    def save_wording(self, *, by, expected_version, fields):
        """Save an edit from the form. Queries and locks the row (see ``save_edit``).

        A change of wording while in review or after approval sends the statement back to Draft,
        because an approval belongs to the words that were reviewed. Published and withdrawn
        statements refuse every edit (a correction is a new statement).
        """

        def back_to_draft_if_reworded(row, changed):
            if row.status in self.FROZEN_STATUSES:
                raise TransitionRefused(
                    f"A {row.get_status_display().lower()} statement cannot be edited. "
                    "Write a correction as a new statement instead."
                )
            if not set(changed) & set(self.WORDING_FIELDS):
                return None
            if row.status == self.Status.APPROVED:
                row.status = self.Status.DRAFT
                return "Edited after approval: back to Draft"
            if row.status == self.Status.IN_REVIEW:
                row.status = self.Status.DRAFT
                return "Edited during review: back to Draft"
            return None

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
        from responses import services

        return self._transition(
            "submit",
            by=by,
            reason="Submitted for approval",
            check=_same_version(version),
            changes={"submitted_at": timezone.now()},
            on_commit=services.mail_review_requested,
        )

    def approve(self, *, by, comment="", version=None):
        from responses import services

        comment = clean_reason(comment)
        with transaction.atomic():
            row = self._transition(
                "approve",
                by=by,
                reason="Approved" + (f": {comment}" if comment else ""),
                check=_checks(_refuse_author(by), _same_version(version)),
                changes=lambda row: {
                    "approved_at": timezone.now(),
                    "approved_by": by,
                    "approved_version": row.version,
                },
            )
            review = Review.record(row, by=by, decision=Review.Decision.APPROVE, comment=comment)
            transaction.on_commit(lambda: services.mail_decision(review))
        return row

    def request_changes(self, *, by, comment, version=None):
        from responses import services

        comment = clean_reason(
            comment,
            required=True,
            missing="Say what should change: the author reads your comment.",
        )
        with transaction.atomic():
            row = self._transition(
                "request_changes",
                by=by,
                reason=f"Changes requested: {comment}",
                check=_checks(_refuse_author(by), _same_version(version)),
            )
            review = Review.record(
                row, by=by, decision=Review.Decision.REQUEST_CHANGES, comment=comment
            )
            transaction.on_commit(lambda: services.mail_decision(review))
        return row

    def publish(self, *, by, links=None):
        """Publish to every target platform; ``links`` maps platform codes to post URLs (each
        optional, addable later). Also starts the incident's public acknowledgement clock the
        first time. Queries and locks the statement and then the incident."""
        from responses import services

        links = links or {}
        now = timezone.now()
        with transaction.atomic():
            row = self._transition(
                "publish",
                by=by,
                reason="Published",
                changes={"published_at": now, "published_by": by},
                on_commit=services.mail_published,
            )
            Publication.objects.bulk_create(
                Publication(statement=row, platform=code, url=links.get(code, ""), published_at=now)
                for code in row.target_platforms
            )
            incident = Incident.objects.select_for_update().get(pk=row.incident_id)
            if incident.first_acknowledged_at is None:
                incident.first_acknowledged_at = now
                incident._save_as(by, f"First public acknowledgement: {row.get_kind_display()}")
        return row

    def withdraw(self, *, by, reason=""):
        from responses import services

        reason = clean_reason(reason)
        return self._transition(
            "withdraw",
            by=by,
            reason="Withdrawn" + (f": {reason}" if reason else ""),
            changes={"withdrawn_at": timezone.now(), "withdrawn_by": by},
            on_commit=lambda row: services.mail_withdrawn(row, by),
        )


def _checks(*checks):
    def run_all(row):
        for check in checks:
            check(row)

    return run_all


def _refuse_author(user):
    def check(row):
        if row.author_id == user.pk:
            raise TransitionRefused("You wrote this statement, so another manager must review it.")
        if user.pk in row.wording_contributors():
            raise TransitionRefused(
                "You changed this statement’s wording, so another manager must review it."
            )

    return check


def _same_version(version):
    def check(row):
        if version is not None and row.version != version:
            raise TransitionRefused(
                "The statement changed after you opened it. Read the new wording, then decide."
            )

    return check


class Review(FrozenGuard):
    """One decision on one version of a statement. Written only by Statement's verbs."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        REQUEST_CHANGES = "request_changes", "Changes requested"

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="reviews")
    statement_version = models.PositiveIntegerField("version reviewed")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

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
    def record(cls, statement, *, by, decision, comment):
        """Save the decision on the version just reviewed (the one before the move)."""
        review = cls(
            statement=statement,
            # The move bumped the version; the reviewer read the one before.
            statement_version=statement.version - 1,
            reviewer=by,
            decision=decision,
            comment=comment,
        )
        review._history_user = by
        review._change_reason = review.get_decision_display()
        review.save()
        return review


class Publication(FrozenGuard):
    """Where a published statement went: one row per target platform, with the post's link."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="publications")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    url = models.URLField(
        "link",
        max_length=500,
        blank=True,
        help_text="The address of the post on the platform, once it is up.",
    )
    published_at = models.DateTimeField(default=timezone.now)

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
