"""Response targets: per severity, the time allowed until the first public acknowledgement and the
promised cadence of public updates. Kept by admins in the admin site, with the defaults of the
product. The clocks (crisis.clocks) read them from here, all at once
(:meth:`ResponseTargetQuerySet.minutes`, one query): an incident listed with its clocks is handed
them with its rows."""

from django.db import models
from simple_history.models import HistoricalRecords

# Minutes, per severity (1 critical .. 4 minor): PRODUCT.md's defaults, also loaded by migration.
DEFAULT_TARGETS = {
    1: (30, 60),
    2: (60, 2 * 60),
    3: (4 * 60, 8 * 60),
    4: (24 * 60, 24 * 60),
}


class ResponseTargetQuerySet(models.QuerySet):
    def minutes(self):
        """``{severity: (acknowledgement minutes, cadence minutes)}`` of the kept rows, as
        crisis.clocks.register_targets_source asks. Queries the database once."""
        rows = self.values_list("severity", "acknowledgement_minutes", "update_cadence_minutes")
        return {severity: (acknowledgement, cadence) for severity, acknowledgement, cadence in rows}


class ResponseTarget(models.Model):
    severity = models.PositiveSmallIntegerField(
        unique=True,
        choices=[(1, "1 – Critical"), (2, "2 – Major"), (3, "3 – Moderate"), (4, "4 – Minor")],
    )
    acknowledgement_minutes = models.PositiveIntegerField(
        "first acknowledgement within (minutes)",
        help_text="From detection to the first public acknowledgement.",
    )
    update_cadence_minutes = models.PositiveIntegerField(
        "public update every (minutes)",
        help_text="The default promise of each public update: when the next one comes.",
    )

    history = HistoricalRecords()

    objects = ResponseTargetQuerySet.as_manager()

    class Meta:
        ordering = ["severity"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledgement_minutes__gt=0, update_cadence_minutes__gt=0),
                name="target_minutes_positive",
                violation_error_message="A target is at least one minute.",
            ),
        ]

    def __str__(self):
        return f"Severity {self.severity}"


def kept_minutes(using):
    """The kept targets in the database ``using``, for crisis.clocks (see
    :meth:`ResponseTargetQuerySet.minutes`)."""
    return ResponseTarget.objects.using(using).minutes()
