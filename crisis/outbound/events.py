"""Events, and how one becomes deliveries: one row per channel and recipient.

The rows are written when the event is raised (in the caller's transaction, if any), and the
jobs that send them are enqueued only once that transaction commits: a change rolled back
leaves no row, and no row waits on a job that was never queued for long (``deliver_outbox``
sweeps what a lost job left behind).
"""

import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction

logger = logging.getLogger(__name__)


class EventKind(models.TextChoices):
    """What the apps tell the outside. The values are the kernel's own words (dotted), what a
    chat channel subscribes to and what the signed webhook sends as ``event``."""

    INCIDENT_DECLARED = "incident.declared", "Incident declared"
    REVIEW_REQUESTED = "review.requested", "Review requested"
    CHANGES_REQUESTED = "review.changes_requested", "Changes requested"
    APPROVED = "review.approved", "Approved"
    # A stage of an approval chain not decided in its time: its backups are told.
    STAGE_OVERDUE = "review.stage_overdue", "Approval stage overdue"
    PUBLISHED = "statement.published", "Statement published"
    WITHDRAWN = "statement.withdrawn", "Statement withdrawn"
    UPDATE_AWAITS_PUBLICATION = "update.awaits_publication", "Public update awaits publication"
    UPDATE_PUBLISHED = "update.published", "Public update published"
    ACKNOWLEDGEMENT_DUE = "clock.acknowledgement_due", "Acknowledgement due or overdue"
    UPDATE_DUE = "clock.update_due", "Public update due or overdue"
    ACTION_ITEM_DUE = "clock.action_item_due", "Action item due or overdue"
    INQUIRY_DUE = "clock.inquiry_due", "Media inquiry due or overdue"
    MENTION_SPIKE = "mentions.spike", "Mention spike"
    IMPORT_FAILED = "import.failed", "Import failed"
    TEAM_CALLED = "callout.made", "Team called to an incident"
    # Mail only, to the address typed on a subscription form: never offered to a chat channel.
    SUBSCRIPTION_CONFIRMATION = "subscription.confirmation", "Subscription confirmation"
    # Mail only, to an audience's distribution list (its words are the audience's, not the
    # team's): never offered to a chat channel.
    VARIANT_MAILED = "variant.mailed", "Variant mailed to an audience's list"


# Kinds that carry a stranger's address: a chat channel may not ask for them.
MAIL_ONLY = {EventKind.SUBSCRIPTION_CONFIRMATION, EventKind.VARIANT_MAILED}
CHAT_EVENT_CHOICES = [choice for choice in EventKind.choices if choice[0] not in MAIL_ONLY]


class PushTopic(models.TextChoices):
    """What a person may choose to be notified of on their browsers (the Account page): each
    names the events it covers in :data:`PUSH_TOPIC_OF`."""

    REVIEW = "review", "A statement or public update waits for my review"
    DECISION = "decision", "A decision on my statement (approved, changes, published, withdrawn)"
    CLOCK = "clock", "An acknowledgement or public update of an incident I lead is due or overdue"
    ACTION_ITEM = "action_item", "My action item is due or overdue"
    SPIKE = "spike", "Mentions spike on an incident I lead"
    CALLOUT = "callout", "I am called to an incident"
    INQUIRY = "inquiry", "A journalist's deadline for my answer is near or passed"


# The events a browser may be told of, by the choice that covers each; the others never push.
PUSH_TOPIC_OF = {
    EventKind.REVIEW_REQUESTED: PushTopic.REVIEW,
    EventKind.UPDATE_AWAITS_PUBLICATION: PushTopic.REVIEW,
    EventKind.STAGE_OVERDUE: PushTopic.REVIEW,
    EventKind.APPROVED: PushTopic.DECISION,
    EventKind.CHANGES_REQUESTED: PushTopic.DECISION,
    EventKind.PUBLISHED: PushTopic.DECISION,
    EventKind.WITHDRAWN: PushTopic.DECISION,
    EventKind.ACKNOWLEDGEMENT_DUE: PushTopic.CLOCK,
    EventKind.UPDATE_DUE: PushTopic.CLOCK,
    EventKind.ACTION_ITEM_DUE: PushTopic.ACTION_ITEM,
    EventKind.MENTION_SPIKE: PushTopic.SPIKE,
    EventKind.TEAM_CALLED: PushTopic.CALLOUT,
    EventKind.INQUIRY_DUE: PushTopic.INQUIRY,
}


@dataclass(frozen=True)
class Audience:
    """What the public reads of an event, for the listeners that tell the public (an app's
    subscribers): ``topic`` names what a reader may follow (an opaque string the raising app and
    the listening app agree on), ``title`` and ``text`` are the public words, ``url`` the public
    page's absolute address."""

    topic: str
    title: str
    text: str
    url: str


@dataclass(frozen=True)
class Event:
    """One thing that happened, as every channel needs it.

    ``key`` names this occurrence (e.g. ``"review:42"``): with the channel and the recipient it
    makes each delivery's idempotency key, so raising the same event twice sends nothing twice.
    ``recipients`` are the mail addresses (the mail channel); ``people`` the ids of the users
    it concerns (the reviewers asked, the author, the lead, the owner, the people called), whose
    browsers are notified if they chose its kind (:data:`PUSH_TOPIC_OF`); chat channels choose
    by kind and severity.
    """

    kind: str
    key: str
    title: str
    text: str
    url: str
    severity: int | None = None
    is_drill: bool = False
    recipients: tuple[str, ...] = field(default_factory=tuple)
    people: tuple[int, ...] = field(default_factory=tuple)
    # Set when the audience may read of it (a published statement or update on an open page).
    audience: Audience | None = None


# Functions ``listener(event)`` that return more deliveries (unsaved Delivery rows) to record
# with the event's own: how an app reaches people the raising app does not know (subscribers).
# Registered in an app's ``ready()`` with :func:`listen`; the kernel names none of them.
listeners = []


def listen(func):
    """Add ``func`` to the listeners once (``ready()`` may run more than once)."""
    if func not in listeners:
        listeners.append(func)
    return func


def raise_event(event):
    """Record a delivery for every mail recipient, every active chat channel that wants the
    event and every browser of its people that wants it, and those the listeners add, and queue
    their jobs after the commit. Returns the deliveries newly recorded (those recorded before
    under the same keys are left as they are). Queries the database: the channels, the browsers,
    what the listeners read, then one insert per delivery."""
    from crisis.outbound.models import ChatChannel, Delivery, PushSubscription

    wanted = [
        Delivery.for_mail(event, address) for address in sorted({a for a in event.recipients if a})
    ]
    wanted += [Delivery.for_chat(event, channel) for channel in ChatChannel.objects.wanting(event)]
    browsers = PushSubscription.objects.wanting(event)
    wanted += [Delivery.for_push(event, browser) for browser in browsers]
    for listener in listeners:
        wanted += listener(event)
    created = [row for row in wanted if _record_once(row)]
    pending = [row.pk for row in created if row.status == Delivery.Status.PENDING]
    if pending:
        transaction.on_commit(lambda: enqueue(pending), robust=True)
    return created


def _record_once(row):
    """Insert ``row``; False when a row with its idempotency key exists already."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def enqueue(delivery_ids, run_after=None):
    """Queue one delivery job per row. Should the queue be unreachable, the rows stay pending
    and ``deliver_outbox`` (or the next ``send_reminders``) sends them."""
    from crisis.outbound.tasks import deliver

    if run_after is not None and not deliver.get_backend().supports_defer:
        return  # the immediate backend cannot wait: the sweep sends it when due
    for pk in delivery_ids:
        try:
            if run_after is None:
                deliver.enqueue(pk)
            else:
                deliver.using(run_after=run_after).enqueue(pk)
        except Exception:
            logger.warning("Could not queue delivery %s; the sweep sends it", pk, exc_info=True)
