"""The post-mortem: what a resolved incident taught us. Submitting it is the only way to close an
incident (:meth:`PostMortem.submit`); the rule for when that is allowed is
:meth:`PostMortem.close_refusals`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from crisis.lifecycle import VersionedModel
from incidents.models.incident import Incident


class PostMortem(VersionedModel):
    # PROTECT: the post-mortem is part of the record; an incident is never deleted.
    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="postmortem")
    summary = models.TextField(blank=True, help_text="What happened, in a few sentences.")
    root_cause = models.TextField(
        "root cause", blank=True, help_text="Why it happened, beyond the first trigger."
    )
    impact = models.TextField(blank=True, help_text="Who was harmed, how much and for how long.")
    went_well = models.TextField("what went well", blank=True)
    went_wrong = models.TextField("what went wrong", blank=True)
    lessons_learned = models.TextField(
        "lessons learned", blank=True, help_text="What we now know that we did not before."
    )
    follow_up = models.TextField(
        "follow-up prevention",
        blank=True,
        help_text="What we will change so that it does not happen again, and who owns it.",
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completed_postmortems",
        editable=False,
    )
    completed_at = models.DateTimeField("completed", null=True, blank=True, editable=False)
    # Set when a manager reopens the closed incident: the post-mortem must be read again and
    # submitted again before the incident can close.
    needs_review = models.BooleanField("needs review", default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "post-mortem"
        verbose_name_plural = "post-mortems"

    def __str__(self):
        return f"Post-mortem of {self.incident.reference}"

    def get_absolute_url(self):
        return reverse("incidents:postmortem", args=[self.incident.reference])

    def frozen_incident_id(self):
        return self.incident_id
