"""Factories of the public pages' branding, beside tests/factories.py (which re-exports them)."""

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
