"""Who was harmed, and what we did about it."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from crisis.lifecycle import VersionedModel
from incidents.models.incident import Incident


class AffectedParty(VersionedModel):
    class Kind(models.TextChoices):
        CUSTOMERS = "customers", "Customers"
        INDIVIDUAL = "individual", "An individual"
        EMPLOYEES = "employees", "Employees"
        PARTNERS = "partners", "Partners"
        INVESTORS = "investors", "Investors"
        REGULATORS = "regulators", "Regulators"
        MEDIA = "media", "Media"
        COMMUNITY = "community", "Community"

    class Outreach(models.TextChoices):
        NOT_CONTACTED = "not_contacted", "Not contacted"
        CONTACTED = "contacted", "Contacted"
        RESPONDED = "responded", "Responded"
        RESOLVED = "resolved", "Resolved"

    # PROTECT: parties are part of the record; an incident is cancelled, never deleted.
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, related_name="affected_parties"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(
        max_length=300, help_text="Who they are, for example “Customers in the EU region”."
    )
    estimated_count = models.PositiveIntegerField(
        "estimated number", null=True, blank=True, help_text="Leave empty when unknown."
    )
    impact = models.TextField(blank=True, help_text="How they were harmed or inconvenienced.")
    outreach_status = models.CharField(
        "outreach", max_length=20, choices=Outreach.choices, default=Outreach.NOT_CONTACTED
    )
    outreach_at = models.DateTimeField(
        "contacted at", null=True, blank=True, help_text="When we first reached out."
    )
    outreach_channel = models.CharField(
        "contacted how",
        max_length=200,
        blank=True,
        help_text="For example “Email from the CEO”, “Phone call”.",
    )
    is_public = models.BooleanField(
        "may be named publicly",
        default=False,
        help_text="Only then may public statements and the public page name them.",
    )
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "affected parties"
        constraints = [
            # Once we have reached out, the record says when (outreach is part of the timeline).
            models.CheckConstraint(
                condition=Q(outreach_status="not_contacted") | Q(outreach_at__isnull=False),
                name="party_outreach_has_time",
                violation_error_message="Say when they were contacted.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.description}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url() + f"#party-{self.pk}"

    def clean(self):
        super().clean()
        if self.outreach_status != self.Outreach.NOT_CONTACTED and self.outreach_at is None:
            raise ValidationError({"outreach_at": "Say when they were contacted."})
        if self.outreach_at and self.outreach_at > timekeeper.now():
            raise ValidationError({"outreach_at": "This time is in the future."})

    def frozen_incident_id(self):
        return self.incident_id

    def add(self, *, by):
        """Save a new party with ``by`` in its history. Queries the database (the save refuses
        a frozen incident)."""
        self._save_as(by, "Added")
        return self
