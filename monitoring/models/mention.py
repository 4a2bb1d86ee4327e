"""The conversation: mentions seen on the platforms, who linked them, the tokens listening tools
push them with, and the thresholds of a spike.

Mentions are an append-only log that may hold millions of rows: they are not history-tracked, and
the ingestion service (``monitoring.mentions``) writes them in bulk. What a person does to a
mention (link it to an incident, unlink it, dismiss it from the inbox) is recorded as a
:class:`MentionLinkEvent` row instead of a history table per mention.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce

from crisis import timekeeper
from incidents.models.platform import Platform


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class MentionQuerySet(models.QuerySet):
    def inbox(self):
        """Mentions waiting for triage: linked to no incident and not dismissed (the partial
        index ``mention_inbox_posted`` serves exactly this filter)."""
        return self.filter(incident__isnull=True, dismissed_at__isnull=True)

    def newest_first(self):
        return self.order_by("-posted_at", "-pk")

    def before(self, posted_at, pk):
        """Keyset pagination: the mentions after (``posted_at``, ``pk``) in newest-first order,
        so the thousandth page costs what the first does. The ``posted_at <= cursor`` beside the
        OR is implied by it, but it is what lets SQLite (and PostgreSQL) start the index range
        scan at the cursor: without it SQLite walks the incident's index from its newest row
        down to the cursor, half a million entries on a deep page of a million."""
        return self.filter(posted_at__lte=posted_at).filter(
            Q(posted_at__lt=posted_at) | Q(posted_at=posted_at, pk__lt=pk)
        )


class Mention(models.Model):
    """One post or comment seen on a platform. Unique per platform and external id, so a
    listening tool may send the same mention again: it is counted as a duplicate, not stored."""

    platform = models.CharField(max_length=20, choices=Platform.choices)
    external_id = models.CharField(
        "external id", max_length=200, help_text="The platform's own id of the post."
    )
    url = models.URLField("link", max_length=2000, blank=True)
    author = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    posted_at = models.DateTimeField("posted")
    # Null when the source gave a label without a score: we do not make one up.
    sentiment_score = models.FloatField(null=True, blank=True)
    sentiment_label = models.CharField(max_length=10, choices=Sentiment.choices)
    reach = models.PositiveBigIntegerField(default=0, help_text="Followers or views, as given.")
    # The composite index below starts with the incident, so the foreign key needs none of its
    # own (a second index would only slow the bulk inserts down).
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentions",
        db_index=False,
    )
    received_at = models.DateTimeField("received", default=timekeeper.now)
    source = models.CharField(
        max_length=120, help_text='Where it came from: "api:<token name>" or "csv:<import id>".'
    )
    linked_at = models.DateTimeField("linked", null=True, blank=True)
    # Null with ``linked_at`` set: linked on arrival by the incident's tracking terms.
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_mentions",
    )
    dismissed_at = models.DateTimeField("dismissed", null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dismissed_mentions",
    )

    objects = MentionQuerySet.as_manager()

    class Meta:
        db_table = "incidents_mention"
        ordering = ["-posted_at", "-pk"]
        constraints = [
            # A mention sent twice is stored once (the ingestion counts the second as a
            # duplicate with INSERT ... ON CONFLICT DO NOTHING on this constraint).
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="mention_unique_per_platform"
            ),
            models.CheckConstraint(
                condition=Q(sentiment_score__isnull=True)
                | Q(sentiment_score__gte=-1, sentiment_score__lte=1),
                name="mention_sentiment_score_range",
                violation_error_message="A sentiment score lies between -1 and 1.",
            ),
        ]
        indexes = [
            # An incident's mentions newest first, paginated by (posted_at, id) keyset, and its
            # hourly counts for the chart and the spike rule.
            models.Index(fields=["incident", "posted_at", "id"], name="mention_incident_posted"),
            # An incident's top mentions by reach, read from the index's start however many
            # mentions it has (not only among the latest).
            models.Index(fields=["incident", "-reach", "-id"], name="mention_incident_reach"),
            # The inbox (nothing linked, nothing dismissed) by posted time: only the waiting rows
            # are indexed, so the index stays small however long the log grows.
            models.Index(
                fields=["posted_at", "id"],
                name="mention_inbox_posted",
                condition=Q(incident__isnull=True, dismissed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_platform_display()} {self.external_id}"

    @property
    def is_in_inbox(self):
        return self.incident_id is None and self.dismissed_at is None


class MentionCount(models.Model):
    """How many mentions of an incident (or of the inbox: no incident, dismissed or not) were
    posted in one UTC hour with one sentiment label: what the chart, the panel's figures and the
    spike rule read, so that an incident with a million mentions costs them a few dozen rows.

    Derived from the mentions and kept exact by monitoring.counts, in the same transaction as
    every write that adds mentions or moves them between incidents (ingestion, linking,
    unlinking); monitoring.counts.recount() rebuilds it from the mentions. A move may leave a row
    at 0: a row means nothing more than its count.
    """

    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mention_counts",
        db_index=False,
    )
    hour = models.DateTimeField(help_text="The start of the UTC hour the mentions were posted in.")
    sentiment_label = models.CharField(max_length=10, choices=Sentiment.choices)
    # No CHECK (n >= 0): PostgreSQL checks the row an upsert proposes before it finds the
    # conflict, and a move proposes a negative count to add.
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "incidents_mentioncount"
        constraints = [
            # One row per (hour, incident or inbox, label): the target of the upserts' ON
            # CONFLICT, the inbox's NULL as 0 so that it is one row too. Led by the hour, it also
            # serves the spike rule's few hours across every incident.
            models.UniqueConstraint(
                "hour",
                Coalesce("incident", 0),
                "sentiment_label",
                name="mentioncount_unique_hour",
            ),
        ]
        indexes = [
            # One incident's (or the inbox's) hours: the chart and the panel's totals.
            models.Index(fields=["incident", "hour"], name="mentioncount_incident_hour"),
        ]

    def __str__(self):
        return f"{self.incident_id or 'inbox'} {self.hour:%Y-%m-%d %H}h {self.sentiment_label}"


class MentionLinkEvent(models.Model):
    """What a person did to a mention: linked it to an incident, unlinked it, or dismissed it
    from the inbox. Append-only; linking on arrival by tracking terms writes no event (the
    mention's ``linked_at`` with no ``linked_by`` says so)."""

    class Action(models.TextChoices):
        LINKED = "linked", "Linked"
        UNLINKED = "unlinked", "Unlinked"
        DISMISSED = "dismissed", "Dismissed"
        RESTORED = "restored", "Back to the inbox"

    mention = models.ForeignKey(Mention, on_delete=models.PROTECT, related_name="link_events")
    # The incident linked to or unlinked from; none for a dismissal.
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mention_link_events",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="mention_link_events",
    )
    at = models.DateTimeField(default=timekeeper.now)

    class Meta:
        db_table = "incidents_mentionlinkevent"
        ordering = ["at", "pk"]
        indexes = [
            # A mention's own trail, and an incident's timeline of linking.
            models.Index(fields=["mention", "at"], name="mentionlink_mention_at"),
            models.Index(fields=["incident", "at"], name="mentionlink_incident_at"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.mention_id}"


# How often a token's "last used" time is written at most: a listening tool posting ten batches
# a second would otherwise turn every request into a row update on the same token.
TOKEN_LAST_USED_PRECISION = timedelta(minutes=1)
TOKEN_PREFIX = "cd"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timekeeper.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A secret a listening tool sends as ``Authorization: Bearer <token>``.

    The token reads ``cd_<key prefix>_<secret>``. The key prefix finds the row (unique, indexed);
    only the SHA-256 of the secret is stored. A plain hash, not a slow password hash: the secret
    is 256 random bits, which no one can guess or brute-force from the hash however fast it is,
    whereas a password hash costs tens of milliseconds on every API request. Whoever reads the
    database cannot use a token. The whole token is shown once, when it is created.
    """

    name = models.CharField(max_length=100, unique=True, help_text="Which tool uses it.")
    key_prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField("created", default=timekeeper.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_api_tokens",
        editable=False,
    )
    expires_at = models.DateTimeField(
        "expires", null=True, blank=True, help_text="Leave empty for a token that never expires."
    )
    # Written at most once a minute (TOKEN_LAST_USED_PRECISION).
    last_used_at = models.DateTimeField("last used", null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField("revoked", null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revoked_api_tokens",
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "incidents_apitoken"
        verbose_name = "API token"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @staticmethod
    def hash_secret(secret):
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def source(self):
        """What the mentions this token brings in record as their source."""
        return f"api:{self.name}"[:120]

    def clean(self):
        super().clean()
        if self.pk is None and self.expires_at is not None and self.expires_at <= timekeeper.now():
            raise ValidationError({"expires_at": "Choose a time in the future."})

    @classmethod
    def issue(cls, name, *, by=None, expires_at=None):
        """Create a token; returns ``(token, whole token text)``. The text is never stored: show
        it now or never. Queries the database."""
        key_prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = cls(
            name=name,
            key_prefix=key_prefix,
            secret_hash=cls.hash_secret(secret),
            created_by=by,
            expires_at=expires_at,
        )
        token.full_clean()
        token.save()
        return token, f"{TOKEN_PREFIX}_{key_prefix}_{secret}"

    def set_new_secret(self):
        """Give an unsaved token (the admin's add form) its key and secret; returns the whole
        token text, to show once."""
        self.key_prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        self.secret_hash = self.hash_secret(secret)
        return f"{TOKEN_PREFIX}_{self.key_prefix}_{secret}"

    @classmethod
    def authenticate(cls, text, now=None):
        """The usable token whose text is ``text``, or None (unknown, wrong secret, revoked,
        expired, or not a token at all). One query, plus an update at most once a minute."""
        now = now or timekeeper.now()
        if not isinstance(text, str) or len(text) > 200:
            return None
        tag, _, rest = text.partition("_")
        key_prefix, _, secret = rest.partition("_")
        if tag != TOKEN_PREFIX or not key_prefix or not secret:
            return None
        token = cls.objects.usable(now).filter(key_prefix=key_prefix).first()
        if token is None:
            return None
        if not hmac.compare_digest(token.secret_hash, cls.hash_secret(secret)):
            return None
        token.mark_used(now)
        return token

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def is_expired(self, now=None):
        return self.expires_at is not None and self.expires_at <= (now or timekeeper.now())

    def is_usable(self, now=None):
        return not self.is_revoked and not self.is_expired(now)

    def mark_used(self, now=None):
        """Record that the token was used, at most once a minute (one conditional update, so two
        requests at once write it once)."""
        now = now or timekeeper.now()
        if self.last_used_at is not None and now - self.last_used_at < TOKEN_LAST_USED_PRECISION:
            return
        type(self).objects.filter(pk=self.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOKEN_LAST_USED_PRECISION)
        ).update(last_used_at=now)
        self.last_used_at = now

    def revoke(self, *, by):
        """Stop the token working at once. Revoking twice keeps the first time. Queries."""
        if self.revoked_at is not None:
            return False
        now = timekeeper.now()
        updated = (
            type(self)
            .objects.filter(pk=self.pk, revoked_at__isnull=True)
            .update(revoked_at=now, revoked_by=by)
        )
        if updated:
            self.revoked_at, self.revoked_by = now, by
        return bool(updated)


class SpikeThreshold(models.Model):
    """When the conversation counts as a spike (one row, kept in the admin site): the last
    hour's mentions exceed ``multiple`` times the median of the same hour on the past 7 days,
    and number at least ``minimum_volume``. The rule itself is in crisis.clocks."""

    DEFAULT_MULTIPLE = 3
    DEFAULT_MINIMUM_VOLUME = 50

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    multiple = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_MULTIPLE,
        help_text="A spike is more than this many times the usual volume of the hour.",
    )
    minimum_volume = models.PositiveIntegerField(
        "minimum volume",
        default=DEFAULT_MINIMUM_VOLUME,
        help_text="Fewer mentions than this in the last hour is never a spike.",
    )

    class Meta:
        db_table = "incidents_spikethreshold"
        verbose_name = "spike threshold"
        constraints = [
            # A singleton: the one row of settings.
            models.CheckConstraint(condition=Q(id=1), name="spikethreshold_single_row"),
            models.CheckConstraint(
                condition=Q(multiple__gt=0),
                name="spikethreshold_multiple_positive",
                violation_error_message="The multiple must be more than 0.",
            ),
        ]

    def __str__(self):
        return f"More than {self.multiple}× the usual volume, and at least {self.minimum_volume}"

    @classmethod
    def current(cls):
        """The thresholds in force: the admin's row, or the defaults without one. One query."""
        return cls.objects.filter(pk=1).first() or cls()
