"""The post-mortem: what a resolved incident taught us. Submitting it is the only way to close an
incident (:meth:`PostMortem.submit`); the rule for when that is allowed is
:meth:`PostMortem.close_refusals`.
"""

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.models import HistoricalRecords

from crisis import panels, timekeeper
from crisis.history import display_user
from crisis.lifecycle import StaleEdit, TransitionRefused, VersionedModel
from crisis.panels import Refusal
from incidents.models.incident import Incident

# Writing a post-mortem is Comms' work too; submitting it closes the incident, a manager's call.
WRITE_PERMISSION = "incidents.change_postmortem"
CLOSE_PERMISSION = "incidents.close_incident"

# The fields a complete post-mortem fills in, in the form's order.
TEXT_FIELDS = (
    "summary",
    "root_cause",
    "impact",
    "went_well",
    "went_wrong",
    "lessons_learned",
    "follow_up",
)
# A long read, not a storage limit: a field longer than this is a document to attach elsewhere.
TEXT_MAX_LENGTH = 20000

# The history's words for what happened to a post-mortem.
DRAFT_SAVED = "Draft saved"
SUBMITTED = "Submitted: the incident is closed"
REOPENED = "Needs review: the incident was reopened"
CLOSED_REASON = "Closed with the post-mortem"


class CloseRefused(TransitionRefused):
    """Submitting the post-mortem may not close the incident: ``refusals`` lists every reason,
    each a :class:`crisis.panels.Refusal` with the address where it can be dealt with."""

    def __init__(self, refusals):
        super().__init__(" ".join(refusal.message for refusal in refusals))
        self.refusals = list(refusals)


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
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)

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

    @property
    def is_complete(self):
        """Submitted, and not reopened since. No queries."""
        return self.completed_at is not None and not self.needs_review

    def missing_fields(self):
        """The names of the text fields still empty, in the form's order. No queries."""
        return [name for name in TEXT_FIELDS if not (getattr(self, name) or "").strip()]

    def starting_text(self, facts):
        """What the form starts with in the fields still empty, from what the app knows: the
        incident's summary, and each fact (``panels.facts_for``) that names the field, one line
        each ("- label: value"). No queries once the incident is loaded."""
        text = {"summary": self.incident.summary}
        for fact in facts:
            if fact.field:
                line = f"- {fact.label}: {fact.value}" if fact.value else f"- {fact.label}"
                text[fact.field] = (text.get(fact.field, "") + "\n" + line).strip()
        missing = self.missing_fields()
        return {name: value for name, value in text.items() if value and name in missing}

    def close_refusals(self, incident=None):
        """Every unmet condition for closing the incident with this post-mortem, as a list of
        :class:`crisis.panels.Refusal` (empty: it may close). The one rule, for the form, the
        page and :meth:`submit`: the incident is Resolved, every text field is filled in, and
        no app's close gate refuses (crisis.panels.close_gates: Rectify items still open,
        statements and public updates waiting). Queries the database: the gates' queries."""
        incident = incident or self.incident
        refusals = []
        form_url = reverse("incidents:postmortem", args=[incident.reference])
        if incident.status == Incident.Status.CLOSED:
            refusals.append(Refusal(self.already_closed_message(), incident.get_absolute_url()))
            return refusals
        if incident.status != Incident.Status.RESOLVED:
            refusals.append(
                Refusal(
                    f"“Close” is not possible while the incident is "
                    f"{incident.get_status_display()}: only a resolved incident closes with its "
                    "post-mortem. Mark it resolved first.",
                    incident.get_absolute_url(),
                )
            )
        for name in self.missing_fields():
            label = self._meta.get_field(name).verbose_name
            refusals.append(Refusal(f"Fill in “{label}”.", f"{form_url}#id_{name}", name))
        refusals += panels.close_refusals(incident)
        return refusals

    def already_closed_message(self):
        """What a second submission is told once the first closed the incident. Reads the
        stored post-mortem (one query)."""
        stored = PostMortem.objects.filter(incident_id=self.incident_id).first()
        if stored is None or stored.completed_at is None:
            return "“Close” is not possible: the incident is already closed."
        when = date_format(timezone.localtime(stored.completed_at), "j M Y, H:i T")
        return (
            "“Close” is not possible: the incident is already closed. "
            f"{display_user(stored.completed_by)} submitted the post-mortem at {when}; nothing "
            "you typed was saved. A manager may reopen the incident."
        )

    def _locked_stored_row(self, expected_version):
        """The stored post-mortem of this incident, locked, or None. Raises :class:`StaleEdit`
        when it is not the version this form was opened on (None: opened before one existed).
        """
        row = PostMortem.objects.select_for_update().filter(incident_id=self.incident_id).first()
        if row is not None and row.version != expected_version:
            raise StaleEdit(current=row)
        return row

    def _save_text_over(self, row, *, by, reason):
        """Save this instance's text (and bookkeeping) as the new version of ``row`` (or as a
        new record when ``row`` is None)."""
        if row is not None:
            self.pk = row.pk
            self.created_at = row.created_at
            self.version = row.version + 1
            if not getattr(self, "_submitting", False):
                self.completed_at, self.completed_by_id = row.completed_at, row.completed_by_id
                self.needs_review = row.needs_review
        else:
            self.pk = None
            self.version = 1
        self._save_as(by, reason)

    def save_draft(self, *, by, expected_version=None):
        """Save what was typed, complete or not, without closing anything. Queries the database:
        locks the incident (so two first drafts cannot both be created) and the stored
        post-mortem. Refuses a frozen incident (the guard), a Viewer, and a stale form
        (:class:`StaleEdit`), unless what was typed is what is stored (a form sent twice)."""
        if by is None or not by.has_perm(WRITE_PERMISSION):
            raise TransitionRefused("You may not write the post-mortem.")
        with transaction.atomic():
            Incident.objects.select_for_update().filter(pk=self.incident_id).first()
            # A frozen incident says so, before any talk of versions.
            self.refuse_if_frozen()
            try:
                row = self._locked_stored_row(expected_version)
            except StaleEdit as stale:
                if self._same_text_as(stale.current):
                    self._copy_from(stale.current)
                    return self
                raise
            self._save_text_over(row, by=by, reason=DRAFT_SAVED)
        return self

    def _same_text_as(self, row):
        return all(getattr(self, name) == getattr(row, name) for name in TEXT_FIELDS)

    def submit(self, *, by, expected_version=None):
        """Save what was typed as the complete post-mortem and close the incident, in one
        transaction: the only way an incident reaches Closed.

        Queries the database: locks the incident first, so that of two managers submitting at
        once the second waits and is then told the incident is already closed; then checks
        :meth:`close_refusals` and raises :class:`CloseRefused` with every unmet condition
        (nothing is saved), or :class:`StaleEdit` when someone saved the post-mortem after the
        form was opened. On success it records who completed it and when, clears
        ``needs_review``, and makes the incident's ``close`` move (Incident.MOVES).
        """
        if by is None or not by.has_perm(CLOSE_PERMISSION):
            raise TransitionRefused(
                "You may not close the incident: only a manager may. Save the post-mortem as a "
                "draft and ask a manager to submit it."
            )
        with transaction.atomic():
            incident = Incident.objects.select_for_update().get(pk=self.incident_id)
            if incident.status == Incident.Status.CLOSED:
                raise CloseRefused([Refusal(self.already_closed_message())])
            row = self._locked_stored_row(expected_version)
            refusals = self.close_refusals(incident)
            if refusals:
                raise CloseRefused(refusals)
            now = timekeeper.now()
            self.completed_by, self.completed_at, self.needs_review = by, now, False
            self._submitting = True
            try:
                self._save_text_over(row, by=by, reason=SUBMITTED)
            finally:
                self._submitting = False
            incident._transition("close", by=by, reason=CLOSED_REASON, changes={"closed_at": now})
        self.incident = incident
        return self

    @classmethod
    def mark_for_review(cls, incident, *, by):
        """After a manager reopened the closed ``incident``: its submitted post-mortem stays, but
        must be read again and submitted again to close. Queries and locks the post-mortem;
        runs inside the reopening's transaction."""
        row = cls.objects.select_for_update().filter(incident_id=incident.pk).first()
        if row is None or row.completed_at is None or row.needs_review:
            return None
        row.needs_review = True
        row.version += 1
        row._save_as(by, REOPENED)
        return row
