"""Turn django-simple-history rows into readable change entries: who, when, why, old → new.

Used by every history page and by the incident timeline, so that each shows changes alike.
A timeline provider (see crisis.panels) reads its rows with :func:`timeline_entries`, passing
a ``describe`` function that sets each entry's ``kind``, ``detail`` and ``url``. Entries are
described when first read (:meth:`Entry.later`), so a page pays only for those it shows.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format

from crisis.fields import ChoiceListField

# Bookkeeping that means nothing to a reader.
# The public token is a secret link, not a fact about the incident.
HIDDEN_FIELDS = {"id", "version", "incident", "public_token"}
EMPTY = "—"
# A value longer than this is summed up as "changed" in one line rather than quoted.
SHORT_VALUE = 60


@dataclass
class Change:
    label: str
    old: str
    new: str

    @property
    def is_short(self):
        return len(self.old) <= SHORT_VALUE and len(self.new) <= SHORT_VALUE


# Slots: a field not set yet has no class-level default to fall back on, so reading it reaches
# __getattr__, which describes an entry made by Entry.later.
@dataclass(slots=True)
class Entry:
    at: datetime
    by: object
    reason: str
    action: str = "changed"  # "created", "changed" or "deleted"
    subject: str = ""
    changes: list = field(default_factory=list)
    history_id: int = 0
    # What the timeline filters on ("status", "party", "statement", …): a kind registered in
    # crisis.panels.timeline_kinds. Set by the provider (or stamped from its registration).
    kind: str = ""
    # One more line under the headline ("To X, Instagram"), and the page of the record.
    detail: str = ""
    url: str = ""
    # What describes an entry made by Entry.later, until it is described; None after.
    _pending: list | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def later(cls, at, history_id, describe):
        """An entry known by its moment (and history id) only: ``describe(entry)`` sets every
        other field when one is first read. A timeline sorts and cuts entries by their moment,
        so those a page leaves out are never described (their changes never diffed)."""
        entry = cls.__new__(cls)
        entry.at, entry.history_id, entry._pending = at, history_id, [describe]
        return entry

    @property
    def is_described(self):
        return self._pending is None

    def then(self, finish):
        """Run ``finish(entry)`` once the entry is described: now if it is, else right after."""
        if self._pending is None:
            finish(self)
        else:
            self._pending.append(finish)

    def __getattr__(self, name):
        # Reached only for a field not set yet, that is of an entry still to be described.
        pending = Entry._pending.__get__(self)
        if name.startswith("__") or not pending:
            raise AttributeError(name)
        self._pending = None
        for step in pending:
            step(self)
        return getattr(self, name)


def display_user(user):
    if user is None:
        return "someone no longer on file"
    return user.get_full_name() or user.get_username()


def _tracked_fields(model):
    """The fields the model's history rows hold (its ``excluded_fields`` left out), but hidden
    ones."""
    recorded = {f.attname for f in model.history.model._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and f.attname in recorded
    ]


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


def _users(model, records):
    """``{id: user}`` for the users the tracked fields of ``records`` point to: those joined in
    (see :func:`with_users`) without a query, the others in one query."""
    users, missing = {}, set()
    for f in _tracked_fields(model):
        if isinstance(f, models.ForeignKey) and f.related_model is get_user_model():
            for record in records:
                user_id = getattr(record, f.attname)
                if user_id is None:
                    continue
                historical = record._meta.get_field(f.name)
                if historical.is_cached(record):
                    users[user_id] = historical.get_cached_value(record)
                else:
                    missing.add(user_id)
    missing -= users.keys()
    if missing:
        users |= get_user_model().objects.in_bulk(missing)
    return users


def describe_changes(changes):
    """One line for a list of changes: "Outreach: Not contacted → Contacted; Summary changed"."""
    return "; ".join(
        f"{c.label}: {c.old} → {c.new}" if c.is_short else f"{c.label} changed" for c in changes
    )


def latest_records(history, limit):
    """The newest ``limit`` rows of the history queryset ``history``, and the rows just before
    them that :func:`entries_for` needs (its ``earlier``) to tell what the oldest of them changed.

    One query, so that a page showing the latest entries neither diffs every row ever saved nor
    asks twice: the rows of ``history`` among the newest ``limit``, or just before one of them.
    Every row fetched that is not among the newest is older than all of them (an object's earlier
    row is older than its newest row), so the newest come first by date. The users that fields
    point to come joined in (:func:`with_users`).
    """
    Historical = history.model
    order = ("-history_date", "-history_id")
    newest = history.order_by(*order).values("history_id")[:limit]
    before_row = (
        Historical.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by(*order)
        .values("history_id")[:1]
    )
    before = (
        Historical.objects.filter(history_id__in=newest)
        .annotate(before_id=Subquery(before_row))
        .values("before_id")
    )
    rows = history.filter(Q(history_id__in=newest) | Q(history_id__in=before))
    rows = sorted(with_users(rows), key=lambda r: (r.history_date, r.history_id), reverse=True)
    return rows[:limit], rows[limit:]


def with_users(records):
    """The history queryset ``records`` with the users its tracked fields point to joined in,
    so that :func:`entries_for` names them without a query of its own."""
    Historical = records.model
    names = [
        f.name
        for f in Historical._meta.concrete_fields
        if isinstance(f, models.ForeignKey)
        and f.related_model is get_user_model()
        and f.name not in HIDDEN_FIELDS
        and f.name != "history_user"
    ]
    return records.select_related(*names) if names else records


def timeline_entries(model, records, *, limit=None, subject=None, describe=None):
    """Timeline entries for the history queryset ``records``: every row, or only the newest
    ``limit`` (see :func:`latest_records`) when the page shows a preview. One query (the users
    that fields point to come joined in)."""
    earlier = ()
    if limit is not None:
        records, earlier = latest_records(records, limit)
    else:
        records = with_users(records)
    return entries_for(model, records, subject, describe=describe, earlier=earlier)


def entries_for(model, records, subject=None, *, describe=None, earlier=()):
    """Change entries, oldest first, for the history ``records`` of one or more objects of
    ``model``: each known by its moment at once, described when first read (see
    :meth:`Entry.later`). The users the tracked fields name are looked up now (no query when
    they come joined in), so describing runs no query.

    ``subject(record)`` names what the entry is about. ``describe(entry, record, before)`` may
    set the entry's timeline fields (``kind``, ``detail``, ``url``, even ``reason``); ``before``
    is the object's previous row or None. ``earlier`` are rows older than ``records`` (from
    :func:`latest_records`) that only serve as the previous rows: they make no entries.
    """
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    earlier = sorted(earlier, key=lambda r: (r.history_date, r.history_id))
    users = _users(model, [*earlier, *records])
    fields = _tracked_fields(model)
    previous = {record.id: record for record in earlier}
    entries = []
    for record in records:
        before = previous.get(record.id)

        def described(entry, record=record, before=before):
            entry.by = record.history_user
            entry.reason = record.history_change_reason or ""
            entry.action = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
            entry.subject = subject(record) if subject else ""
            entry.changes = _changes(fields, record, before, users)
            entry.kind = entry.detail = entry.url = ""
            if describe is not None:
                describe(entry, record, before)

        entries.append(Entry.later(record.history_date, record.history_id, described))
        previous[record.id] = record
    return entries


def _changes(fields, record, before, users):
    """What the history row ``record`` changed since ``before`` (None: what it was made with)."""
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
    return changes


def _label(model_field):
    name = str(model_field.verbose_name)
    return name[:1].upper() + name[1:]


def contributors(model, ids, fields):
    """``{pk: ids of everyone who saved a change to any of ``fields``}`` for the records ``ids``
    of the history-tracked ``model`` (a list, or a queryset of pks), as a defaultdict: an
    unknown pk gives an empty set. Queries the history once (not at all for an empty list).

    The rule behind "nobody approves or publishes words they wrote": the first version's author
    is the record's own author field; after that, whoever saved different values of ``fields``
    is a writer. Saving the same values again, or moving the record through its workflow,
    makes nobody a writer.
    """
    found = defaultdict(set)
    if isinstance(ids, list | tuple | set) and not ids:
        return found
    rows = (
        model.history.filter(id__in=ids)
        .order_by("id", "history_date", "history_id")
        .values_list("id", "history_user_id", *fields)
    )
    previous = {}
    for pk, user_id, *values in rows:
        if pk in previous and previous[pk] != values and user_id is not None:
            found[pk].add(user_id)
        previous[pk] = values
    return found


def keep_history_manager_classes():
    """Make ``Model.history`` build its manager's class once per model, not on every access.

    simple-history's descriptor calls ``HistoryManager.from_queryset(HistoricalQuerySet)`` each
    time ``Model.history`` is read, which makes a new class by walking the queryset class with
    ``inspect.getmembers``: about 0.5 ms a read, and the incident page reads it about 18 times
    (its timeline and panels). The class made is the same every time, so it is kept on the
    descriptor; the manager itself is still made per read, for its instance. Called once, from
    ``CrisisConfig.ready()``."""
    from simple_history.manager import HistoryDescriptor

    if getattr(HistoryDescriptor, "_keeps_class", False):
        return

    def __get__(self, instance, owner):
        made = self.__dict__.get("_manager")
        if made is None:
            made = self._manager = self.manager_class.from_queryset(self.queryset_class)
        return made(self.model, instance)

    HistoryDescriptor.__get__ = __get__
    HistoryDescriptor._keeps_class = True
