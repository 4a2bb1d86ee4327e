"""The mail readers get: the confirmation link, and one mail for each statement or public
update published on a page they follow, with a one-click unsubscribe (RFC 8058).

Both go through the outbox (crisis.outbound): the confirmation as its own event, the news as
deliveries the kernel asks us for when ``statement.published`` or ``update.published`` is
raised with an audience (see :func:`reader_deliveries`).
"""

from django.conf import settings
from django.urls import reverse

from crisis.outbound import Event, EventKind, raise_event
from crisis.outbound.models import Delivery
from subscriptions.models import Subscription

TOPIC_PREFIX = "incident:"


def _absolute(path):
    return settings.SITE_URL + path


def page_name(row):
    """What the reader subscribed to, in their words."""
    if row.incident is None:
        return "the service notices (every public incident)"
    return f"“{row.incident.public_heading(row.incident.public_title)}”"


def send_confirmation(row, secret):
    """Record the mail that asks the address's owner to confirm (sent after the commit). The
    key names the link, so a fresh link is a fresh mail and a repeat of one is not."""
    link = _absolute(reverse("subscriptions:confirm", args=[secret]))
    hours = settings.SUBSCRIPTION_CONFIRM_HOURS
    text = (
        f"Someone, probably you, asked to receive by mail the statements and updates about "
        f"{page_name(row)}.\n\n"
        f"To confirm, open this link within {hours} hours and press Confirm:\n{link}\n\n"
        "If it was not you, ignore this mail: without confirmation nothing is sent, and the "
        "address is deleted when the link expires.\n"
    )
    raise_event(
        Event(
            kind=EventKind.SUBSCRIPTION_CONFIRMATION,
            key=f"subscription:{row.pk}:{row.confirm_digest[:16]}",
            title="Confirm your subscription",
            text=text,
            url=link,
            recipients=(row.email,),
        )
    )


def unsubscribe_url(key):
    return _absolute(reverse("subscriptions:unsubscribe", args=[key]))


def reader_deliveries(event):
    """The kernel's listener: one mail per confirmed reader of the incident the event's
    audience names (its page's subscribers and the status page's), none for a drill or an
    event the audience may not read. An address following both gets one mail, with the
    unsubscribe link of its subscription to the page. One query."""
    audience = event.audience
    if event.is_drill or audience is None or not audience.topic.startswith(TOPIC_PREFIX):
        return []
    incident_id = int(audience.topic.removeprefix(TOPIC_PREFIX))
    readers = {}
    following = Subscription.objects.following(incident_id).only("email", "key", "incident_id")
    for row in following.order_by("pk"):
        if row.email not in readers or row.incident_id is not None:
            readers[row.email] = row.key
    what = "statement" if event.kind == EventKind.PUBLISHED else "update"
    return [
        _reader_mail(event, audience, email, key, what) for email, key in sorted(readers.items())
    ]


def _reader_mail(event, audience, email, key, what):
    leave = unsubscribe_url(key)
    text = (
        f"{audience.text}\n\n"
        f"Read every statement and update: {audience.url}\n\n"
        f"You receive this because you subscribed to these notices. Unsubscribe: {leave}\n"
    )
    headers = {
        "List-Unsubscribe": f"<{leave}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return Delivery.for_reader(
        event,
        email,
        reader=email,
        title=f"New {what}: {audience.title}",
        text=text,
        url=audience.url,
        headers=headers,
    )
