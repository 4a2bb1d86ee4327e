"""Subscribing, confirming and unsubscribing, and the limits on asking.

Every request to subscribe gets the same answer, whatever the address's state (new, pending,
confirmed, or over its limit): what differs happens only in the mail, which reaches the address's
owner alone. The confirmation mail goes through the outbox (crisis.outbound), so the answer does
not wait on the mail server either, and takes as long for every address.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from crisis import timekeeper
from subscriptions import mail
from subscriptions.models import Subscription, digest, forget

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60


def normalise(address):
    return address.strip().lower()


def over_limit(kind, who, limit):
    """Count one request of ``who`` (an address or a client) in this hour; True once past
    ``limit``. The count lives in the cache (hashed: no address is kept there)."""
    key = f"subscriptions:{kind}:{digest(who)}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > limit


def client_over_limit(client):
    return over_limit("client", client or "-", settings.SUBSCRIPTION_LIMIT_PER_CLIENT)


def subscribe(address, incident=None, now=None):
    """Ask ``address`` to confirm a subscription to ``incident``'s page (None: the status page).

    A new address gets a pending row and a confirmation mail. A pending one gets a fresh link,
    unless its last one is younger than ``SUBSCRIPTION_RESEND_SECONDS`` (a double click, or Back
    and send again, sends one mail). A confirmed one gets nothing: it is already subscribed. An
    address asked for more than ``SUBSCRIPTION_LIMIT_PER_ADDRESS`` times in an hour gets nothing
    either. Returns nothing: the caller must answer the same in every case. Queries the
    database (prunes expired rows, reads and writes one row)."""
    now = now or timekeeper.now()
    address = normalise(address)
    if over_limit("address", address, settings.SUBSCRIPTION_LIMIT_PER_ADDRESS):
        logger.info("Subscription request over the per-address limit")
        return
    Subscription.objects.prune(now)
    try:
        with transaction.atomic():
            row = (
                Subscription.objects.select_for_update()
                .filter(email=address, incident=incident)
                .first()
            )
            if row is None:
                row = Subscription(email=address, incident=incident)
            elif row.is_confirmed or _sent_lately(row, now):
                return
            secret = row.new_link(now)
            row.save()
            mail.send_confirmation(row, secret)
    except IntegrityError:
        # Two requests for the same address at once: the other one made the row and mails.
        logger.info("Subscription request raced another for the same address")


def _sent_lately(row, now):
    """Whether the row's last link went out too recently for another (a double click)."""
    return (now - row.requested_at).total_seconds() < settings.SUBSCRIPTION_RESEND_SECONDS


def find_pending(secret):
    """The row whose confirmation link carries ``secret``, or None. One query."""
    if not secret:
        return None
    return (
        Subscription.objects.select_related("incident")
        .filter(confirm_digest=digest(secret))
        .first()
    )


def unsubscribe(key):
    """Delete the subscription of ``key``, and the address with it (the outbox's copies too,
    unless another of its subscriptions remains); True if there was one."""
    with transaction.atomic():
        row = Subscription.objects.filter(key=key).first()
        if row is None:
            return False
        row.delete()
        forget({row.email})
    return True
