"""Browser notifications (Web Push, RFC 8030), the outbox's third channel.

The desk signs each push with its VAPID key (RFC 8292: ``WEB_PUSH_VAPID_PRIVATE_KEY``, made by
``manage.py make_vapid_keys``) and encrypts the payload for the browser's keys (RFC 8291,
aes128gcm), both done by pywebpush. Without a key push is not offered and no delivery is made.
The payload is JSON the service worker (static/offline/sw.js) shows: ``title``, ``body``,
``url`` (the exact page to open, on this site) and ``tag`` (a later notification about the same
page and event replaces the earlier one).

A browser's subscription is an address the server will POST to, typed by a browser we do not
control: only https addresses of the known push services are kept (``WEB_PUSH_SERVICE_HOSTS``),
so the desk cannot be made to post to anything else. Tests alone let a loopback http address
through (``WEB_PUSH_ALLOW_LOOPBACK``), for a local push service that checks what it receives.
"""

import base64
import binascii
import functools
import hashlib
import ipaddress
import json
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError

from crisis.outbound.channels import PERMANENT, Failure, retry_after
from crisis.outbound.events import EventKind

# Clocks and call-outs matter now and are stale within the hour (a later reminder follows);
# the rest may wait for a phone that is off until the next day.
URGENT = {
    EventKind.ACKNOWLEDGEMENT_DUE,
    EventKind.UPDATE_DUE,
    EventKind.ACTION_ITEM_DUE,
    EventKind.INQUIRY_DUE,
    EventKind.MENTION_SPIKE,
    EventKind.TEAM_CALLED,
}
URGENT_TTL_SECONDS = 60 * 60
TTL_SECONDS = 24 * 60 * 60
# A push service takes about 4 KB of payload; the body is cut to stay well within it.
PAYLOAD_MAX_BYTES = 3000
BODY_MAX_CHARACTERS = 400
ENDPOINT_MAX_LENGTH = 1000
GONE = {404, 410}


def configured():
    """Whether the desk may push: a VAPID private key and a contact are set."""
    return bool(settings.WEB_PUSH_VAPID_PRIVATE_KEY and settings.WEB_PUSH_CONTACT)


@functools.cache
def _vapid(private_key):
    from py_vapid import Vapid

    return Vapid.from_string(private_key)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text):
    text = str(text).strip()
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key():
    """The VAPID public key a browser subscribes with (``applicationServerKey``): the
    uncompressed P-256 point, base64url. Empty while push is not set up."""
    if not configured():
        return ""
    key = _vapid(settings.WEB_PUSH_VAPID_PRIVATE_KEY).public_key
    point = serialization.PublicFormat.UncompressedPoint
    return b64url(key.public_bytes(serialization.Encoding.X962, point))


def new_private_key():
    """A new VAPID private key as ``WEB_PUSH_VAPID_PRIVATE_KEY`` takes it (the 32-byte scalar,
    base64url)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _allowed_host(scheme, host):
    if settings.WEB_PUSH_ALLOW_LOOPBACK and scheme in ("http", "https"):
        try:
            if ipaddress.ip_address(host).is_loopback:
                return True
        except ValueError:
            pass
    if scheme != "https":
        return False
    return any(
        host == allowed.lstrip(".") or (allowed.startswith(".") and host.endswith(allowed))
        for allowed in settings.WEB_PUSH_SERVICE_HOSTS
    )


def _key(value, field, size, check=None):
    try:
        raw = _unb64url(value)
    except (binascii.Error, ValueError, TypeError):
        raise ValidationError({field: "Send it in base64url."}) from None
    if len(raw) != size:
        raise ValidationError({field: f"It must be {size} bytes, not {len(raw)}."})
    if check is not None:
        try:
            check(raw)
        except ValueError:
            raise ValidationError({field: "It is not a P-256 public key."}) from None
    return value.strip()


def clean_subscription(data):
    """The fields of a browser's subscription (``{"endpoint": …, "keys": {"p256dh": …,
    "auth": …}}``), checked; raises ValidationError naming the field that is wrong."""
    if not isinstance(data, dict):
        raise ValidationError({"subscription": "Send the subscription as a JSON object."})
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ValidationError({"endpoint": "The subscription has no endpoint."})
    endpoint = endpoint.strip()
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        raise ValidationError({"endpoint": f"Keep it to {ENDPOINT_MAX_LENGTH} characters."})
    parts = urlsplit(endpoint)
    if parts.username or parts.password or not parts.hostname:
        raise ValidationError({"endpoint": "It is not a push service's address."})
    if not _allowed_host(parts.scheme, parts.hostname.lower()):
        raise ValidationError(
            {"endpoint": "Only https addresses of a browser's push service are accepted."}
        )
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise ValidationError({"keys": "The subscription has no keys."})

    def point(raw):
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)

    return {
        "endpoint": endpoint,
        "p256dh": _key(keys.get("p256dh", ""), "keys.p256dh", 65, point),
        "auth": _key(keys.get("auth", ""), "keys.auth", 16),
    }


def payload(row):
    """What the service worker shows: the title (marked for a drill), the text cut to fit, the
    exact page and a tag."""
    title = row.title
    if row.is_drill and not title.startswith("[Drill]"):
        title = f"[Drill] {title}"
    body = " ".join(row.text.split())
    if len(body) > BODY_MAX_CHARACTERS:
        body = body[: BODY_MAX_CHARACTERS - 1] + "…"
    tag = f"{row.event}:{hashlib.sha256(row.url.encode()).hexdigest()[:16]}"
    message = {"title": title, "body": body, "url": row.url, "tag": tag}
    while len(json.dumps(message).encode()) > PAYLOAD_MAX_BYTES and message["body"]:
        message["body"] = message["body"][: len(message["body"]) // 2] + "…"
    return message


def send(row):
    """Push ``row`` to its browser; raises :class:`Failure` (``gone`` when the browser's
    subscription no longer exists: deleted here, and nobody's error)."""
    from pywebpush import WebPushException, webpush

    browser = row.push_subscription
    if browser is None:
        raise Failure("The browser's subscription was removed.", gone=True)
    if not configured():
        raise Failure("Web Push is not set up (WEB_PUSH_VAPID_PRIVATE_KEY).", permanent=True)
    urgent = row.event in URGENT
    try:
        webpush(
            browser.info(),
            json.dumps(payload(row)),
            vapid_private_key=_vapid(settings.WEB_PUSH_VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.WEB_PUSH_CONTACT},
            ttl=URGENT_TTL_SECONDS if urgent else TTL_SECONDS,
            headers={"Urgency": "high" if urgent else "normal"},
            timeout=settings.OUTBOX_HTTP_TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        _refused(browser, error.response)
    except requests.Timeout as error:
        raise Failure(f"No answer within {settings.OUTBOX_HTTP_TIMEOUT_SECONDS} s") from error
    except requests.RequestException as error:
        raise Failure(f"Could not reach the push service: {type(error).__name__}") from error


def _refused(browser, response):
    if response is None:
        raise Failure("The push service refused the message.")
    status = response.status_code
    answer = " ".join((response.text or "")[:200].split())
    message = f"The push service answered {status}" + (f": {answer}" if answer else "")
    if status in GONE:
        type(browser).objects.filter(pk=browser.pk).forget()
        raise Failure(f"{message} (the browser's subscription is gone: removed)", gone=True)
    if status in PERMANENT:
        raise Failure(message, permanent=True)
    raise Failure(message, retry_after=retry_after(response.headers.get("Retry-After")))
