"""The one home of the credentials' encryption at rest (Fernet: AES with an HMAC, so a tampered
or foreign value is refused rather than decrypted into nonsense).

The key comes from ``CONNECTOR_KEY`` (settings.CONNECTOR_KEYS; several keys, comma separated, let
an operator rotate: the first encrypts, all decrypt). Without it, and only while the site runs on
the development secret key (which the settings refuse with DEBUG off), a key derived from that
secret stands in, so a developer and the tests need nothing set. Anywhere else a missing key is an
ImproperlyConfigured error when a credential is saved or used, never a silent plain text.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY = (
    "CONNECTOR_KEY is not set: the Mastodon and Bluesky credentials cannot be encrypted or read. "
    'Set it to a Fernet key (python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())").'
)


class CredentialUnreadable(Exception):
    """A stored credential that no configured key opens (the key changed without rotation)."""


def _development_key():
    digest = hashlib.sha256(f"connectors:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def is_configured():
    """Whether credentials can be encrypted here (a key is set, or the development one may stand
    in)."""
    return bool(settings.CONNECTOR_KEYS) or settings.CONNECTOR_DEVELOPMENT_KEY_ALLOWED


def _fernet():
    keys = settings.CONNECTOR_KEYS
    if not keys:
        if not settings.CONNECTOR_DEVELOPMENT_KEY_ALLOWED:
            raise ImproperlyConfigured(MISSING_KEY)
        keys = [_development_key()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "CONNECTOR_KEY holds a value that is not a Fernet key (32 bytes, URL-safe base64)."
        ) from error


def encrypt(secret):
    """The stored form of ``secret`` (text)."""
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token):
    """The secret stored as ``token``; CredentialUnreadable when no key opens it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise CredentialUnreadable(
            "The stored credential cannot be decrypted with CONNECTOR_KEY (was the key changed "
            "without keeping the old one?). Enter the credential again in the admin site."
        ) from error
