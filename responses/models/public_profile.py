"""The company as the audience sees it on the public pages: its name, logo and accent colour.

One row, kept by admins in the admin site ("Public profile"). Until an admin saves it, the pages
use ``settings.COMPANY_NAME`` and the house colours.

The logo lives in this row, not under MEDIA_ROOT: a self-hosted desk is often run behind
whitenoise alone, which serves no uploads, and a logo of a few kilobytes in the database is
backed up, restored and replicated with everything else. It is stored as a PNG that we drew
ourselves from the upload (see :func:`responses.branding.clean_logo`), so what the pages serve
is never the uploaded bytes: no SVG script, no polyglot file, no camera metadata.
"""

import hashlib
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Bootstrap's primary blue: the accent until an admin picks one.
DEFAULT_ACCENT = "#0d6efd"


def relative_luminance(colour):
    """WCAG 2.1's relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first, second):
    """WCAG 2.1's contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    lighter, darker = sorted([relative_luminance(first), relative_luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class PublicProfile(models.Model):
    # Always 1: the constraint below keeps the table to one row (see :meth:`current`).
    slot = models.PositiveSmallIntegerField(default=1, editable=False)
    company_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The name the audience sees on public pages. Leave empty to use the "
        "COMPANY_NAME setting.",
    )
    accent_colour = models.CharField(
        "accent colour",
        max_length=7,
        blank=True,
        help_text="The public pages' header colour, as #rrggbb (for example #0b5394). The text "
        "on it is black or white, whichever reads better.",
    )
    # A PNG drawn by responses.branding.clean_logo, never the uploaded bytes; empty for none.
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    # The logo's digest: its address (so a proxy may keep it for ever) and the pages' ETag.
    logo_sha = models.CharField(max_length=64, blank=True, editable=False)
    logo_alt = models.CharField(
        "logo description",
        max_length=150,
        blank=True,
        help_text="What the logo says, for people who cannot see it. Leave empty to use the "
        "company name.",
    )

    # The logo's bytes stay out of history (its digest is there); the public pages read the
    # history's latest row as "the branding changed" (responses.public.page_state).
    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        verbose_name = "public profile"
        constraints = [
            # One row: the pages read it with .filter(slot=1).first().
            models.CheckConstraint(condition=models.Q(slot=1), name="public_profile_one_slot"),
            models.UniqueConstraint(fields=["slot"], name="public_profile_single_row"),
        ]

    def __str__(self):
        return "Public profile"

    @classmethod
    def current(cls):
        """The saved profile, or an unsaved one with the defaults. One query."""
        return cls.objects.filter(slot=1).first() or cls()

    def clean(self):
        super().clean()
        colour = self.accent_colour.strip()
        if colour and not HEX_COLOUR.match(colour):
            raise ValidationError(
                {"accent_colour": "Write the colour as # and six hex digits, for example #0b5394."}
            )
        self.accent_colour = colour.lower()

    def set_logo(self, png):
        """Keep ``png`` (bytes from :func:`responses.branding.clean_logo`, or b"" for none)."""
        self.logo = png
        self.logo_sha = hashlib.sha256(png).hexdigest() if png else ""

    @property
    def shown_company_name(self):
        return self.company_name.strip() or settings.COMPANY_NAME

    @property
    def shown_logo_alt(self):
        return self.logo_alt.strip() or self.shown_company_name or "Logo"

    @property
    def accent(self):
        # Checked again here: the style sheet writes it unescaped.
        return self.accent_colour if HEX_COLOUR.match(self.accent_colour) else DEFAULT_ACCENT

    @property
    def accent_text(self):
        """Black or white, whichever contrasts more with the accent: one of them always reaches
        WCAG AA's 4.5:1 for normal text, so any accent an admin picks stays readable."""
        on_white = contrast_ratio(self.accent, "#ffffff")
        on_black = contrast_ratio(self.accent, "#000000")
        return "#ffffff" if on_white >= on_black else "#000000"

    @property
    def stamp(self):
        """A digest of everything the pages draw from the profile: the address of its style
        sheet, and part of the pages' ETag."""
        seen = "\n".join([self.shown_company_name, self.accent, self.logo_sha, self.shown_logo_alt])
        return hashlib.blake2b(seen.encode(), digest_size=8).hexdigest()
