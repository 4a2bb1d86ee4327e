"""Plan templates: the company's playbooks, kept by admins in the admin site. Applying one to an
incident creates its action items and a draft holding statement."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from incidents.models import Incident
from responses.models.action_item import ActionItem


class PlanTemplate(models.Model):
    name = models.CharField(max_length=200, unique=True)
    category = models.CharField(
        max_length=30,
        choices=Incident.Category.choices,
        blank=True,
        help_text="The kind of incident it is written for; offered first for those.",
    )
    description = models.TextField(blank=True, help_text="When to use this playbook.")
    holding_statement = models.TextField(
        "holding statement",
        blank=True,
        help_text="Draft text of the first public word. Placeholders in braces are filled in "
        "when the template is applied.",
    )
    # Templates are never deleted (incidents remember which one they applied): retire instead.
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick to retire the template; it is kept for the record.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "name"]

    def __str__(self):
        return self.name


class PlanTemplateItem(models.Model):
    class OwnerRole(models.TextChoices):
        LEAD = "lead", "The incident's lead"
        APPLIER = "applier", "Whoever applies the template"
        NONE = "", "Nobody yet"

    template = models.ForeignKey(PlanTemplate, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(
        max_length=10, choices=ActionItem.Kind.choices, default=ActionItem.Kind.RECTIFY
    )
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    due_after_hours = models.PositiveIntegerField(
        "due after (hours)",
        null=True,
        blank=True,
        help_text="Counted from the incident's detection. Leave empty for no due time.",
    )
    is_public = models.BooleanField("public", default=False)
    default_owner = models.CharField(
        "default owner",
        max_length=10,
        choices=OwnerRole.choices,
        default=OwnerRole.LEAD,
        blank=True,
    )
    position = models.PositiveIntegerField("order", default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class PlanApplication(models.Model):
    """One application of a template to an incident (shown in the timeline; applying the same
    template twice asks first)."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="plan_applications"
    )
    template = models.ForeignKey(PlanTemplate, on_delete=models.PROTECT, related_name="+")
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["applied_at", "pk"]
        indexes = [
            models.Index(fields=["incident", "template"], name="planapp_incident_template"),
        ]

    def __str__(self):
        return f"{self.template} on {self.incident_id}"
