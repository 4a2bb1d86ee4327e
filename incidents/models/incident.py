"""The incident: its reference, its facts, its lifecycle and its public page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crisis import clocks, timekeeper
from crisis.fields import ChoiceListField
from crisis.lifecycle import (
    Move,
    TransitionRefused,
    VersionedModel,
    clean_reason,
)
from incidents.models.incident_queryset import IncidentQuerySet
from incidents.models.platform import Platform
from incidents.models.public_page import PublicPage
from incidents.models.reference import ReferenceCounter

# The statuses in which an incident and everything under it are frozen (crisis.lifecycle's
# guard learns them in incidents' ready()): the record a lawyer reads.
FROZEN_INCIDENT_STATUSES = frozenset({"closed", "cancelled"})


class Incident(PublicPage, VersionedModel):
    class Status(models.TextChoices):
        TRIAGE = "triage", "Triage"
        RESPONDING = "responding", "Responding"
        MONITORING = "monitoring", "Monitoring"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"

    class Category(models.TextChoices):
        NEGATIVE_COMMENTS = "negative_comments", "Negative comments"
        MISINFORMATION = "misinformation", "Misinformation or miscommunication"
        INAPPROPRIATE_CONTENT = "inappropriate_content", "Inappropriate content"
        DATA_BREACH = "data_breach", "Data breach or security"
        SERVICE_FAILURE = "service_failure", "Product or service failure"
        OTHER = "other", "Other"

    class Severity(models.IntegerChoices):
        CRITICAL = 1, "1 – Critical"
        MAJOR = 2, "2 – Major"
        MODERATE = 3, "3 – Moderate"
        MINOR = 4, "4 – Minor"

    OPEN_STATUSES = (Status.TRIAGE, Status.RESPONDING, Status.MONITORING)
    FINISHED_STATUSES = (Status.RESOLVED, Status.CLOSED, Status.CANCELLED)

    # The lifecycle, in the order its buttons appear. Closing happens only through the
    # post-mortem (PostMortem.submit makes the "close" move), so the incident has no verb
    # for it and no page offers it on its own.
    MOVES = {
        "respond": Move(
            frozenset({Status.TRIAGE, Status.MONITORING}),
            Status.RESPONDING,
            "incidents.change_incident",
            "Start responding",
        ),
        "monitor": Move(
            frozenset({Status.RESPONDING}),
            Status.MONITORING,
            "incidents.change_incident",
            "Move to monitoring",
        ),
        "resolve": Move(
            frozenset({Status.RESPONDING, Status.MONITORING}),
            Status.RESOLVED,
            "incidents.change_incident",
            "Mark resolved",
        ),
        "reopen": Move(
            frozenset({Status.RESOLVED}),
            Status.RESPONDING,
            "incidents.change_incident",
            "Reopen",
        ),
        # The only way back from a frozen incident, and a manager's decision.
        "reopen_frozen": Move(
            frozenset({Status.CLOSED, Status.CANCELLED}),
            Status.RESPONDING,
            "incidents.close_incident",
            "Reopen",
        ),
        "cancel": Move(
            frozenset({Status.TRIAGE, Status.RESPONDING}),
            Status.CANCELLED,
            "incidents.cancel_incident",
            "Cancel as a false alarm",
        ),
        "close": Move(
            frozenset({Status.RESOLVED}),
            Status.CLOSED,
            "incidents.close_incident",
            "Close",
        ),
    }
    # Moves a person makes with a button on the incident page.
    BUTTON_MOVES = ("respond", "monitor", "resolve", "reopen", "cancel", "reopen_frozen")
    # Moves that must say why: their verbs refuse without a note, and the page asks for one.
    NOTE_REQUIRED = {
        "cancel": "Say why the incident is cancelled.",
        "reopen": "Say why the incident is reopened.",
        "reopen_frozen": "Say why the incident is reopened.",
    }

    reference = models.CharField(max_length=20, unique=True, editable=False)
    title = models.CharField(max_length=200)
    public_title = models.CharField(
        max_length=200,
        blank=True,
        help_text="What the audience sees on the public page and in the feeds: never the "
        "title. Needed before the public page opens or a statement is published.",
    )
    summary = models.TextField(blank=True, help_text="What happened, as far as we know.")
    category = models.CharField(max_length=30, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.MODERATE)
    platforms = ChoiceListField(
        "platforms", item_choices=Platform.choices, help_text="Where the conversation is happening."
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_incidents",
    )
    tracking_terms = models.CharField(
        max_length=500,
        blank=True,
        help_text="Hashtags and keywords that find the conversation, separated by commas.",
    )
    is_drill = models.BooleanField(
        "drill", default=False, help_text="A practice run: kept out of the reports."
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.TRIAGE, editable=False
    )
    detected_at = models.DateTimeField(
        "detected", default=timekeeper.now, help_text="When the first signal appeared."
    )
    declared_at = models.DateTimeField("declared", default=timekeeper.now, editable=False)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="declared_incidents",
        editable=False,
    )
    first_acknowledged_at = models.DateTimeField(
        "first public acknowledgement", null=True, blank=True, editable=False
    )
    # The latest public word (a published statement or public update) and, when it is an update,
    # the next update it promised (None after a statement: the clock adds the severity's
    # cadence). Written with each publication, in its transaction (responses keeps them:
    # record_public_word; recount_public_word checks them), and read by the response clock.
    public_word_at = models.DateTimeField(
        "latest public word", null=True, blank=True, editable=False
    )
    promised_update_at = models.DateTimeField(
        "next public update promised for", null=True, blank=True, editable=False
    )
    resolved_at = models.DateTimeField("resolved", null=True, blank=True, editable=False)
    closed_at = models.DateTimeField("closed", null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField("cancelled", null=True, blank=True, editable=False)
    cancel_reason = models.TextField("reason for cancelling", blank=True, editable=False)
    # The public page's address: made the first time a manager opens the page and never changed,
    # so a link already shared keeps working when the page is closed and opened again.
    public_token = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    is_public_page_open = models.BooleanField("public page open", default=False, editable=False)

    # The public word is a fact derived from the statements and updates, whose own history
    # records each publication: kept out of the incident's, so that QuerySet.update() may write
    # it (see IncidentQuerySet.record_public_word) without a history row going missing.
    history = HistoricalRecords(excluded_fields=["public_word_at", "promised_update_at"])
    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-declared_at"]
        permissions = [
            ("cancel_incident", "Can cancel an incident as a false alarm"),
            ("close_incident", "Can close an incident"),
            ("manage_public_page", "Can open and close an incident's public page"),
        ]
        indexes = [
            # The list filtered by status, newest first (its tie-breaker too: no sort).
            models.Index(fields=["status", "-declared_at", "-id"], name="incident_status_newest"),
            # The open incidents in desk order: the dashboard, the list's open tab and the first
            # part of "All incidents" (see desk_segments). Small whatever the years hold.
            models.Index(
                fields=["severity", "detected_at", "-declared_at", "-id"],
                condition=Q(status__in=["triage", "responding", "monitoring"]),
                name="incident_open_desk",
            ),
            # The dashboard's "Recently ended": the ended incidents, newest first, read in order
            # and stopped at the fifth (IncidentQuerySet.recently_ended writes the same
            # condition, "not open", which no other index answers: SQLite reads this one even
            # without planner statistics). Without it SQLite sorted every ended incident, and
            # both databases read through the open ones.
            models.Index(
                fields=["-declared_at", "-id"],
                condition=~Q(status__in=["triage", "responding", "monitoring"]),
                name="incident_ended_newest",
            ),
            # The dashboard's capped count of the open incidents without a public word yet.
            models.Index(
                fields=["severity"],
                condition=Q(
                    status__in=["triage", "responding", "monitoring"],
                    first_acknowledged_at__isnull=True,
                ),
                name="incident_open_waiting",
            ),
            # "All incidents" after the open ones, the CSV export and the admin: newest first.
            models.Index(fields=["-declared_at", "-id"], name="incident_newest"),
            # The list filtered by severity or by category, newest first.
            models.Index(fields=["severity", "-declared_at", "-id"], name="incident_severity"),
            models.Index(fields=["category", "-declared_at", "-id"], name="incident_category"),
            # The list filtered by the detection date.
            models.Index(fields=["detected_at"], name="incident_detected"),
            # The list filtered by platform, newest first: one partial index per platform, read
            # through OnPlatform (whose SQL matches the condition); with the status, so that
            # the list's capped counts read the index alone.
            *[
                models.Index(
                    fields=["-declared_at", "-id", "status"],
                    condition=Q(platforms__contains=ChoiceListField.lookup_value(code)),
                    name=f"incident_on_{code}",
                )
                for code in Platform.values
            ],
            # The list filtered by lead, newest first (the foreign key's own index made SQLite
            # sort every incident of the lead for each page).
            models.Index(fields=["lead", "-declared_at", "-id"], name="incident_lead_newest"),
        ]
        constraints = [
            # A cancelled incident always says why (the form asks; this keeps the shell honest).
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="incident_cancel_has_reason",
                violation_error_message="Say why the incident is cancelled.",
            ),
            # Resolved and Closed incidents carry the time they were resolved (reports use it).
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | Q(resolved_at__isnull=False),
                name="incident_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="incident_closed_has_time",
            ),
            # The first signal cannot come after the declaration.
            models.CheckConstraint(
                condition=Q(detected_at__lte=models.F("declared_at")),
                name="incident_detected_before_declared",
                violation_error_message="The first signal cannot be later than the declaration.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.reference])

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    # The clocks, computed by crisis.clocks (no queries), so templates can ask the incident.

    @property
    def acknowledgement_clock(self):
        return clocks.acknowledgement_clock(self)

    @property
    def response_clock(self):
        """No queries for an incident from ``Incident.objects.with_clocks()``; otherwise one
        query for its severity's targets (see crisis.clocks)."""
        return clocks.response_clock(self)

    @property
    def time_to_acknowledgement(self):
        return clocks.time_to_acknowledgement(self)

    @property
    def time_since_detection(self):
        return clocks.time_since_detection(self)

    @property
    def is_editable(self):
        """Whether the incident and its records may change (as loaded; no queries). A closed or
        cancelled incident is the record a lawyer reads: nothing on it changes until a manager
        reopens it. The guard in :class:`crisis.lifecycle.FrozenGuard` enforces it on save."""
        return self.status not in FROZEN_INCIDENT_STATUSES

    def frozen_incident_id(self):
        return self.pk

    def frozen_notice(self):
        """What a page says when it refuses a change to this frozen incident, from its status as
        loaded (no queries): the guard's own words."""
        return self.frozen_message(self.get_status_display().lower())

    def incident_status_as_loaded(self):
        return self.status

    @property
    def tracking_term_list(self):
        return [term.strip() for term in self.tracking_terms.split(",") if term.strip()]

    @property
    def platform_labels(self):
        return self._meta.get_field("platforms").labels(self.platforms)

    def clean(self):
        super().clean()
        if self.is_public_page_open and not self.has_public_title:
            raise ValidationError(
                {
                    "public_title": "The public page is open: it needs a public "
                    "title (the audience never sees the internal title)."
                }
            )
        if self.pk is None:
            if self.detected_at and self.detected_at > timekeeper.now():
                raise ValidationError(
                    {"detected_at": "The first signal cannot be later than the declaration (now)."}
                )
        elif self.detected_at and self.detected_at > self.declared_at:
            declared = timezone.localtime(self.declared_at).strftime("%d %b %Y, %H:%M %Z")
            message = f"The first signal cannot be later than the declaration ({declared})."
            raise ValidationError({"detected_at": message})

    @classmethod
    def declare(cls, *, by, **fields):
        """Create an incident in Triage with the next reference, and tell the chat channels
        that want to know. Queries the database."""
        from incidents import events

        with transaction.atomic():
            now = timekeeper.now()
            incident = cls(declared_by=by, declared_at=now, **fields)
            if incident.detected_at is None or incident.detected_at > now:
                incident.detected_at = now
            incident.reference = ReferenceCounter.next_reference(timezone.localdate(now).year)
            incident._save_as(by, "Declared")
            # Recorded with the incident, sent once it is committed (crisis.outbound).
            events.incident_declared(incident)
        return incident

    # The lifecycle verbs. Each queries and locks the row (see VersionedModel._transition).
    # ``reason`` is the person's note: the history records it after the move's label
    # ("Mark resolved: Cause fixed"), or the label alone without one.

    def _noted(self, action, note):
        note = clean_reason(note)
        return f"{self.MOVES[action].label}: {note}" if note else ""

    def _required_note(self, action, note):
        return clean_reason(note, required=True, missing=self.NOTE_REQUIRED[action])

    def start_response(self, *, by, reason=""):
        return self._transition("respond", by=by, reason=self._noted("respond", reason))

    def monitor(self, *, by, reason=""):
        return self._transition("monitor", by=by, reason=self._noted("monitor", reason))

    def resolve(self, *, by, reason=""):
        return self._transition(
            "resolve",
            by=by,
            reason=self._noted("resolve", reason),
            changes={"resolved_at": timekeeper.now()},
        )

    def reopen(self, *, by, reason):
        """Back to Responding, with a note: from Resolved (Comms), or from Closed or Cancelled (a
        manager only: the record was final). Queries and locks the row."""
        action = "reopen_frozen" if self.status in FROZEN_INCIDENT_STATUSES else "reopen"
        reason = self._required_note(action, reason)
        changes = {"resolved_at": None}
        if action == "reopen_frozen":
            changes.update(closed_at=None, cancelled_at=None)
        with transaction.atomic():
            row = self._transition(action, by=by, reason=f"Reopened: {reason}", changes=changes)
            if action == "reopen_frozen":
                # Its post-mortem stays, and must be submitted again to close.
                from incidents.models.postmortem import PostMortem

                PostMortem.mark_for_review(row, by=by)
        return row

    def cancel(self, *, by, reason):
        reason = self._required_note("cancel", reason)
        return self._transition(
            "cancel",
            by=by,
            reason=f"Cancelled: {reason}",
            changes={"cancelled_at": timekeeper.now(), "cancel_reason": reason},
        )

    def move(self, action, *, by, reason=""):
        """Run the verb behind a button's ``action`` name."""
        verbs = {
            "respond": self.start_response,
            "monitor": self.monitor,
            "resolve": self.resolve,
            "reopen": self.reopen,
            "reopen_frozen": self.reopen,
            "cancel": self.cancel,
        }
        if action not in verbs:
            raise TransitionRefused("That is not a move an incident can make here.")
        return verbs[action](by=by, reason=reason)

    @property
    def is_triage_after_public_word(self):
        """Still in Triage though the audience has heard from us: the page offers the move to
        Responding. No queries."""
        return self.status == self.Status.TRIAGE and self.first_acknowledged_at is not None

    def button_moves(self, user):
        """The moves to show ``user`` as buttons now. No queries."""
        return [
            (action, move)
            for action, move in self.allowed_moves(user)
            if action in self.BUTTON_MOVES
        ]
