"""Text from a request turned into values, refusing anything of an unexpected shape.

Odd input (a NUL byte, superscript digits, a 5,000-digit number) must end in a 404 or a form
message, never in a server error from ``int()`` or from PostgreSQL, which refuses NUL in text.
"""

from django.urls import register_converter

# Python's \d also matches other scripts' digits (and isdigit() accepts "²"): spell out 0-9.
DIGITS = "[0-9]"


def whole_number(text, *, maximum=2**31 - 1):
    """``text`` as a non-negative whole number, or None if it is anything else (empty, signed,
    padded, not ASCII digits, or larger than ``maximum``, which by default fits any integer
    column)."""
    if not isinstance(text, str) or not (0 < len(text) <= len(str(maximum))):
        return None
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number <= maximum else None


class ReferenceConverter:
    """An incident reference in a path: ``CR-2026-014``."""

    regex = f"CR-{DIGITS}{{4}}-{DIGITS}{{3,9}}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class TokenConverter:
    """A public page's token in a path: the URL-safe alphabet of ``secrets.token_urlsafe``."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReferenceConverter, "reference")
register_converter(TokenConverter, "token")
