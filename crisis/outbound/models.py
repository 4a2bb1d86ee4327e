"""The outbox (:class:`Delivery`), the team chat channels admins add (:class:`ChatChannel`) and
the browsers people turned notifications on in (:class:`PushSubscription`).

Neither is history-tracked: a delivery is an operational log row that the sender moves with
conditional UPDATEs (the claim must be one statement to be atomic), and a channel's changes are
configuration, recorded in the admin's own log.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models
from django.db.models import Q

from crisis import timekeeper
from crisis.fields import ChoiceListField
from crisis.outbound import push
from crisis.outbound.events import CHAT_EVENT_CHOICES, PUSH_TOPIC_OF, EventKind

# Webhooks go to the web: no file:, ftp: or javascript: URL is accepted for a channel.
WEBHOOK_URL = URLValidator(schemes=["http", "https"])

DRILL_REFUSAL = "A drill never reaches an outside channel."
# What a user agent names, first match wins (Edge and Opera say "Chrome" too, Chrome "Safari").
BROWSERS = [("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox", "Firefox"), ("Chrome", "Chrome")]
BROWSERS += [("Safari", "Safari")]
SYSTEMS = [("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows")]
SYSTEMS += [("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux")]
BROWSER_GONE = "The browser turned notifications off, or the person signed out of it."


# The severity scale every incident uses (1 critical to 4 minor), as the channel's filter.
SEVERITIES = [("1", "1 (critical)"), ("2", "2 (major)"), ("3", "3 (moderate)"), ("4", "4 (minor)")]


class ChatChannelQuerySet(models.QuerySet):
    def wanting(self, event):
        """The active channels that want ``event``'s kind and severity (an event without a
        severity goes to every channel that wants its kind). Queries the database."""
        wanted = self.filter(
            is_active=True, events__contains=ChoiceListField.lookup_value(event.kind)
        )
        return [channel for channel in wanted.order_by("pk") if channel.wants(event)]


class ChatChannel(models.Model):
    """A team chat room or an endpoint of ours that hears of the events it wants."""

    class Kind(models.TextChoices):
        SLACK = "slack", "Slack (incoming webhook)"
        TEAMS = "teams", "Microsoft Teams (workflow webhook)"
        MATTERMOST = "mattermost", "Mattermost (incoming webhook)"
        GOOGLE_CHAT = "google_chat", "Google Chat (space webhook)"
        WEBHOOK = "webhook", "Generic JSON webhook (signed)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=100, unique=True)
    url = models.URLField("webhook URL", max_length=1000, validators=[WEBHOOK_URL])
    secret = models.CharField(
        max_length=200,
        blank=True,
        help_text="Signs the generic webhook's requests (HMAC-SHA256). Never shown again.",
    )
    events = ChoiceListField("events wanted", item_choices=CHAT_EVENT_CHOICES, max_length=1000)
    severities = ChoiceListField(
        "severities wanted",
        item_choices=SEVERITIES,
        help_text="Events without a severity (an import failed) go to every channel wanting them.",
    )
    is_active = models.BooleanField("active", default=True)
    created_at = models.DateTimeField(default=timekeeper.now)

    objects = ChatChannelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.WEBHOOK and not self.secret:
            raise ValidationError({"secret": "A generic webhook needs a secret to sign with."})
        unknown = set(self.events) - {value for value, _label in CHAT_EVENT_CHOICES}
        if unknown:
            raise ValidationError({"events": f"Unknown events: {', '.join(sorted(unknown))}"})

    def wants(self, event):
        """Whether this channel subscribes to ``event`` (its kind, and its severity if any)."""
        if event.kind not in self.events:
            return False
        return event.severity is None or str(event.severity) in self.severities

    def sign(self, timestamp, body):
        """The signature of the generic webhook: hex HMAC-SHA256 of ``"{timestamp}.{body}"``."""
        message = f"{timestamp}.".encode() + body
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()


class PushSubscriptionQuerySet(models.QuerySet):
    def wanting(self, event):
        """The browsers of ``event``'s people (active users) who did not turn its kind off on
        the Account page; none for a kind no browser is told of, or while push is not set up.
        One query."""
        topic = PUSH_TOPIC_OF.get(event.kind)
        if topic is None or not event.people or not push.configured():
            return []
        muted = ChoiceListField.lookup_value(topic)
        chosen = self.filter(user_id__in=set(event.people), user__is_active=True).exclude(
            user__profile__push_muted__contains=muted
        )
        return list(chosen.select_related("user").order_by("pk"))

    def reachable(self):
        """The ids of the people with at least one browser to notify (none while push is not
        set up): one query, or none."""
        if not push.configured():
            return set()
        return set(self.values_list("user_id", flat=True).distinct())

    def forget(self):
        """Delete these browsers' subscriptions; their deliveries still waiting are dropped
        (kept in the outbox, marked so, never sent nor shown as failed). Returns how many
        subscriptions were deleted."""
        Delivery.objects.filter(push_subscription__in=self, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.DROPPED, last_error=BROWSER_GONE
        )
        deleted, _by_model = self.delete()
        return deleted


class PushSubscription(models.Model):
    """One browser in which a person turned notifications on: the push service's address for it
    and its keys (Web Push, RFC 8030/8291). The endpoint is the browser's own: posted again it
    is updated (and moves to whoever is signed in there now), never doubled. Deleted when the
    person turns it off or signs out of that browser, or when the push service answers that it
    is gone (404, 410)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField("public key (p256dh)", max_length=100)
    auth = models.CharField("authentication secret", max_length=50)
    user_agent = models.CharField("browser", max_length=255, blank=True)
    created_at = models.DateTimeField(default=timekeeper.now)

    objects = PushSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user} · {self.browser_name}"

    @property
    def browser_name(self):
        """The browser and system its user agent names ("Firefox on Android"), for the person
        to tell their browsers apart."""
        agent = self.user_agent
        browser = next((name for token, name in BROWSERS if token in agent), "A browser")
        system = next((name for token, name in SYSTEMS if token in agent), "")
        return f"{browser} on {system}" if system else browser

    @classmethod
    def subscribe(cls, user, data, user_agent=""):
        """Keep the subscription ``data`` (what the browser's ``PushSubscription.toJSON()``
        gives) for ``user``; raises ValidationError naming the field that is wrong. Returns the
        row and whether it is new. The endpoint is unique: a second post of it (a double
        click, a page loaded twice) updates the one row."""
        fields = push.clean_subscription(data)
        defaults = {**fields, "user": user, "user_agent": user_agent[:255]}
        endpoint = defaults.pop("endpoint")
        try:
            return cls.objects.update_or_create(endpoint=endpoint, defaults=defaults)
        except IntegrityError:  # the same browser's other post got in first
            return cls.objects.update_or_create(endpoint=endpoint, defaults=defaults)

    def info(self):
        """The subscription as pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Rows a worker may claim now: pending and due, or left sending by a worker whose lease
        ran out (it died between the call and the record)."""
        now = now or timekeeper.now()
        return self.filter(
            Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
        )

    def refuse(self, reason):
        """Mark the pending rows refused with ``reason`` (shown in the admin); returns how
        many. One UPDATE."""
        return self.filter(status=Delivery.Status.PENDING).update(
            status=Delivery.Status.REFUSED, last_error=reason
        )


class Delivery(models.Model):
    """One event to one channel and recipient: the outbox row. Its ``key`` is unique, so the
    same event raised twice (``send_reminders`` run twice) is recorded, and sent, once."""

    class Channel(models.TextChoices):
        MAIL = "mail", "Mail"
        CHAT = "chat", "Chat"
        PUSH = "push", "Browser notification"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        GAVE_UP = "gave_up", "Failed"
        REFUSED = "refused", "Refused"
        # The browser went away (turned off, signed out, or the push service said 404/410):
        # nothing to send to, and nobody's error.
        DROPPED = "dropped", "Dropped (browser gone)"

    key = models.CharField("idempotency key", max_length=300, unique=True)
    event = models.CharField(max_length=40, choices=EventKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    chat_channel = models.ForeignKey(
        ChatChannel, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    # Emptied when the browser's subscription goes; the row stays in the outbox as a record.
    push_subscription = models.ForeignKey(
        PushSubscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    recipient = models.CharField(max_length=254, blank=True)
    title = models.CharField(max_length=500)
    text = models.TextField()
    url = models.URLField(max_length=1000)
    severity = models.PositiveSmallIntegerField(null=True, blank=True)
    is_drill = models.BooleanField(default=False)
    # Extra mail headers (List-Unsubscribe for a subscriber's mail); empty for most rows.
    headers = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timekeeper.now)
    next_attempt_at = models.DateTimeField(default=timekeeper.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep and the claim: due rows by status and time.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]
        constraints = [
            # A mail delivery names its recipient; a chat delivery its channel; a browser
            # notification the person (its subscription may have gone since).
            models.CheckConstraint(
                condition=Q(channel="mail", chat_channel__isnull=True) & ~Q(recipient="")
                | Q(channel="chat", chat_channel__isnull=False)
                | Q(channel="push", chat_channel__isnull=True) & ~Q(recipient=""),
                name="delivery_has_its_destination",
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()} → {self.destination}"

    @property
    def destination(self):
        return str(self.chat_channel) if self.channel == self.Channel.CHAT else self.recipient

    @classmethod
    def for_mail(cls, event, address):
        return cls._from(event, cls.Channel.MAIL, f"mail:{address.lower()}", recipient=address)

    @classmethod
    def for_reader(cls, event, address, *, reader, title, text, url, headers=None):
        """A mail to one of the public (``reader`` names them in the key, apart from the team's
        own mail to the same address), in the public's words, with its own headers."""
        row = cls._from(event, cls.Channel.MAIL, f"reader:{reader}", recipient=address)
        row.title, row.text, row.url = title[:500], text, url
        row.headers = dict(headers or {})
        return row

    @classmethod
    def for_chat(cls, event, channel):
        row = cls._from(event, cls.Channel.CHAT, f"chat:{channel.pk}", chat_channel=channel)
        if event.is_drill:
            # Refused visibly, not silently skipped: the admin sees the drill was kept in.
            row.status = cls.Status.REFUSED
            row.last_error = DRILL_REFUSAL
        return row

    @classmethod
    def for_push(cls, event, browser):
        """A notification to one browser of one person. A drill is the team's own business, as
        its mail is (not an outside channel's): it is sent, its title marked "[Drill]"."""
        return cls._from(
            event,
            cls.Channel.PUSH,
            f"push:{browser.pk}",
            recipient=f"{browser.user.get_username()} · {browser.browser_name}"[:254],
            push_subscription=browser,
        )

    @classmethod
    def _from(cls, event, channel, destination, **fields):
        return cls(
            key=f"{event.kind}:{event.key}:{destination}"[:300],
            event=event.kind,
            channel=channel,
            title=event.title[:500],
            text=event.text,
            url=event.url,
            severity=event.severity,
            is_drill=event.is_drill,
            **fields,
        )

    RETRYABLE = (Status.PENDING, Status.GAVE_UP)

    @classmethod
    def retry_now(cls, queryset, now=None):
        """Make the failed or waiting rows of ``queryset`` due now with a fresh count of
        attempts, and return their ids; a sent, sending or refused row is left as it is (a
        drill stays inside). Queries the database (one SELECT, one UPDATE)."""
        now = now or timekeeper.now()
        ids = list(queryset.filter(status__in=cls.RETRYABLE).values_list("pk", flat=True))
        cls.objects.filter(pk__in=ids, status__in=cls.RETRYABLE).update(
            status=cls.Status.PENDING, next_attempt_at=now, attempts=0
        )
        return ids
