"""Media inquiries: a journalist's question on an incident, with their deadline, the spokesperson
who answers, and the answer.

An inquiry is logged by Comms (status **New**, or **Assigned** once it names a spokesperson), and
ends **Answered** or **Declined**. The answer is wording the public will read: either made wholly
of the library's approved lines (lines.offer offers them beside the answer), or new wording that a
manager who wrote none of it approves first, as a statement is approved (the four-eyes rule,
responses.models.four_eyes). Any change of the answer's wording clears its approval. The deadline
is a clock (crisis.clocks.inquiry_clock): ``send_reminders`` tells the spokesperson before it and
once it has passed (press.reminders), and the post-mortem counts whether each answer came in time.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crisis import clocks, timekeeper
from crisis.lifecycle import TransitionRefused, VersionedModel, clean_reason
from incidents.models import Incident
from incidents.models.incident import FROZEN_INCIDENT_STATUSES
from responses.models.four_eyes import FourEyes, FourEyesQuerySet

ADD_PERMISSION = "press.add_mediainquiry"
CHANGE_PERMISSION = "press.change_mediainquiry"
APPROVE_PERMISSION = "press.approve_mediainquiry"
QUESTION_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 5000
# A phone number as people type it: digits, spaces and the usual punctuation, a leading +.
PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")


def contact_refusal(contact):
    """Why ``contact`` is neither a mail address nor a phone number, or ``""``. No queries."""
    contact = (contact or "").strip()
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            return "Enter a valid mail address (name@example.com) or a phone number."
        return ""
    if not PHONE.match(contact) or sum(ch.isdigit() for ch in contact) < 5:
        return "Enter a mail address or a phone number (digits, spaces, + ( ) - . /)."
    return ""


def normalized(text):
    """``text`` with every run of white space as one space: how wording is compared."""
    return " ".join((text or "").split())


def made_of(text, pieces):
    """Whether ``text`` is one or more of ``pieces`` one after the other (white space between
    and around them aside), each piece used any number of times. No queries."""
    text = normalized(text)
    pieces = {normalized(piece) for piece in pieces} - {""}
    if not text or not pieces:
        return False
    # starts[i]: a piece may start at text[i] (the text so far is made of pieces).
    starts = {0}
    for start in range(len(text)):
        if start not in starts:
            continue
        for piece in pieces:
            end = start + len(piece)
            if not text.startswith(piece, start):
                continue
            if end == len(text):
                return True
            if text[end] == " ":
                starts.add(end + 1)
    return False


def _set_by_verbs():
    """A person the inquiry's verbs record (who worded, approved, answered): no form sets it."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )


class MediaInquiryQuerySet(FourEyesQuerySet):
    def open(self):
        """Inquiries still waiting for an answer (new or assigned)."""
        return self.filter(status__in=MediaInquiry.OPEN_STATUSES)

    def of_running_incidents(self):
        """Inquiries of incidents not closed or cancelled."""
        return self.exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)

    def by_deadline(self):
        return self.order_by("deadline", "pk")


class MediaInquiry(FourEyes, VersionedModel):
    class Status(models.TextChoices):
        NEW = "new", "New"
        ASSIGNED = "assigned", "Assigned"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    OPEN_STATUSES = (Status.NEW, Status.ASSIGNED)
    # The fields of the inquiry itself (the edit form's); the answer has its own form and verbs.
    DETAIL_FIELDS = (
        "outlet",
        "journalist",
        "contact",
        "question",
        "received_at",
        "deadline",
        "spokesperson",
    )

    # PROTECT: inquiries are part of the record; an incident is cancelled, never deleted.
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="media_inquiries")
    outlet = models.CharField(max_length=200, help_text="The newspaper, channel or site.")
    journalist = models.CharField(max_length=200)
    contact = models.CharField(
        max_length=200, help_text="The journalist's mail address or phone number."
    )
    question = models.TextField(max_length=QUESTION_MAX_LENGTH)
    received_at = models.DateTimeField("received", default=timekeeper.now)
    deadline = models.DateTimeField(help_text="When the journalist needs the answer.")
    spokesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="media_inquiries",
        help_text="Who answers the journalist, by name.",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.NEW, editable=False
    )
    answer = models.TextField(max_length=ANSWER_MAX_LENGTH, blank=True)
    # Who last changed the answer's wording (its author for the four-eyes rule).
    worded_by = _set_by_verbs()
    answer_approved_by = _set_by_verbs()
    answer_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when answered: whether the answer was made wholly of approved lines (no approval).
    is_answer_from_lines = models.BooleanField(default=False, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_by = _set_by_verbs()
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_by = _set_by_verbs()
    decline_reason = models.TextField(blank=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)

    history = HistoricalRecords()
    objects = MediaInquiryQuerySet.as_manager()

    class Meta:
        verbose_name = "media inquiry"
        verbose_name_plural = "media inquiries"
        ordering = ["deadline", "pk"]
        permissions = [("approve_mediainquiry", "Can approve the answer to a media inquiry")]
        constraints = [
            # A journalist's deadline comes after their question (clean() says it by the field).
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("received_at")),
                name="inquiry_deadline_after_received",
            ),
            # Answered means when and by whom (mark_answered sets them together).
            models.CheckConstraint(
                condition=~Q(status="answered")
                | Q(answered_at__isnull=False, answered_by__isnull=False),
                name="inquiry_answered_whole",
            ),
            # Approved means both who and when (approve_answer sets them together).
            models.CheckConstraint(
                condition=Q(answer_approved_by__isnull=True, answer_approved_at__isnull=True)
                | Q(answer_approved_by__isnull=False, answer_approved_at__isnull=False),
                name="inquiry_approval_whole",
            ),
        ]
        indexes = [
            # The list of open inquiries across incidents, soonest deadline first, and the
            # reminders' scan of open inquiries.
            models.Index(fields=["status", "deadline"], name="inquiry_open_deadline"),
            # The incident page's panel and timeline: one incident's inquiries.
            models.Index(fields=["incident", "deadline"], name="inquiry_incident"),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.journalist}"

    def get_absolute_url(self):
        return reverse("press:detail", args=[self.pk])

    def frozen_incident_id(self):
        return self.incident_id

    def clean(self):
        super().clean()
        errors = {}
        if self.received_at and self.deadline and self.deadline < self.received_at:
            errors["deadline"] = "The deadline cannot be before the inquiry was received."
        if self.contact and contact_refusal(self.contact):
            errors["contact"] = contact_refusal(self.contact)
        if self.spokesperson_id and self.spokesperson and not self.spokesperson.is_active:
            errors["spokesperson"] = "Choose someone who is still on the team."
        if errors:
            raise ValidationError(errors)

    # -- Rules ------------------------------------------------------------------------------

    # The four-eyes rule (responses.models.four_eyes): an answer in new wording is approved by
    # a manager who wrote none of it.
    WRITING_FIELDS = ("answer",)
    SECOND_EYES_PERMISSION = APPROVE_PERMISSION
    FOUR_EYES_REFUSALS = {
        "permission": "Only a manager may approve an answer.",
        "author": "You wrote this answer, so another manager must approve it.",
        "contributor": "You changed this answer's wording, so another manager must approve it.",
    }

    @property
    def author_id(self):
        # The answer's author, for the four-eyes rule: who last worded it (every earlier
        # writer is found in the history).
        return self.worded_by_id

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    @property
    def is_answer_approved(self):
        return self.answer_approved_at is not None

    def clock(self, now=None):
        """The deadline's clock (crisis.clocks.inquiry_clock). No queries."""
        return clocks.inquiry_clock(self, now)

    @property
    def answered_in_time(self):
        """Whether the answer went out by the deadline; None unless answered."""
        return clocks.met_deadline(self.answered_at, self.deadline)

    def edit_refusal(self, user):
        """Why ``user`` may not change this inquiry or its answer now, or ``""``. No queries
        once the incident is loaded."""
        if user is None or not user.has_perm(CHANGE_PERMISSION):
            return "Only Comms and managers may change media inquiries."
        if not self.incident.is_editable:
            return self.incident.frozen_notice()
        if not self.is_open:
            return f"This inquiry is {self.get_status_display().lower()}: it no longer changes."
        return ""

    def answer_approval_refusal(self, user, writers=None):
        """Why ``user`` may not approve the answer's wording now, or ``""``: an open inquiry
        with an answer not yet approved, and the four-eyes rule. Queries the history as
        :meth:`FourEyes.four_eyes_refusal` does (pass ``writers`` to avoid it)."""
        if not self.is_open:
            return f"This inquiry is {self.get_status_display().lower()}."
        if not self.incident.is_editable:
            return self.incident.frozen_notice()
        if not self.answer.strip():
            return "There is no answer to approve yet."
        if self.is_answer_approved:
            return "This answer is already approved."
        return self.four_eyes_refusal(user, writers)

    def answered_refusal(self, user, from_lines):
        """Why ``user`` may not mark the inquiry answered now, or ``""``. ``from_lines`` says
        whether the answer is made wholly of approved lines (:meth:`is_made_of_lines`): such an
        answer needs no approval; new wording needs a manager's approval first. No queries."""
        refusal = self.edit_refusal(user)
        if refusal:
            return refusal
        if not self.answer.strip():
            return "Write the answer first."
        if not from_lines and not self.is_answer_approved:
            # The approval's own rule (who approves) is the page's and the approval's to say:
            # this says only what stops the answer from going.
            return "The answer's new wording is not approved yet."
        return ""

    def decline_refusal(self, user):
        """Why ``user`` may not decline to answer now, or ``""``. No queries."""
        return self.edit_refusal(user)

    def offered_lines(self):
        """The approved lines offered for this inquiry's incident (lines.offer). Queries the
        database once."""
        from lines.offer import offered

        return [line for line, _past_review in offered(self.incident.category)]

    def is_made_of_lines(self, lines=None):
        """Whether the answer is wholly made of approved lines (``lines``, or those offered for
        the incident: one query), one after the other."""
        if lines is None:
            lines = self.offered_lines()
        return made_of(self.answer, [line.text for line in lines])

    # -- Verbs ------------------------------------------------------------------------------

    @classmethod
    def log(cls, *, incident, by, **fields):
        """Log a new inquiry on ``incident``: New, or Assigned when it names a spokesperson.
        Queries the database."""
        if by is None or not by.has_perm(ADD_PERMISSION):
            raise TransitionRefused("Only Comms and managers may log media inquiries.")
        if not incident.is_editable:
            raise TransitionRefused(incident.frozen_notice())
        inquiry = cls(incident=incident, logged_by=by, **fields)
        if inquiry.spokesperson_id:
            inquiry.status = cls.Status.ASSIGNED
        inquiry.full_clean()
        inquiry._save_as(by, "Logged")
        return inquiry

    def save_details(self, *, by, expected_version, fields):
        """Save an edit of the inquiry (not its answer); naming a spokesperson assigns it, and
        removing them makes it New again. Queries and locks the row (``save_edit``)."""
        refusal = self.edit_refusal(by)
        if refusal:
            raise TransitionRefused(refusal)
        try:
            self.clean()
        except ValidationError as invalid:
            raise TransitionRefused(" ".join(invalid.messages)) from invalid

        def before_save(row, changed):
            if not row.is_open:
                raise TransitionRefused(row.edit_refusal(by) or "This inquiry is closed.")
            if "spokesperson" in changed:
                if row.spokesperson_id:
                    row.status = self.Status.ASSIGNED
                    return "Spokesperson assigned"
                row.status = self.Status.NEW
                return "Spokesperson removed"
            return "Edited"

        return self.save_edit(
            by=by, expected_version=expected_version, fields=fields, before_save=before_save
        )

    def save_answer(self, *, by, expected_version, fields):
        """Save the answer's wording; a change clears its approval and makes ``by`` its last
        writer. Queries and locks the row (``save_edit``)."""
        refusal = self.edit_refusal(by)
        if refusal:
            raise TransitionRefused(refusal)
        self.answer = (self.answer or "").replace("\r\n", "\n").strip()

        def before_save(row, changed):
            if not row.is_open:
                raise TransitionRefused(row.edit_refusal(by) or "This inquiry is closed.")
            if "answer" not in changed:
                return "Answer saved unchanged"
            row.worded_by = by
            if row.is_answer_approved:
                row.answer_approved_by = row.answer_approved_at = None
                return "Answer reworded: approval cleared"
            return "Answer worded"

        return self.save_edit(
            by=by, expected_version=expected_version, fields=["answer"], before_save=before_save
        )

    def approve_answer(self, *, by, version):
        """Approve the answer's wording of ``version`` (the one the manager read). Queries the
        database: locks the row, so two approvals at once make one."""
        return self._locked_change(
            by=by,
            version=version,
            refusal=lambda row: row.answer_approval_refusal(by),
            changes=lambda row: {"answer_approved_by": by, "answer_approved_at": timekeeper.now()},
            reason="Answer approved",
        )

    def mark_answered(self, *, by, version):
        """The answer went to the journalist: Answered, now. Refused for new wording not
        approved (:meth:`answered_refusal`). Queries the database (the offered lines, then locks
        the row)."""
        lines = self.offered_lines()

        def changes(row):
            return {
                "status": self.Status.ANSWERED,
                "answered_at": timekeeper.now(),
                "answered_by": by,
                "is_answer_from_lines": row.is_made_of_lines(lines),
            }

        return self._locked_change(
            by=by,
            version=version,
            refusal=lambda row: row.answered_refusal(by, row.is_made_of_lines(lines)),
            changes=changes,
            reason="Answered",
        )

    def decline(self, *, by, version, reason=""):
        """Decide not to answer (with an optional reason). Queries and locks the row."""
        reason = clean_reason(reason)
        return self._locked_change(
            by=by,
            version=version,
            refusal=lambda row: row.decline_refusal(by),
            changes={
                "status": self.Status.DECLINED,
                "declined_at": timekeeper.now(),
                "declined_by": by,
                "decline_reason": reason,
            },
            reason="Declined" + (f": {reason}" if reason else ""),
        )

    def _locked_change(self, *, by, version, refusal, changes, reason):
        with transaction.atomic():
            row = (
                type(self)
                .objects.select_for_update(of=("self",))
                .select_related("incident")
                .get(pk=self.pk)
            )
            row.refuse_if_frozen()
            why = refusal(row)
            if why:
                raise TransitionRefused(why)
            if row.version != version:
                raise TransitionRefused(
                    "The inquiry was changed after you opened it: read it again first."
                )
            for name, value in (changes(row) if callable(changes) else changes).items():
                setattr(row, name, value)
            row.version += 1
            row._save_as(by, reason)
        self._copy_from(row)
        return row
