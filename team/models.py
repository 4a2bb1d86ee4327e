"""Calling the team to an incident: who was called, by whom and when, and each person's answer
("Joining" or "Can't"), the roll call the incident page shows.

The incident's lead or a manager calls chosen people and groups; each person called gets the
call through the outbound pipeline (a mail, and the chat channels that want ``callout.made``) with
a link to the incident's roll call, where they answer. Every call and answer keeps its history.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.urls import reverse
from simple_history.models import HistoricalRecords

from crisis import timekeeper
from crisis.history import display_user
from crisis.lifecycle import FrozenGuard, TransitionRefused
from crisis.outbound import Event, EventKind, raise_event
from incidents.models import Incident

CALL_PERMISSION = "team.add_callout"
MESSAGE_MAX_LENGTH = 500
# Enough for any team; a call to more is refused (a whole company is not a team).
MOST_CALLED = 200


def may_call(user, incident):
    """Whether ``user`` may call the team to ``incident``: a manager (the permission), or the
    incident's lead when they may work on incidents. No queries (permissions are cached)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm(CALL_PERMISSION):
        return True
    return incident.lead_id == user.pk and user.has_perm("incidents.change_incident")


def call_refusal(user, incident):
    """Why ``user`` may not call the team to ``incident`` now, or ``""``. No queries."""
    if not may_call(user, incident):
        return "Only the incident's lead or a manager may call the team."
    if not incident.is_editable:
        return incident.frozen_notice()
    return ""


class CallOut(FrozenGuard):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="callouts")
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="callouts_made"
    )
    called_at = models.DateTimeField(default=timekeeper.now)
    message = models.CharField(max_length=MESSAGE_MAX_LENGTH, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-called_at", "-pk"]
        indexes = [models.Index(fields=["incident", "-called_at"], name="callout_incident")]

    def __str__(self):
        return f"Call-out to {self.incident.reference} at {self.called_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("incidents:detail", args=[self.incident.reference]) + "#roll-call"

    def frozen_incident_id(self):
        return self.incident_id

    @classmethod
    def call(cls, *, incident, by, people=(), groups=(), message=""):
        """Call ``people`` and the active members of ``groups`` to ``incident``: one answer
        row each, waiting, and one event for the outbound pipeline (a mail to each, the chat
        channels that want it), in one transaction. Refused for someone who may not call, a
        frozen incident, nobody to call, or too many. Queries the database."""
        refusal = call_refusal(by, incident)
        if refusal:
            raise TransitionRefused(refusal)
        message = (message or "").strip()
        if len(message) > MESSAGE_MAX_LENGTH:
            raise TransitionRefused(f"Keep the message to {MESSAGE_MAX_LENGTH} characters.")
        called = {person.pk: person for person in people if person.is_active}
        if groups:
            members = get_user_model().objects.filter(is_active=True, groups__in=list(groups))
            called.update({person.pk: person for person in members})
        if not called:
            raise TransitionRefused("Choose at least one person or group to call.")
        if len(called) > MOST_CALLED:
            raise TransitionRefused(f"Call at most {MOST_CALLED} people at once.")
        with transaction.atomic():
            callout = cls(incident=incident, called_by=by, message=message)
            callout._history_user, callout._change_reason = by, "Team called"
            callout.save()
            for person in called.values():
                answer = Answer(callout=callout, person=person)
                answer._history_user, answer._change_reason = by, "Called"
                answer.save()
            raise_event(callout.event(sorted(called.values(), key=lambda p: p.pk)))
        return callout

    def event(self, people):
        incident = self.incident
        who = display_user(self.called_by)
        link = settings.SITE_URL + self.get_absolute_url()
        text = f"{who} calls you to {incident.reference} · {incident.title}."
        if self.message:
            text += f"\n\n{self.message}"
        text += f"\n\nAnswer Joining or Can't on the incident's roll call: {link}"
        return Event(
            kind=EventKind.TEAM_CALLED,
            key=f"callout:{self.pk}",
            title=f"Call-out: {incident.reference} · {incident.title}",
            text=text,
            url=link,
            severity=incident.severity,
            is_drill=incident.is_drill,
            recipients=tuple(person.email for person in people if person.email),
            people=tuple(person.pk for person in people),
        )


class Answer(FrozenGuard):
    class Reply(models.TextChoices):
        WAITING = "", "No answer yet"
        JOINING = "joining", "Joining"
        CANNOT = "cannot", "Can't"

    callout = models.ForeignKey(CallOut, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="callout_answers"
    )
    reply = models.CharField(max_length=10, choices=Reply.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["callout", "person"], name="callout_answer_once"),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_reply_display()}"

    def frozen_incident_id(self):
        return self.callout.incident_id

    @property
    def is_waiting(self):
        return self.reply == self.Reply.WAITING

    def answer(self, *, by, reply):
        """``by`` answers their own call: Joining or Can't (a later answer replaces an
        earlier one, both kept in history). Refused for someone else's call, an unknown
        answer, or a frozen incident. Locks the row."""
        if reply not in (self.Reply.JOINING, self.Reply.CANNOT):
            raise TransitionRefused("Answer Joining or Can't.")
        if by is None or by.pk != self.person_id:
            raise TransitionRefused("Only the person called may answer.")
        with transaction.atomic():
            # The guard (FrozenGuard) refuses it on a closed or cancelled incident.
            row = Answer.objects.select_for_update().select_related("callout").get(pk=self.pk)
            row.reply = reply
            row.answered_at = timekeeper.now()
            row._history_user, row._change_reason = by, row.get_reply_display()
            row.save()
        return row
