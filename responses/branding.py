"""The company's branding on the public pages: the logo an admin uploads, made safe to serve.

An upload is read by Pillow and drawn again as a PNG of at most LOGO_BOX pixels: the pages
serve our own drawing, never the uploaded bytes, so an SVG's script, a file that is an image and
something else at once, or a photo's location metadata cannot reach the audience.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

# The formats an admin's logo may come in; SVG is left out on purpose (it may carry script).
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
# The largest logo the pages draw (width, height); a larger upload is scaled down to fit.
LOGO_BOX = (600, 200)
# Refuse a picture whose pixels alone would take more memory than this to decode (a small file
# may claim to be huge: a "decompression bomb").
MAX_PIXELS = 25_000_000


def clean_logo(upload):
    """A PNG of ``upload`` (a file from a form) fit to LOGO_BOX, or ValidationError with a
    message for the field: too large, not an image, or a format we do not take."""
    limit = settings.PUBLIC_LOGO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The logo is {filesizeformat(upload.size)}; it may be at most {filesizeformat(limit)}."
        )
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
            probe.verify()
        if kind not in LOGO_FORMATS:
            raise ValidationError(
                f"Upload the logo as PNG, JPEG, GIF or WebP (this file is {kind})."
            )
        if width * height > MAX_PIXELS:
            raise ValidationError("The logo has too many pixels; upload a smaller picture.")
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            drawn = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "This file is not a picture we can read. Upload a PNG, JPEG, GIF or WebP."
        ) from None
    drawn.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    drawn.save(out, format="PNG", optimize=True)
    return out.getvalue()
