"""Readers who asked to hear by mail of what is published: on one incident's public page, or
on the status page (every public incident).

Double opt-in: a row is pending (its confirmation link's digest and expiry) until the link is
followed; only confirmed rows are mailed. Unsubscribing deletes the row, so the address is gone.
Not history-tracked, on purpose: a history row would keep the address after unsubscribing.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from crisis import timekeeper
from crisis.outbound import EventKind
from crisis.outbound.models import Delivery


def new_secret():
    return secrets.token_urlsafe(32)


def digest(secret):
    """What is stored of a confirmation link's secret: its SHA-256, so a copy of the table
    confirms nobody."""
    return hashlib.sha256(secret.encode()).hexdigest()


def forget(addresses):
    """Delete what the outbox keeps of readers' ``addresses`` that no subscription holds any
    more: their confirmation mails and the news mailed to them (a row still waiting is then never
    sent). The team's own mail to the same address is left alone. Two queries."""
    kept = set(Subscription.objects.filter(email__in=addresses).values_list("email", flat=True))
    gone = set(addresses) - kept
    if gone:
        readers_mail = Q(key__contains=":reader:") | Q(event=EventKind.SUBSCRIPTION_CONFIRMATION)
        Delivery.objects.filter(
            readers_mail, channel=Delivery.Channel.MAIL, recipient__in=gone
        ).delete()


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def expired(self, now=None):
        """Pending rows whose confirmation link expired."""
        return self.filter(confirmed_at__isnull=True, confirm_by__lt=now or timekeeper.now())

    def prune(self, now=None):
        """Delete the pending rows whose link expired, and their addresses with them (see
        :func:`forget`); returns how many. Queries the database: the addresses, the DELETEs."""
        expired = self.expired(now)
        addresses = set(expired.values_list("email", flat=True))
        if not addresses:
            return 0
        deleted, _by_model = expired.delete()
        forget(addresses)
        return deleted

    def following(self, incident_id):
        """The confirmed readers of incident ``incident_id``'s news: its own subscribers and the
        status page's. Queries the database when evaluated."""
        return self.confirmed().filter(Q(incident_id=incident_id) | Q(incident__isnull=True))


class Subscription(models.Model):
    # Stored lowercased (services.normalise), so the constraints below compare addresses.
    email = models.EmailField("email address", max_length=254)
    # None: the status page (every public incident).
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    # The unsubscribe link's secret, in every mail sent (so it is kept as it is, not hashed).
    key = models.CharField(max_length=64, unique=True, default=new_secret, editable=False)
    # The confirmation link's digest, emptied once confirmed, and until when it works.
    confirm_digest = models.CharField(max_length=64, blank=True, editable=False)
    confirm_by = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timekeeper.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["email", "pk"]
        constraints = [
            # One row per address and page (a repeat asks again, never adds a row).
            models.UniqueConstraint(
                "email",
                "incident",
                condition=Q(incident__isnull=False),
                name="subscription_once_per_page",
            ),
            models.UniqueConstraint(
                "email", condition=Q(incident__isnull=True), name="subscription_once_per_status"
            ),
            # The confirmation link finds its row by digest.
            models.UniqueConstraint(
                "confirm_digest",
                condition=~Q(confirm_digest=""),
                name="subscription_confirm_digest_unique",
            ),
            # Confirmed, or pending with a link that expires.
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=False)
                | (~Q(confirm_digest="") & Q(confirm_by__isnull=False)),
                name="subscription_confirmed_or_pending",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.incident or 'status page'}"

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None

    def is_expired(self, now=None):
        return not self.is_confirmed and self.confirm_by < (now or timekeeper.now())

    def new_link(self, now=None):
        """Give the row a fresh confirmation link and return its secret (mailed, never kept)."""
        now = now or timekeeper.now()
        secret = new_secret()
        self.confirm_digest = digest(secret)
        self.confirm_by = now + timedelta(hours=settings.SUBSCRIPTION_CONFIRM_HOURS)
        self.requested_at = now
        return secret

    def confirm(self, now=None):
        """Confirm the row (its link then no longer works). Saves."""
        self.confirmed_at = now or timekeeper.now()
        self.confirm_digest = ""
        self.confirm_by = None
        self.save(update_fields=["confirmed_at", "confirm_digest", "confirm_by"])
