"""How long a statement is on each platform, counted the way that platform counts it.

The one home of the length rules. ``Statement.clean()`` (so the form shows it by the field), the
approve and publish verbs (so nothing too long goes out, whichever way the row was changed), the
statement page's table and the live counter's limits all read from here.

- X weighs its text (the published twitter-text rules, via ``twitter-text-parser``): a link counts
  23 whatever its length, most emoji and CJK characters 2, Latin text 1; the limit is 280.
- Bluesky, Threads and Mastodon count what a reader sees as one character (a grapheme
  cluster): an emoji built of several code points, such as a family or a flag, counts 1.
- The others count Unicode code points, ``len(body)``.
"""

from typing import NamedTuple

import regex
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_config

from incidents.models import Platform

# The longest body each platform accepts, in its own unit; None means no limit worth checking.
LENGTH_LIMITS = {
    Platform.X: 280,
    Platform.BLUESKY: 300,
    Platform.THREADS: 500,
    # A Mastodon server's default; it counts graphemes (and a link as 23, which we do not: a long
    # link is counted in full, so we may refuse what the server would take, never the reverse).
    Platform.MASTODON: 500,
    Platform.INSTAGRAM: 2200,
    Platform.TIKTOK: 2200,
    Platform.LINKEDIN: 3000,
    Platform.YOUTUBE: 5000,
    Platform.REDDIT: 40000,
    Platform.FACEBOOK: 63206,
    Platform.OTHER: None,
}

# What the live counter in the browser can only estimate (it says so); the server counts exactly.
WEIGHTED = "weighted"
GRAPHEMES = "graphemes"
CHARACTERS = "characters"
COUNTING = {
    Platform.X: WEIGHTED,
    Platform.BLUESKY: GRAPHEMES,
    Platform.THREADS: GRAPHEMES,
    Platform.MASTODON: GRAPHEMES,
}

HOW_COUNTED = {
    WEIGHTED: "as X counts: a link 23, most emoji and CJK characters 2",
    GRAPHEMES: "as a reader sees them: an emoji counts 1",
    CHARACTERS: "characters",
}

_GRAPHEME = regex.compile(r"\X")


def _weighted(body):
    return parse_tweet(body).weightedLength


def _graphemes(body):
    return sum(1 for _ in _GRAPHEME.finditer(body))


_MEASURES = {WEIGHTED: _weighted, GRAPHEMES: _graphemes, CHARACTERS: len}


def counting(platform):
    """How ``platform`` counts: ``WEIGHTED``, ``GRAPHEMES`` or ``CHARACTERS``."""
    return COUNTING.get(platform, CHARACTERS)


def measure(body, platform):
    """The length of ``body`` as ``platform`` counts it."""
    return _MEASURES[counting(platform)](body or "")


class Length(NamedTuple):
    """One platform's verdict on a body; ``excess`` > 0 means too long."""

    label: str
    limit: int | None
    length: int
    excess: int
    how_counted: str

    @property
    def fits(self):
        return self.excess <= 0


def length_check(body, platforms):
    """One :class:`Length` per platform, in the order given."""
    rows = []
    for code in platforms or []:
        limit = LENGTH_LIMITS.get(code)
        length = measure(body, code)
        excess = length - limit if limit is not None else 0
        rows.append(
            Length(Platform(code).label, limit, length, excess, HOW_COUNTED[counting(code)])
        )
    return rows


def length_errors(body, platforms):
    """Readable refusals, one per platform the body is too long for, with how that platform
    counts whenever its count differs from the plain number of characters."""
    errors = []
    for row in length_check(body, platforms):
        if row.fits:
            continue
        how = f", {row.how_counted}" if row.length != len(body or "") else ""
        errors.append(
            f"Too long for {row.label} by {row.excess:,} character{'s' if row.excess != 1 else ''}"
            f" ({row.length:,} of {row.limit:,}{how})."
        )
    return errors


def counter_rules():
    """What the live counter in the browser needs to estimate each platform's count: the
    limits, how each platform counts, and X's weights (from the same twitter-text rules)."""
    x = twitter_config["defaults"]
    scale = x["scale"]
    return {
        "limits": {str(code): limit for code, limit in LENGTH_LIMITS.items() if limit},
        "counting": {str(code): counting(code) for code in LENGTH_LIMITS},
        "x": {
            "ranges": [[r["start"], r["end"], r["weight"] // scale] for r in x["ranges"]],
            "defaultWeight": x["default_weight"] // scale,
            "urlLength": x["transformed_url_length"],
        },
    }
