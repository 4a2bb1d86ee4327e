"""Reminders by mail, sent by ``manage.py send_reminders`` (run it from cron every minute):

- to an incident's lead when the first public acknowledgement, or the next public update that
  the latest public word promised, is due within 10 minutes, and again once it is overdue;
- to an action item's owner when the item is due within the hour, and again once overdue;
- to the managers (its author left out) when a public update waits in Draft for publication;
- to the backups of a stage of an approval chain not decided within its time, once
  (responses.chain_reminders);
- to an incident's lead when its mentions spike (monitoring.spikes.is_spike), once per clock hour
  of the spike.

Each reminder has a key naming the thing and its deadline ("update-overdue:incident:42:
2026-03-14T11:00:00+00:00"), so a new promise or a new due time gets reminders of its own. The
key is written to :class:`SentReminder` in the same transaction as the reminder's event goes
into the outbox (crisis.outbound); the unique key lets exactly one of two runs at once (two
hosts, or a slow run overlapping the next minute's) write it, and only that one raises the
event, whose deliveries carry idempotency keys of their own. The outbox sends the mail, and
retries it with backoff should the mail server fail. Reminders are worked out afresh from the
records on every run, so nothing is sent about a thing that is done (a statement published, an
update published or withdrawn, an item done or dropped) or about an incident that ended.

The deadlines and the warning times come from crisis.clocks.

Another app adds reminders of its own records with :func:`register_source` (in its ``ready()``):
a source is ``source(now)`` yielding :class:`Reminder` objects, in a fixed number of queries, and
its reminders are claimed and sent like these (media inquiries' deadlines: media.reminders).
"""

import logging
from dataclasses import dataclass, replace
from datetime import UTC

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from crisis import clocks
from crisis.mail import subject_line
from crisis.models import PushSubscription
from crisis.outbound import Event, EventKind, raise_event
from crisis.templatetags.crisis_tags import describe_duration
from incidents.models import Incident
from incidents.models.incident import FROZEN_INCIDENT_STATUSES
from monitoring import spike_reasons, spikes
from responses import chain_reminders
from responses.models import ActionItem, ProgressUpdate, SentReminder

logger = logging.getLogger(__name__)

PUBLISH_UPDATE_PERMISSION = "responses.publish_progressupdate"


@dataclass(frozen=True)
class Reminder:
    key: str
    subject: str
    body: str
    recipients: tuple[str, ...]
    kind: str = EventKind.ACKNOWLEDGEMENT_DUE
    url: str = ""
    severity: int | None = None
    is_drill: bool = False
    # Whose browsers are notified (user ids), besides the mail to ``recipients``.
    people: tuple[int, ...] = ()

    def event(self):
        return Event(
            kind=self.kind,
            key=self.key,
            title=self.subject,
            text=self.body,
            url=self.url or settings.SITE_URL,
            severity=self.severity,
            is_drill=self.is_drill,
            recipients=self.recipients,
            people=self.people,
        )


# Other apps' reminders: ``source(now)`` yielding Reminder objects (see the module's docstring).
reminder_sources = []


def register_source(source):
    """Add ``source`` once (``ready()`` may run more than once)."""
    if source not in reminder_sources:
        reminder_sources.append(source)
    return source


@dataclass
class Outcome:
    sent: int = 0
    already_sent: int = 0
    failed: int = 0


def send_due_reminders(now=None):
    """Put every reminder that is due now and was never sent into the outbox; returns an
    :class:`Outcome` (``sent`` counts the reminders queued). Queries the records (a fixed number
    of queries), then a few inserts per reminder due."""
    now = now or timezone.now()
    outcome = Outcome()
    for reminder in due_reminders(now):
        if _claim(reminder, now):
            outcome.sent += 1
        else:
            outcome.already_sent += 1
    return outcome


def _claim(reminder, now):
    """Record the reminder as sent and raise its event, together; False when another run
    already did (the unique key)."""
    try:
        with transaction.atomic():
            SentReminder.objects.create(
                key=reminder.key, sent_at=now, recipients=", ".join(reminder.recipients)
            )
            raise_event(reminder.event())
    except IntegrityError:
        return False
    return True


def due_reminders(now=None):
    """Every reminder the records call for at ``now``, sent before or not, each with at least
    one recipient (an address, or a person with a browser to notify). Seven queries however
    many records (eight with browser notifications set up), and each registered source's."""
    now = now or timezone.now()
    reachable = PushSubscription.objects.reachable()
    reminders = [
        replace(reminder, people=tuple(pk for pk in reminder.people if pk in reachable))
        for reminder in (
            *_lead_reminders(now),
            *_owner_reminders(now),
            *_manager_reminders(),
            *_spike_reminders(now),
            *(reminder for source in reminder_sources for reminder in source(now)),
            *chain_reminders.stage_reminders(now, Reminder, _subject, _when, _key),
        )
    ]
    return [reminder for reminder in reminders if reminder.recipients or reminder.people]


def _stamp(moment):
    return moment.astimezone(UTC).isoformat()


def _key(kind, stage, record, deadline):
    return f"{kind}-{stage}:{record._meta.model_name}:{record.pk}:{_stamp(deadline)}"


def _address(user):
    return (user.email,) if user is not None and user.is_active and user.email else ()


def _person(user):
    return (user.pk,) if user is not None and user.is_active else ()


def _subject(incident, text):
    drill = "[Drill] " if incident.is_drill else ""
    return subject_line(f"{drill}[{incident.reference}] {text}")


def _about(incident, url):
    """What an event needs to know of the incident besides the text: the exact page, the
    severity, whether it is a drill."""
    return url, incident.severity, incident.is_drill


def _link(incident):
    return settings.SITE_URL + incident.get_absolute_url()


def _when(moment):
    return timezone.localtime(moment).strftime("%d %b %Y, %H:%M %Z")


def _lead_reminders(now):
    """The first acknowledgement and the promised updates of open incidents (one query)."""
    incidents = Incident.objects.open().select_related("lead").with_clocks()
    for incident in incidents:
        clock = clocks.response_clock(incident, now)
        deadline = clock.deadline
        stage = clocks.reminder_stage(deadline.due_at, clocks.LEAD_REMINDER_BEFORE, now)
        if stage is None:
            continue
        is_first = clock.phase == clocks.ACKNOWLEDGEMENT
        what = "First public acknowledgement" if is_first else "Next public update"
        if stage == clocks.REMINDER_OVERDUE:
            headline = f"{what} overdue by {describe_duration(now - deadline.due_at)}"
        else:
            headline = f"{what} due in {describe_duration(deadline.due_at - now)}"
        if is_first:
            context = (
                f"Detected {describe_duration(now - incident.detected_at)} ago; the audience "
                "has had no public word yet. Publish a holding statement."
            )
        else:
            context = (
                f"The latest public word went out {_when(clock.public_word_at)} and promised "
                f"the next by {_when(deadline.due_at)}. Publish a public update."
            )
        body = (
            f"{headline}: {incident.reference} “{incident.title}” "
            f"(severity {incident.severity}, you lead it).\n\n"
            f"Due {_when(deadline.due_at)}. {context}\n\n{_link(incident)}\n"
        )
        kind = "acknowledgement" if is_first else "update"
        yield Reminder(
            _key(kind, stage, incident, deadline.due_at),
            _subject(incident, headline),
            body,
            _address(incident.lead),
            EventKind.ACKNOWLEDGEMENT_DUE if is_first else EventKind.UPDATE_DUE,
            *_about(incident, _link(incident)),
            people=_person(incident.lead),
        )


def _owner_reminders(now):
    """Unfinished action items due within the hour or overdue, of incidents not frozen (one
    query)."""
    items = (
        ActionItem.objects.unfinished()
        .filter(owner__isnull=False, due_at__lte=now + clocks.ACTION_ITEM_DUE_SOON)
        .exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)
        .select_related("owner", "incident")
        .order_by("due_at", "pk")
    )
    for item in items:
        stage = clocks.reminder_stage(item.due_at, clocks.ACTION_ITEM_DUE_SOON, now)
        if stage is None:
            continue
        if stage == clocks.REMINDER_OVERDUE:
            headline = f"Action item overdue by {describe_duration(now - item.due_at)}"
        else:
            headline = f"Action item due in {describe_duration(item.due_at - now)}"
        incident = item.incident
        body = (
            f"{headline}: “{item.title}” ({item.get_kind_display()}, "
            f"{item.get_status_display().lower()}), which you own on {incident.reference} "
            f"“{incident.title}”.\n\nDue {_when(item.due_at)}. Mark it done when it is, or "
            f"change its due time.\n\n{settings.SITE_URL}{item.get_absolute_url()}\n"
        )
        yield Reminder(
            _key("item", stage, item, item.due_at),
            _subject(incident, f"{headline}: {item.title}"),
            body,
            _address(item.owner),
            EventKind.ACTION_ITEM_DUE,
            *_about(incident, settings.SITE_URL + item.get_absolute_url()),
            people=_person(item.owner),
        )


def _manager_reminders():
    """Public updates waiting in Draft for a manager to publish them (two queries: the
    updates, the managers)."""
    updates = list(
        ProgressUpdate.objects.filter(
            kind=ProgressUpdate.Kind.PUBLIC, status=ProgressUpdate.Status.DRAFT
        )
        .exclude(incident__status__in=FROZEN_INCIDENT_STATUSES)
        .select_related("incident", "author")
        .order_by("created_at", "pk")
    )
    if not updates:
        return
    managers = list(
        get_user_model()
        .objects.with_perm(
            PUBLISH_UPDATE_PERMISSION,
            is_active=True,
            include_superusers=True,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .values_list("pk", "email")
    )
    for update in updates:
        incident = update.incident
        author = update.author
        writer = (author.get_full_name() or author.get_username()) if author else "Someone"
        body = (
            f"{writer} drafted a public update on {incident.reference} “{incident.title}” "
            f"on {_when(update.created_at)}. It waits for a manager other than its author to "
            f"publish it.\n\n{update.body}\n\n{settings.SITE_URL}{update.get_absolute_url()}\n"
        )
        yield Reminder(
            _key("update", "waiting", update, update.created_at),
            _subject(incident, "A public update waits for publication"),
            body,
            tuple(sorted(email for pk, email in managers if pk != update.author_id and email)),
            EventKind.UPDATE_AWAITS_PUBLICATION,
            *_about(incident, settings.SITE_URL + update.get_absolute_url()),
            people=tuple(pk for pk, _email in managers if pk != update.author_id),
        )


def _spike_reminders(now):
    """Open incidents with a lead whose mentions spike now (two queries however many are open:
    the thresholds, one aggregate over the mention counts; a third loads the spiking incidents,
    if any, and one more per five of them for why, see monitoring.spike_reasons). The key names
    the clock hour, so a spike lasting into the next hour is told again then, and never twice
    within one hour."""
    leading = Incident.objects.open().filter(lead__isnull=False)
    volumes = spikes.spiking(leading, inbox=False, now=now)
    if not volumes:
        return
    incidents = list(leading.filter(pk__in=volumes).select_related("lead").order_by("pk"))
    reasons = spike_reasons.explain_all(
        [(incident.pk, volumes[incident.pk], incident.tracking_terms) for incident in incidents]
    )
    for incident in incidents:
        volume = volumes[incident.pk]
        headline = f"Mention spike: {volume.count} in the last hour"
        usual = f"{volume.usual:g}"
        reason = reasons[incident.pk]
        why = spike_reasons.describe(reason)
        body = (
            f"{headline} on {incident.reference} “{incident.title}” (you lead it), against "
            f"{usual} usually at this hour over the past {spikes.SPIKE_HISTORY_DAYS} days.\n\n"
            + (f"{why}\n\n" if why else "")
            + f"Read the conversation and consider a public update.\n\n{_link(incident)}\n"
        )
        yield Reminder(
            _key("spike", "hour", incident, volume.hour),
            # The subject (what a browser notification shows whole) names the term that grew most.
            _subject(incident, headline + spike_reasons.headline(reason)),
            body,
            _address(incident.lead),
            EventKind.MENTION_SPIKE,
            *_about(incident, _link(incident)),
            people=_person(incident.lead),
        )
