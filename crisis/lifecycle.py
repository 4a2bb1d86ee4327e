"""Versioned records, their lifecycle moves and the frozen guard: the rules every record shares.

Every record of an incident (the incident itself, its parties, statements, reviews, publications
and the records still to come) is history-tracked, changed only by verbs or guarded edits, and
frozen once its incident is closed or cancelled. Those rules live here, once.

Which record freezes the others, and in which of its statuses, is told by the app that owns it
(:func:`register_frozen_owner`, in its ``ready()``): the kernel names no app.
"""

from typing import NamedTuple

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

# The longest reason, note or comment a person may give for a change. History keeps it in a text
# column, so the limit is a readable size for a record, not a storage limit.
REASON_MAX_LENGTH = 2000


class FrozenOwner(NamedTuple):
    """The record whose status freezes everything under it, and the statuses that do."""

    model: type
    statuses: frozenset


_frozen_owner: list[FrozenOwner] = []


def register_frozen_owner(model, statuses):
    """Say which model's status freezes the records under it (the records name its row by
    ``frozen_incident_id()``), and in which ``statuses``. One owner; the last one wins."""
    _frozen_owner[:] = [FrozenOwner(model, frozenset(statuses))]


def frozen_statuses():
    """The owner's statuses in which it and everything under it are frozen."""
    return _frozen_owner[0].statuses if _frozen_owner else frozenset()


class TransitionRefused(Exception):
    """A move the rules do not allow; views turn the message into ``messages.error``."""


class FrozenRecord(TransitionRefused):
    """A change to a closed or cancelled incident, or to anything under it."""


class StaleEdit(Exception):
    """Someone saved the record after this form was opened; ``current`` is their version."""

    def __init__(self, current):
        super().__init__("This record was changed by someone else after you opened it.")
        self.current = current


class Move(NamedTuple):
    """One row of a lifecycle table: from which states, to which, and who may make it."""

    sources: frozenset
    target: str
    permission: str
    label: str


def clean_reason(reason, *, required=False, missing="Say why."):
    """The one check of a reason, note or comment: stripped, at most REASON_MAX_LENGTH long,
    present when ``required``. Raises :class:`TransitionRefused` with a readable message."""
    reason = (reason or "").strip()
    if "\x00" in reason:
        # Databases refuse NUL in text (PostgreSQL with an error); nobody types one on purpose.
        raise TransitionRefused("The text holds a NUL character; remove it and try again.")
    if required and not reason:
        raise TransitionRefused(missing)
    if len(reason) > REASON_MAX_LENGTH:
        raise TransitionRefused(
            f"Keep it to {REASON_MAX_LENGTH:,} characters (this one has {len(reason):,})."
        )
    return reason


class FrozenGuard(models.Model):
    """Refuses every save and delete of a record whose incident is closed or cancelled.

    The guard sits in ``save()`` and ``delete()`` so it holds whichever way a change comes (pages,
    admin site, shell), and in ``clean()`` so that forms (the admin's included) show it as a
    message. A verb that may change a frozen record (reopening, taking the public page down) says
    so with :meth:`_allow_while_frozen`. Records are never hard-deleted: cancel, withdraw or
    deactivate instead.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not getattr(self, "_frozen_exempt", False):
            self.refuse_if_frozen()
        self._frozen_exempt = False
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TransitionRefused(
            f"A {self._meta.verbose_name} is part of the record and is never deleted."
        )

    def frozen_incident_status(self):
        """The stored status of the incident this record belongs to. Queries the database (the
        stored row decides, not a copy in memory that may be out of date)."""
        incident_id = self.frozen_incident_id()
        if incident_id is None:
            return None
        owner = _frozen_owner[0].model
        return owner.objects.filter(pk=incident_id).values_list("status", flat=True).first()

    def frozen_incident_id(self):
        """The primary key of the incident whose status freezes this record."""
        raise NotImplementedError

    def frozen_message(self, status):
        return (
            f"The incident is {status}: it and everything under it are frozen. "
            "A manager may reopen it."
        )

    def incident_status_as_loaded(self):
        """The incident's status as loaded in memory, for what pages offer (no queries once
        loaded); saving asks the database instead (:meth:`frozen_incident_status`)."""
        return self.incident.status

    def refuse_if_frozen(self):
        """Raise :class:`FrozenRecord` when the incident is closed or cancelled. Queries the
        database once."""
        status = self.frozen_incident_status()
        if status in frozen_statuses():
            raise FrozenRecord(self.frozen_message(status))

    def is_frozen(self):
        """Whether the incident freezes this record. Queries the database once."""
        return self.frozen_incident_status() in frozen_statuses()

    def _allow_while_frozen(self):
        self._frozen_exempt = True

    def clean(self):
        super().clean()
        try:
            self.refuse_if_frozen()
        except FrozenRecord as frozen:
            raise ValidationError({NON_FIELD_ERRORS: [str(frozen)]}) from frozen


class VersionedModel(FrozenGuard):
    """A history-tracked record edited by forms and moved by verbs.

    ``version`` grows on every save through :meth:`save_edit` or :meth:`_transition`, so a form
    opened before someone else's save is detected instead of silently overwriting their work.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def _copy_from(self, row):
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(row, field.attname))

    def _save_as(self, by, reason):
        self._history_user = by
        self._change_reason = reason
        self.save()

    def save_edit(self, *, by, expected_version, fields, reason="Edited", before_save=None):
        """Save the named fields of this (form-updated) instance onto the locked row.

        Queries the database: locks the row, refuses with :class:`StaleEdit` when its version is
        not the one the form was opened on, and records ``by`` and ``reason`` in history.
        ``before_save(row, changed)`` may adjust the row (a statement returns to Draft).
        """
        with transaction.atomic():
            row = type(self).objects.select_for_update().get(pk=self.pk)
            row.refuse_if_frozen()
            if row.version != expected_version:
                raise StaleEdit(current=row)
            changed = [name for name in fields if getattr(row, name) != getattr(self, name)]
            for name in fields:
                setattr(row, name, getattr(self, name))
            if before_save is not None:
                reason = before_save(row, changed) or reason
            row.version += 1
            row._save_as(by, reason)
        self._copy_from(row)
        return row

    def _transition(
        self, action, *, by, reason, check=None, changes=None, record=None, on_commit=None
    ):
        """Make the move named ``action`` of ``self.MOVES``, or raise :class:`TransitionRefused`.

        Queries the database: re-reads the row under ``select_for_update`` so that two people
        pressing the same button at once cannot both succeed, then sets the status and its
        dependent fields together and saves once, with the actor and reason in history.
        ``changes`` is a dict of field values, or a callable that builds one from the locked row
        (for values that depend on it, such as the version a reviewer approved). A move whose
        sources are frozen states (reopening a closed incident) passes the frozen guard; every
        other move is refused on a frozen incident. ``record(row)`` runs in the move's
        transaction after the save (events for the outbox: recorded with the move or not at
        all); ``on_commit(row)`` runs once it is committed.
        """
        move = self.MOVES[action]
        # A move without a permission is gated by its ``check`` alone (a stage of an approval
        # chain is decided by its group's members, whatever their role).
        if by is None or (move.permission and not by.has_perm(move.permission)):
            raise TransitionRefused(f"You may not {move.label.lower()}.")
        with transaction.atomic():
            row = type(self).objects.select_for_update().get(pk=self.pk)
            if row.status not in move.sources:
                raise TransitionRefused(
                    f"“{move.label}” is not possible while the {self._meta.verbose_name} is "
                    f"{row.get_status_display()}."
                )
            if not move.sources & frozen_statuses():
                row.refuse_if_frozen()
            # Checked just above (or a way back from a frozen state): the save need not ask again.
            row._allow_while_frozen()
            if check is not None:
                check(row)
            if callable(changes):
                changes = changes(row)
            row.status = move.target
            for name, value in (changes or {}).items():
                setattr(row, name, value)
            row.version += 1
            row._save_as(by, reason or move.label)
            if record is not None:
                record(row)
            if on_commit is not None:
                # Robust: a failing side effect (mail) is logged, never shown as an error after
                # the move has already been saved.
                transaction.on_commit(lambda: on_commit(row), robust=True)
        self._copy_from(row)
        return row

    def may_move(self, user, action):
        """Whether ``user`` may make the move ``action`` of the table now: from this status, with
        its permission, and on a frozen incident only a way back. No queries once the incident
        is loaded."""
        move = self.MOVES[action]
        frozen_states = frozen_statuses()
        frozen = self.incident_status_as_loaded() in frozen_states
        return (
            self.status in move.sources
            and (not move.permission or user.has_perm(move.permission))
            and (not frozen or bool(move.sources & frozen_states))
        )

    def allowed_moves(self, user):
        """The moves (action, Move) ``user`` may make now, in table order (:meth:`may_move`)."""
        return [
            (action, move) for action, move in self.MOVES.items() if self.may_move(user, action)
        ]

    def may_edit(self, user, permission=None):
        """Whether ``user`` may change this record now: they hold ``permission`` (by default the
        model's own change permission; a page that adds a record under an incident names the add
        permission) and the record is editable (its ``is_editable`` where the model narrows it,
        else its incident is not frozen). The one home of "may edit" for pages, panels and
        buttons; no queries once the incident is loaded."""
        if permission is None:
            permission = f"{self._meta.app_label}.change_{self._meta.model_name}"
        editable = getattr(self, "is_editable", None)
        if editable is None:
            editable = self.incident_status_as_loaded() not in frozen_statuses()
        return user.has_perm(permission) and editable
