"""Plan templates: the company's playbooks, kept by admins in the admin site. Applying one to an
incident creates its action items and a draft holding statement (see responses.plans)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from incidents.models import Incident
from responses.models.action_item import ActionItem

# A due time further out than this is a typing slip (and far enough out, past the calendar's end).
MAX_DUE_AFTER_HOURS = 24 * 365


class PlanTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_category(self, category):
        """The active templates that fit an incident of ``category``: written for it, or
        general (no category). The rule itself is :meth:`PlanTemplate.fits`."""
        return self.active().filter(Q(category=category) | Q(category=""))


class PlanTemplate(models.Model):
    name = models.CharField(max_length=200, unique=True)
    category = models.CharField(
        max_length=30,
        choices=Incident.Category.choices,
        blank=True,
        help_text="The kind of incident it is written for; offered first for those. Leave empty "
        "for a general template, offered for every kind.",
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
    objects = PlanTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]

    def __str__(self):
        return self.name

    @property
    def is_general(self):
        return not self.category

    def fits(self, category):
        """Whether the template may be applied to an incident of ``category``."""
        return self.is_general or self.category == category

    def clean(self):
        """An unknown placeholder or a stray brace is refused here, when the template is saved,
        not later when someone applies it in the middle of a crisis."""
        from responses.plans import placeholder_errors

        super().clean()
        errors = placeholder_errors(self.holding_statement)
        if errors:
            raise ValidationError({"holding_statement": errors})


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
        validators=[MaxValueValidator(MAX_DUE_AFTER_HOURS)],
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
    # Items are never deleted either (their history is the playbook's): leave one out instead.
    is_active = models.BooleanField(
        "in use",
        default=True,
        help_text="Untick to leave the item out when the template is applied.",
    )

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
    applied_at = models.DateTimeField(default=timekeeper.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["applied_at", "pk"]
        indexes = [
            models.Index(fields=["incident", "template"], name="planapp_incident_template"),
        ]

    def __str__(self):
        return f"{self.template} on {self.incident_id}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.incident.reference]) + "#plan-templates"
