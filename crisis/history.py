"""Turn django-simple-history rows into readable change entries: who, when, why, old → new.

Used by every history page and by the incident timeline, so that each shows changes alike.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format

from crisis.fields import ChoiceListField

# Bookkeeping that means nothing to a reader.
# The public token is a secret link, not a fact about the incident.
HIDDEN_FIELDS = {"id", "version", "incident", "public_token"}
EMPTY = "—"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime
    by: object
    reason: str
    kind: str  # "created", "changed" or "deleted"
    subject: str
    changes: list = field(default_factory=list)
    history_id: int = 0


def display_user(user):
    if user is None:
        return "someone no longer on file"
    return user.get_full_name() or user.get_username()


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS]


def _display(model_field, value, users):
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(model_field, ChoiceListField):
        return ", ".join(model_field.labels(value)) or EMPTY
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model is get_user_model():
            return display_user(users.get(value))
        return str(value)
    if isinstance(model_field, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "j M Y, H:i T")
    return str(value)


def _user_ids(model, records):
    ids = set()
    for f in _tracked_fields(model):
        if isinstance(f, models.ForeignKey) and f.related_model is get_user_model():
            ids.update(getattr(r, f.attname) for r in records)
    ids.discard(None)
    return ids


def entries_for(model, records, subject=None):
    """Change entries, oldest first, for the history ``records`` of one or more objects of
    ``model``. Queries the database once, for the users that fields point to; the caller's
    queryset should ``select_related("history_user")``.
    """
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    users = get_user_model().objects.in_bulk(_user_ids(model, records))
    fields = _tracked_fields(model)
    previous = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        changes = []
        for f in fields:
            new = getattr(record, f.attname)
            if before is None:
                if new not in (None, "", [], False):
                    changes.append(Change(_label(f), EMPTY, _display(f, new, users)))
                continue
            old = getattr(before, f.attname)
            if old != new:
                changes.append(Change(_label(f), _display(f, old, users), _display(f, new, users)))
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        entries.append(
            Entry(
                at=record.history_date,
                by=record.history_user,
                reason=record.history_change_reason or "",
                kind=kind,
                subject=subject(record) if subject else "",
                changes=changes,
                history_id=record.history_id,
            )
        )
        previous[record.id] = record
    return entries


def _label(model_field):
    name = str(model_field.verbose_name)
    return name[:1].upper() + name[1:]
