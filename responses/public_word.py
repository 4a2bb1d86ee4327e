"""Each incident's latest public word, as its statements and public updates tell it.

The publishing verbs (Statement.publish, ProgressUpdate.publish) record it on the incident in
their own transaction (``IncidentQuerySet.record_public_word``): ``public_word_at``, the latest
published statement or public update, and ``promised_update_at``, the next update that word
promised when it is an update (None after a statement). Of words of the same moment an update
counts (it carries a promise), and of updates of the same moment the latest promise. The
response clock reads them (crisis.clocks).

This module recomputes them from the records, for ``manage.py recount_public_word`` and for
records written around the verbs (a restore of one table, a bulk load by hand). The same rule is
written as SQL in the migration that first filled them (responses 0009).
"""

from django.db.models import BooleanField, Case, F, OuterRef, Q, Subquery, Value, When

from incidents.models import Incident
from responses.models import ProgressUpdate, Statement


def _latest_statement_at():
    return Subquery(
        Statement.objects.published()
        .filter(incident=OuterRef("pk"))
        .order_by("-published_at")
        .values("published_at")[:1]
    )


def _latest_update(field):
    return Subquery(
        ProgressUpdate.objects.published_public()
        .filter(incident=OuterRef("pk"))
        .order_by("-published_at", "-next_update_at")
        .values(field)[:1]
    )


def _found():
    """The incidents annotated with their public word as the records tell it
    (``found_word_at``, ``found_promised_at``) and whether the recorded one matches
    (``is_recorded``): subqueries per row, for the recount only."""
    update_is_latest = Q(found_update_at__isnull=False) & (
        Q(found_statement_at__isnull=True) | Q(found_update_at__gte=F("found_statement_at"))
    )
    same_word = Q(public_word_at=F("found_word_at")) | Q(
        public_word_at__isnull=True, found_word_at__isnull=True
    )
    same_promise = Q(promised_update_at=F("found_promised_at")) | Q(
        promised_update_at__isnull=True, found_promised_at__isnull=True
    )
    return (
        Incident.objects.alias(
            found_statement_at=_latest_statement_at(),
            found_update_at=_latest_update("published_at"),
        )
        .annotate(
            found_word_at=Case(
                When(update_is_latest, then=F("found_update_at")),
                default=F("found_statement_at"),
            ),
            found_promised_at=Case(
                When(update_is_latest, then=_latest_update("next_update_at")),
                default=None,
            ),
        )
        .annotate(
            is_recorded=Case(
                When(same_word & same_promise, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def differences():
    """``[(incident, (recorded word, recorded promise), (found word, found promise))]`` for
    every incident whose recorded public word differs from its records, by id. One query."""
    rows = (
        _found()
        .filter(is_recorded=False)
        .only("pk", "reference", "public_word_at", "promised_update_at")
        .order_by("pk")
    )
    return [
        (
            incident,
            (incident.public_word_at, incident.promised_update_at),
            (incident.found_word_at, incident.found_promised_at),
        )
        for incident in rows
    ]


def recount():
    """Write the public word as the records tell it on every incident where it differs (one
    UPDATE); how many incidents it changed."""
    found = _found().filter(pk=OuterRef("pk"))
    return Incident.objects.filter(pk__in=_found().filter(is_recorded=False).values("pk")).update(
        public_word_at=Subquery(found.values("found_word_at")[:1]),
        promised_update_at=Subquery(found.values("found_promised_at")[:1]),
    )
