"""Response targets: per severity, the time allowed until the first public acknowledgement and the
promised cadence of public updates. Kept by admins in the admin site, with the defaults of the
product. The clocks (crisis.clocks) read them from here: each incident listed with its clocks
carries its severity's targets (:func:`annotate_targets`, registered as an incident annotation),
and :meth:`ResponseTargetQuerySet.minutes` answers the rest in one query."""

from django.db import models
from django.db.models import IntegerField, OuterRef, Subquery
from simple_history.models import HistoricalRecords

from crisis import clocks
from crisis.panels import CompiledOnce

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


def kept_minutes():
    """The kept targets, for crisis.clocks (see :meth:`ResponseTargetQuerySet.minutes`)."""
    return ResponseTarget.objects.minutes()


def _target_minutes(field):
    def build():
        rows = ResponseTarget.objects.filter(severity=OuterRef("severity"))
        return Subquery(rows.values(field)[:1])

    return build


_ACKNOWLEDGEMENT_MINUTES_SQL = _target_minutes("acknowledgement_minutes")
_CADENCE_MINUTES_SQL = _target_minutes("update_cadence_minutes")


def annotate_targets(incidents):
    """``incidents`` (a queryset) with each row's severity targets in minutes, in its own query
    (a subquery per target, written once: crisis.panels.CompiledOnce): the clocks of a listed
    incident then query nothing. Registered as an incident annotation, so every
    ``with_clocks()`` carries them."""
    return incidents.annotate(
        **{
            clocks.ACKNOWLEDGEMENT_MINUTES: CompiledOnce(
                _ACKNOWLEDGEMENT_MINUTES_SQL, IntegerField()
            ),
            clocks.CADENCE_MINUTES: CompiledOnce(_CADENCE_MINUTES_SQL, IntegerField()),
        }
    )
