"""Factories of what faces outside (the public pages' branding, the platform accounts), beside
tests/factories.py, which re-exports them."""

__all__ = ["make_platform_account", "make_png", "make_public_profile"]

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def make_png(size=(40, 20), colour=(200, 30, 30)):
    """A small PNG's bytes, drawn with Pillow."""
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def make_public_profile(**overrides):
    """The company's public profile, with a logo (saved, so it has history)."""
    from responses.branding import clean_logo
    from responses.models import PublicProfile

    fields = {"company_name": "Northwind", "accent_colour": "#0b5394", "logo_alt": "Northwind"}
    fields.update(overrides)
    profile = PublicProfile(**fields)
    profile.set_logo(clean_logo(SimpleUploadedFile("logo.png", make_png())))
    profile.save()
    return profile


def make_platform_account(name="@acme@mastodon.example", *, secret="token-123", **overrides):
    """A connected Mastodon account (pass platform="bluesky" and a handle for Bluesky); its
    server is an address nothing answers unless a test starts a server there."""
    from connectors.models import PlatformAccount

    fields = {"platform": "mastodon", "server_url": "http://127.0.0.1:9", "handle": ""}
    fields.update(overrides)
    account = PlatformAccount(name=name, **fields)
    account.set_secret(secret)
    account.save()
    return account
