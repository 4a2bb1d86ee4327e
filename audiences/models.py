"""One approved core, many audiences.

An admin keeps the list of audiences (customers, employees, the press, regulators, partners,
investors…), each with its way out (the public page, a mail to its list, a press release, a
letter) and the rule for who approves what is said to it. From an approved core statement, Comms
write a variant for an audience and a language; it has its own approval and its own way out.
An approval of a variant belongs to its wording *and* to the core's approved wording it was
made from: when the core's approved text changes, the variant is stale and is not published
until someone approves it again (:meth:`Variant.stale_reason`, checked again on the locked rows
when publishing).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from audiences import languages, rules
from crisis import timekeeper
from crisis.fields import actor_field
from crisis.lifecycle import Move, TransitionRefused, VersionedModel, clean_reason
from responses.models import Statement
from responses.models.four_eyes import FourEyes

BODY_MAX_LENGTH = 20_000
APPROVE_PERMISSION = "audiences.approve_variant"
PUBLISH_PERMISSION = "audiences.publish_variant"


class VariantTaken(TransitionRefused):
    """The core has a current variant for that audience and language already."""


class Audience(models.Model):
    """Who a core statement is said to, kept by admins in the admin site."""

    class WayOut(models.TextChoices):
        PUBLIC_PAGE = "page", "The incident's public page (in the reader's language)"
        MAIL = "mail", "A mail to the audience's distribution list"
        PRESS_RELEASE = "press", "A press release (Markdown and print)"
        LETTER = "letter", "A letter (print)"

    class Rule(models.TextChoices):
        LAST_STAGE = "last_stage", "The approval chain's last stage (as for the core)"
        FOUR_EYES = "four_eyes", "Any manager who did not write the variant"

    name = models.CharField(max_length=80, unique=True)
    way_out = models.CharField("way out", max_length=10, choices=WayOut.choices)
    approval_rule = models.CharField(
        "who approves", max_length=12, choices=Rule.choices, default=Rule.LAST_STAGE
    )
    recipients = models.TextField(
        "distribution list",
        blank=True,
        help_text="For a mail: the addresses it goes to, one a line.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick to stop offering it for new variants."
    )
    order = models.PositiveSmallIntegerField(default=100)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def addresses(self):
        """The distribution list as a list of addresses, in order, without repeats."""
        seen = []
        for line in self.recipients.splitlines():
            address = line.strip()
            if address and address.lower() not in {a.lower() for a in seen}:
                seen.append(address)
        return seen

    def clean(self):
        super().clean()
        bad = []
        for address in self.addresses():
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            shown = ", ".join(b[:80] for b in bad[:5])
            raise ValidationError({"recipients": f"Not a mail address: {shown}."})
        if self.way_out == self.WayOut.MAIL and not self.addresses():
            raise ValidationError({"recipients": "A mail goes to at least one address."})


class VariantQuerySet(models.QuerySet):
    def of_core(self, core):
        """The core's variants for its page: audience, author and core loaded (one query)."""
        return (
            self.filter(core=core)
            .select_related("audience", "author", "core__incident")
            .order_by("audience__order", "audience__name", "language", "pk")
        )

    def current(self):
        return self.exclude(status=Variant.Status.WITHDRAWN)


class Variant(FourEyes, VersionedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    MOVES = {
        # From Approved too: a stale variant (its core changed) is approved again.
        "approve": Move(
            frozenset({Status.DRAFT, Status.APPROVED}),
            Status.APPROVED,
            APPROVE_PERMISSION,
            "Approve",
        ),
        "publish": Move(
            frozenset({Status.APPROVED}), Status.PUBLISHED, PUBLISH_PERMISSION, "Publish"
        ),
        "withdraw": Move(
            frozenset({Status.DRAFT, Status.APPROVED}),
            Status.WITHDRAWN,
            "audiences.change_variant",
            "Withdraw",
        ),
    }
    FROZEN_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)
    WRITING_FIELDS = ("body",)
    SECOND_EYES_PERMISSION = APPROVE_PERMISSION
    FOUR_EYES_REFUSALS = {
        "permission": "Only a manager may approve a variant.",
        "author": "You wrote this variant, so someone else must approve it.",
        "contributor": "You changed this variant’s wording, so someone else must approve it.",
    }

    core = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="variants")
    audience = models.ForeignKey(Audience, on_delete=models.PROTECT, related_name="variants")
    language = models.CharField(max_length=10, choices=languages.choices)
    body = models.TextField(
        max_length=BODY_MAX_LENGTH, help_text="The exact words this audience will read."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="authored_variants",
        editable=False,
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # The core's approved version this variant was written from, then the one it was approved
    # against: when the core's approved_version moves on (or its approval no longer holds), the
    # variant is stale.
    core_version = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField("drafted", default=timekeeper.now, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = actor_field()
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = actor_field()

    history = HistoricalRecords()
    objects = VariantQuerySet.as_manager()

    class Meta:
        ordering = ["core", "audience", "language", "pk"]
        permissions = [
            ("approve_variant", "Can approve a variant (by its audience's rule)"),
            ("publish_variant", "Can publish an approved variant"),
        ]
        constraints = [
            # One current variant per audience and language of a core (draft() says so).
            models.UniqueConstraint(
                fields=["core", "audience", "language"],
                condition=~Q(status="withdrawn"),
                name="variant_one_per_audience_language",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "published"]) | Q(approved_at__isnull=False),
                name="variant_approved_has_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="variant_published_has_time",
            ),
        ]
        indexes = [
            # The public page: published variants of an incident's statements.
            models.Index(fields=["core", "status"], name="variant_core_status"),
        ]

    def __str__(self):
        return f"{self.audience} ({self.language_name}) of {self.core}"

    def get_absolute_url(self):
        return reverse("audiences:detail", args=[self.pk])

    @property
    def incident(self):
        return self.core.incident

    @property
    def language_name(self):
        return languages.name_of(self.language)

    def frozen_incident_id(self):
        return self.core.incident_id if self.core_id else None

    # -- Rules ------------------------------------------------------------------------------

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def stale_reason(self, core=None):
        """Why the core's approved wording no longer is the one this variant was made from or
        approved against, or ``""``. ``core`` is the core as read (a locked row when
        publishing). No queries once the core is loaded."""
        core = core or self.core
        if self.status in self.FROZEN_STATUSES:
            return ""
        if not core.approval_holds:
            return (
                "The core statement was changed after its approval: once it is approved again, "
                "read this variant against it and approve it again."
            )
        if core.approved_version != self.core_version:
            return (
                "The core statement’s approved wording changed since this variant was approved "
                "(or written): read the comparison below and approve it again."
            )
        return ""

    @property
    def is_stale(self):
        return bool(self.stale_reason())

    def edit_refusal(self):
        """Why the wording may not change now, or ``""``. No queries once loaded."""
        if self.status in self.FROZEN_STATUSES:
            return f"A {self.get_status_display().lower()} variant cannot be edited."
        if not self.incident.is_editable:
            return self.incident.frozen_notice()
        return ""

    @property
    def is_editable(self):
        return not self.edit_refusal()

    def approval_refusal(self, user, writers=None):
        """Why ``user`` may not approve this wording now, or ``""``: by the audience's rule
        (:mod:`audiences.rules`), never its author or anyone who changed its words, and only
        against a core whose approval holds. Queries the history once (as
        :meth:`FourEyes.share_in_writing`), unless ``writers`` is given."""
        if self.status not in self.MOVES["approve"].sources:
            return "Only a draft variant can be approved."
        if self.status == self.Status.APPROVED and not self.is_stale:
            return "This wording is already approved."
        if not self.incident.is_editable:
            return "The incident is frozen: its variants are no longer approved."
        if not self.core.approval_holds:
            return "The core statement’s approval no longer holds: it must be approved first."
        return rules.approval_refusal(self, user, writers)

    def publish_refusal(self, core=None):
        """Why this variant may not go out now, or ``""``: approved, not stale, and for the
        public page beside its published core; a mail needs its list. ``core`` as in
        :meth:`stale_reason`. No queries once loaded."""
        core = core or self.core
        if self.status != self.Status.APPROVED:
            return "Only an approved variant can be published."
        stale = self.stale_reason(core)
        if stale:
            return "Not published: " + stale
        way_out = self.audience.way_out
        if way_out == Audience.WayOut.PUBLIC_PAGE and not core.is_published:
            return (
                "This variant is shown on the public page beside its core statement: "
                "publish the core statement first."
            )
        if way_out == Audience.WayOut.MAIL and not self.audience.addresses():
            return "The audience has no distribution list: an admin adds its addresses."
        return ""

    def clean(self):
        super().clean()
        if "\x00" in (self.body or ""):
            raise ValidationError({"body": "The text holds a NUL character; remove it."})

    # -- Verbs ------------------------------------------------------------------------------

    @classmethod
    def draft(cls, *, core, audience, language, body, by):
        """A new variant of ``core`` (whose approval must hold) for ``audience`` in
        ``language``, written by ``by``. Queries the database; a second current variant for the
        same audience and language is refused."""
        if not by.has_perm("audiences.add_variant"):
            raise TransitionRefused("Only Comms and managers may write variants.")
        if not core.approval_holds:
            raise TransitionRefused("A variant is written from an approved core statement.")
        if not audience.is_active:
            raise TransitionRefused("This audience is no longer offered.")
        variant = cls(
            core=core,
            audience=audience,
            language=language,
            body=body,
            author=by,
            core_version=core.approved_version,
        )
        variant.full_clean(exclude=["core_version"], validate_constraints=False)
        try:
            with transaction.atomic():
                variant._save_as(by, "Drafted")
        except IntegrityError as taken:
            raise VariantTaken(
                f"This statement already has a variant for {audience} in "
                f"{languages.name_of(language)}: edit that one."
            ) from taken
        return variant

    @classmethod
    def existing(cls, core, audience, language):
        """The current variant of ``core`` for ``audience`` and ``language``, or None."""
        return cls.objects.current().filter(core=core, audience=audience, language=language).first()

    def save_wording(self, *, by, expected_version, fields):
        """Save an edit (:meth:`VersionedModel.save_edit`): a change of the words of an approved
        variant sends it back to Draft. Queries and locks the row."""

        def back_to_draft_if_reworded(row, changed):
            refusal = row.edit_refusal()
            if refusal:
                raise TransitionRefused(refusal)
            if "body" in changed and row.status == self.Status.APPROVED:
                row.status = self.Status.DRAFT
                return "Edited after approval: back to Draft"
            return None

        return self.save_edit(
            by=by,
            expected_version=expected_version,
            fields=fields,
            before_save=back_to_draft_if_reworded,
        )

    def approve(self, *, by, version=None):
        """Approve ``version`` of the wording (the one the approver read) against the core's
        approved wording as it is now. Queries and locks the variant, then its core."""

        def check(row):
            if version is not None and row.version != version:
                raise TransitionRefused(
                    "The variant changed after you opened it. Read the new wording, then decide."
                )
            row.core = Statement.objects.select_for_update().get(pk=row.core_id)
            refusal = row.approval_refusal(by)
            if refusal:
                raise TransitionRefused(refusal)

        return self._transition(
            "approve",
            by=by,
            reason="Approved",
            check=check,
            changes=lambda row: {
                "approved_at": timekeeper.now(),
                "approved_by": by,
                "core_version": row.core.approved_version,
            },
        )

    def publish(self, *, by):
        """Send the variant out its audience's way. Queries and locks the variant, then its
        core: a core changed meanwhile is seen here, and the publication refused (its editor
        holds the same lock, so the two happen one after the other)."""
        from audiences import services

        def check(row):
            # The core's row alone (not its incident's): its editor locks the same row.
            row.core = Statement.objects.select_for_update().get(pk=row.core_id)
            refusal = row.publish_refusal(row.core)
            if refusal:
                raise TransitionRefused(refusal)

        return self._transition(
            "publish",
            by=by,
            reason="Published",
            check=check,
            changes={"published_at": timekeeper.now(), "published_by": by},
            record=services.send_out,
        )

    def withdraw(self, *, by, reason=""):
        reason = clean_reason(reason)
        return self._transition(
            "withdraw", by=by, reason="Withdrawn" + (f": {reason}" if reason else "")
        )
