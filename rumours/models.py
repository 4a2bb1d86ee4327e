"""Rumours: what is being claimed about an incident, where it was seen, how far it went, whether
it is true, and what we answered.

A rumour belongs to one incident. Its sightings are that incident's mentions; its response is
one of that incident's statements; once a manager publishes that statement, Comms may show the
claim and its correction on the incident's public page ("What is true"). Each rule has one home
here: :meth:`Rumour.mentions_refusal`, :meth:`Rumour.response_refusal`,
:meth:`Rumour.public_refusal`, and the frozen guard every record shares (a closed or cancelled
incident freezes its rumours). Every change keeps its history.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Min, Q, Sum
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from crisis.lifecycle import TransitionRefused, VersionedModel
from incidents.models import Incident
from monitoring.models import Mention
from responses.models import Statement

ADD_PERMISSION = "rumours.add_rumour"
CHANGE_PERMISSION = "rumours.change_rumour"
CLAIM_MAX_LENGTH = 2000
CORRECTION_MAX_LENGTH = 3000
# The fields a form edits (the linked mentions are set beside them: see save_changes).
EDITED_FIELDS = (
    "claim",
    "first_seen_at",
    "reach",
    "risk",
    "verification",
    "response",
    "owner",
    "correction",
    "is_public",
)


class RumourQuerySet(models.QuerySet):
    def riskiest_first(self):
        """High risk first, then the widest reach, then the newest."""
        order = models.Case(
            *(models.When(risk=risk, then=n) for n, risk in enumerate(Rumour.RISK_ORDER)),
            output_field=models.IntegerField(),
        )
        return self.annotate(risk_rank=order).order_by("risk_rank", "-reach", "-pk")

    def public_candidates(self):
        """Narrowed in SQL to what :meth:`Rumour.public_refusal` would refuse anyway (the
        method decides): ticked for the page, found false or partly true, answered by a
        published statement."""
        return self.filter(
            is_public=True,
            verification__in=Rumour.CORRECTABLE,
            response__status=Statement.Status.PUBLISHED,
        ).exclude(correction="")


class Rumour(VersionedModel):
    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        FALSE = "false", "False"
        PARTLY_TRUE = "partly_true", "Partly true"
        TRUE = "true", "True"

    RISK_ORDER = (Risk.HIGH, Risk.MEDIUM, Risk.LOW)
    # The findings a correction answers: only these may reach the public page.
    CORRECTABLE = (Verification.FALSE, Verification.PARTLY_TRUE)

    # PROTECT: rumours are part of the record; an incident is cancelled, never deleted.
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="rumours")
    claim = models.TextField(
        max_length=CLAIM_MAX_LENGTH, help_text="What is being said, in a sentence or two."
    )
    mentions = models.ManyToManyField(
        Mention,
        blank=True,
        related_name="rumours",
        verbose_name="seen in",
        help_text="The incident's mentions that carry the claim.",
    )
    first_seen_at = models.DateTimeField(
        "first seen", help_text="Left empty: the earliest of the linked mentions, or now."
    )
    reach = models.PositiveBigIntegerField(
        help_text="How many people it reached. Left empty: the linked mentions' reach added up."
    )
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.MEDIUM)
    verification = models.CharField(
        "verification status",
        max_length=16,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    # PROTECT: statements are never deleted (withdrawn instead).
    response = models.ForeignKey(
        Statement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rumours",
        help_text="The incident's statement that answers the claim.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rumours_owned",
        help_text="Who follows this rumour up.",
    )
    correction = models.TextField(
        blank=True,
        max_length=CORRECTION_MAX_LENGTH,
        help_text="What is true, in the audience's words (shown on the public page).",
    )
    is_public = models.BooleanField(
        "show on the public page",
        default=False,
        help_text="Under “What is true”, once it is found false or partly true, has a "
        "correction, and its response statement is published.",
    )
    created_at = models.DateTimeField("logged", default=timekeeper.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    # When and by whom the verification status last changed (the timeline's moment).
    verified_at = models.DateTimeField("checked", null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()
    objects = RumourQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # An incident's rumours (its panel, its list, the public page's "What is true").
            models.Index(fields=["incident", "created_at"], name="rumour_incident_logged"),
        ]
        constraints = [
            # Checked means both who and when (save_changes sets them together).
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True, verified_by__isnull=True)
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="rumour_verification_whole",
            ),
        ]

    def __str__(self):
        short = " ".join(self.claim.split())
        return short if len(short) <= 60 else short[:59] + "…"

    def get_absolute_url(self):
        return reverse("rumours:edit", args=[self.pk])

    def frozen_incident_id(self):
        return self.incident_id

    # -- Rules ------------------------------------------------------------------------------

    def mentions_refusal(self, mentions):
        """Why ``mentions`` may not be this rumour's sightings, or ``""``: only mentions linked
        to the rumour's incident. No queries (the mentions are loaded)."""
        strangers = [m for m in mentions if m.incident_id != self.incident_id]
        if strangers:
            return (
                "Only mentions of this incident can be linked; "
                f"{len(strangers)} of those chosen belong elsewhere."
            )
        return ""

    def response_refusal(self, statement):
        """Why ``statement`` may not answer this rumour, or ``""``: only a statement of the
        rumour's incident. No queries."""
        if statement is not None and statement.incident_id != self.incident_id:
            return "Only a statement of this incident can be the response."
        return ""

    def public_refusal(self):
        """Why this rumour is not on the public page, or ``""`` when it is shown: Comms chose
        to show it, it was found false or partly true, it has a correction, and its response
        statement is published. No queries once the response is loaded."""
        if not self.is_public:
            return "Not chosen for the public page."
        if self.verification not in self.CORRECTABLE:
            return "Only a rumour found false or partly true is corrected in public."
        if not self.correction.strip():
            return "Write the correction first."
        if self.response is None:
            return "Link the statement that answers it."
        if self.response.status != Statement.Status.PUBLISHED:
            return "Shown once its response statement is published."
        return ""

    @property
    def is_shown_publicly(self):
        return not self.public_refusal()

    def clean(self):
        super().clean()
        refusal = self.response_refusal(self.response if self.response_id else None)
        if refusal:
            raise ValidationError({"response": refusal})

    def _check_and_fill(self, *, by, permission, mentions):
        """What both verbs do before saving: refuse what the rules refuse (as
        :class:`TransitionRefused`), then fill what was left empty (None) from ``mentions``:
        the first time seen and the reach. One query when mentions are given."""
        if by is None or not by.has_perm(permission):
            raise TransitionRefused("Only Comms and managers may log and edit rumours.")
        why = self.mentions_refusal(mentions) or self.response_refusal(
            self.response if self.response_id else None
        )
        if why:
            raise TransitionRefused(why)
        figures = {"first": None, "reach": None}
        if mentions:
            figures = Mention.objects.filter(pk__in=[m.pk for m in mentions]).aggregate(
                first=Min("posted_at"), reach=Sum("reach")
            )
        if self.first_seen_at is None:
            self.first_seen_at = figures["first"] or self.created_at or timekeeper.now()
        if self.reach is None:
            self.reach = figures["reach"] or 0

    def _mark_checked(self, by):
        """The verification status changed: who checked it and when, together (the
        constraint ``rumour_verification_whole``), and the history's note."""
        self.verified_at, self.verified_by = timekeeper.now(), by
        return f"Checked: {self.get_verification_display().lower()}"

    # -- Verbs ------------------------------------------------------------------------------

    @classmethod
    def log(cls, *, incident, by, mentions=(), **fields):
        """Log a new rumour on ``incident``, seen in ``mentions``. Queries the database (the
        save refuses a frozen incident)."""
        mentions = list(mentions)
        rumour = cls(incident=incident, created_by=by, **fields)
        rumour._check_and_fill(by=by, permission=ADD_PERMISSION, mentions=mentions)
        if rumour.verification != cls.Verification.UNVERIFIED:
            rumour._mark_checked(by)
        with transaction.atomic():
            rumour._save_as(by, "Logged")
            rumour.mentions.set(mentions)
        return rumour

    def save_changes(self, *, by, expected_version, fields, mentions):
        """Save an edit of ``fields`` (this form-updated instance's values) and the linked
        ``mentions``, onto the locked row (:meth:`VersionedModel.save_edit`). A field left
        empty (None) is filled from the mentions; a new verification status records who
        checked it and when. Queries the database."""
        mentions = list(mentions)
        self._check_and_fill(by=by, permission=CHANGE_PERMISSION, mentions=mentions)
        wanted = {m.pk for m in mentions}

        def before_save(row, changed):
            notes = []
            if "verification" in changed:
                notes.append(row._mark_checked(by))
            linked = set(row.mentions.values_list("pk", flat=True))
            if linked != wanted:
                row.mentions.set(mentions)
                notes.append(f"Seen in {len(wanted)} mention{'s' if len(wanted) != 1 else ''}")
            if "is_public" in changed:
                notes.append("Shown on the public page" if row.is_public else "Taken off the page")
            return "; ".join((["Edited"] if changed else []) + notes) or "Saved"

        return self.save_edit(
            by=by, expected_version=expected_version, fields=fields, before_save=before_save
        )
