"""The sources the desk polls itself for mentions (a feed, a Mastodon hashtag, a Bluesky search),
their health, and the hosts an admin allows them to reach on a private network.

A source's edits are history-tracked; what each poll changes (its health, cursors and backoff)
is an operational state, kept on the row but left out of the history.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from connectors import crypto
from crisis import timekeeper
from crisis.lifecycle import StaleEdit
from sources.ingest import INCIDENT_MODEL

# The health line, shown on the Sources page and read only in the admin site.
HEALTH = [
    "last_polled_at",
    "last_success_at",
    "last_error",
    "last_notice",
    "next_poll_at",
    "mentions_brought",
]
# What each poll changes: never a version of the source in its history.
POLL_STATE = [
    *HEALTH,
    "failures",
    "etag",
    "last_modified",
    "cursor",
    "since",
]
# The longest wait after failures (backoff doubles the interval up to it).
MAX_BACKOFF = timedelta(hours=6)


class SourceQuerySet(models.QuerySet):
    def due(self, now):
        """The active sources whose next poll has come (or was never set). A run still asks
        each one's Source.poll_refusal()."""
        return self.filter(is_active=True).filter(
            Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
        )


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", "RSS or Atom feed"
        MASTODON = "mastodon", "Mastodon hashtag"
        BLUESKY = "bluesky", "Bluesky search"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FEED)
    name = models.CharField(max_length=100, help_text="How the team knows it, e.g. “Alerts: Acme”.")
    url = models.URLField(
        "address",
        max_length=500,
        help_text="Feed: its address. Mastodon: the instance, e.g. https://mastodon.social. "
        "Bluesky: the service, e.g. https://bsky.social (with an app password) or "
        "https://public.api.bsky.app.",
    )
    query = models.CharField(
        "hashtag or search",
        max_length=200,
        blank=True,
        help_text="Mastodon: the hashtag, without #. Bluesky: the search, e.g. “acme late”.",
    )
    handle = models.CharField(
        max_length=253,
        blank=True,
        help_text="Bluesky, when the service asks for a sign-in: the handle (acme.bsky.social).",
    )
    secret_encrypted = models.TextField(editable=False, default="")
    incident = models.ForeignKey(
        INCIDENT_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Mentions it brings are linked to this incident while it is open; without "
        "one, the open incidents' tracking terms link them, or they wait in the inbox.",
    )
    terms = models.CharField(
        "only posts with",
        max_length=500,
        blank=True,
        help_text="Comma-separated terms: only posts holding one of them are taken in. Empty: all.",
    )
    interval_minutes = models.PositiveIntegerField(
        "every (minutes)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    is_active = models.BooleanField("active", default=True, help_text="Untick to pause it.")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, editable=False
    )
    # The health line and the poll state (POLL_STATE).
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    last_notice = models.TextField(blank=True, editable=False)
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    mentions_brought = models.PositiveBigIntegerField(default=0, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    # Mastodon: the highest status id taken (min_id); Bluesky: the page to continue from.
    cursor = models.CharField(max_length=300, blank=True, editable=False)
    # Bluesky: the newest post time seen (the search's ``since``).
    since = models.CharField(max_length=40, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=[*POLL_STATE, "secret_encrypted"])
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("sources:list") + f"#source-{self.pk}"

    @property
    def host(self):
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def mention_source(self):
        """What the mentions it brings record as their source."""
        return f"source:{self.pk}"

    @property
    def has_secret(self):
        return bool(self.secret_encrypted)

    def set_secret(self, secret):
        """Encrypt and keep ``secret`` (connectors.crypto); empty forgets it."""
        self.secret_encrypted = crypto.encrypt(secret) if secret else ""

    def secret(self):
        return crypto.decrypt(self.secret_encrypted) if self.secret_encrypted else ""

    # The health rules: one home each.

    def record_success(self, *, now, created, notice="", state=None, more=False):
        """A poll that worked: ``created`` mentions stored, the cursors in ``state`` kept,
        the next poll an interval away, or SOURCES_BURST_DELAY seconds away while a burst waits
        above the cursor (``more``: the poll's last page was full). Saves the poll state only."""
        for name, value in (state or {}).items():
            setattr(self, name, value)
        self.last_polled_at = self.last_success_at = now
        self.last_error = ""
        self.failures = 0
        if more:
            delay = settings.SOURCES_BURST_DELAY
            self.next_poll_at = now + timedelta(seconds=delay)
            burst = f"A burst: more posts are waiting; polled again in {delay} s."
            notice = f"{notice} {burst}" if notice else burst
        else:
            self.next_poll_at = now + timedelta(minutes=self.interval_minutes)
        self.last_notice = notice[:1000]
        self._save_state(extra=created)

    def record_failure(self, *, now, reason, retry_after=None):
        """A poll that failed: the reason on the health line, and the next poll backed off
        (the interval doubled per failure in a row, at most MAX_BACKOFF; longer when the server
        asked with Retry-After). Nothing else changes: the cursors stay where the last success
        left them."""
        self.failures += 1
        wait = min(
            timedelta(minutes=self.interval_minutes) * 2 ** min(self.failures - 1, 10),
            MAX_BACKOFF,
        )
        if retry_after:
            wait = max(wait, timedelta(seconds=min(retry_after, 86400)))
        self.last_polled_at = now
        self.last_error = reason[:1000]
        self.next_poll_at = now + wait
        self._save_state()

    def _save_state(self, extra=0):
        fields = [name for name in POLL_STATE if name != "mentions_brought"]
        type(self).objects.filter(pk=self.pk).update(
            mentions_brought=F("mentions_brought") + extra,
            **{name: getattr(self, name) for name in fields},
        )
        self.mentions_brought += extra

    def poll_refusal(self):
        """Why this source cannot be polled now (a paused one), or None: the one home of the
        rule, asked by "Poll now", `poll_sources` and every run over the due sources."""
        if not self.is_active:
            return f"“{self.name}” is paused: resume it first."
        return None

    def poll_soon(self):
        """ "Poll now": due at once (the worker or the next cron run takes it)."""
        self.next_poll_at = timekeeper.now()
        type(self).objects.filter(pk=self.pk).update(next_poll_at=self.next_poll_at)

    def set_active(self, active, *, by):
        """Pause (``False``) or resume a source, in its history; a resumed one is due at once."""
        with transaction.atomic():
            row = type(self).objects.select_for_update().get(pk=self.pk)
            row.is_active = active
            row.version += 1
            row._history_user = by
            row._change_reason = "Resumed" if active else "Paused"
            row.save()
            if active:
                row.poll_soon()
        return row

    def save_edit(self, *, by, expected_version, fields):
        """Save the named fields of this (form-updated) source, refusing a stale form."""
        with transaction.atomic():
            row = type(self).objects.select_for_update().get(pk=self.pk)
            if row.version != expected_version:
                raise StaleEdit(current=row)
            for name in fields:
                setattr(row, name, getattr(self, name))
            row.version += 1
            row._history_user = by
            row._change_reason = "Edited"
            # A changed address or query starts over: the old cursors belong to another stream.
            if self._loaded is not None and (self.url, self.query) != self._loaded:
                row.etag = row.last_modified = row.cursor = row.since = ""
            row.save()
        return row

    _loaded = None

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = (instance.__dict__.get("url"), instance.__dict__.get("query"))
        return instance


class AllowedHost(models.Model):
    """A host on a private network (or this machine) that an admin allows sources to reach.
    Every other host must resolve to public addresses only."""

    host = models.CharField(
        max_length=253,
        unique=True,
        help_text="A host name or an IP address, e.g. feeds.intranet.example or 10.0.0.5.",
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timekeeper.now, editable=False)

    class Meta:
        ordering = ["host"]

    def __str__(self):
        return self.host

    def save(self, *args, **kwargs):
        self.host = self.host.strip().lower().strip("[]")
        super().save(*args, **kwargs)

    @classmethod
    def allows(cls, host):
        """Whether ``host`` may be reached whatever its addresses: listed here or in
        settings.SOURCES_ALLOWED_HOSTS."""
        host = (host or "").lower().strip("[]")
        if host in {h.lower() for h in settings.SOURCES_ALLOWED_HOSTS}:
            return True
        return cls.objects.filter(host=host).exists()
