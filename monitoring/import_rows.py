"""How a row of a listening tool's CSV export reads as a mention: the columns a new file's
headers probably hold, the file's rows read lazily, and each row turned into an item for the
ingestion (monitoring.mentions), or into the problems found in its shape.

monitoring.imports stores the upload and runs the import with these.
"""

import csv
from datetime import datetime

from django.utils import timezone

from incidents.models import Platform
from monitoring.models.mention_import import MAPPABLE_FIELDS

# Date and time layouts seen in listening tools' exports, tried in order after ISO 8601.
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%b %d, %Y %I:%M %p",
    "%d %b %Y %H:%M",
)
# Header names that usually hold each field, to guess a mapping never made before.
GUESSES = {
    "platform": ("platform", "network", "source", "channel", "site", "domain"),
    "external_id": ("id", "post id", "external id", "mention id", "tweet id", "guid"),
    "url": ("url", "link", "permalink", "post url"),
    "author": ("author", "user", "username", "screen name", "handle", "author name"),
    "text": ("text", "content", "message", "body", "snippet", "full text", "post"),
    "posted_at": ("date", "posted at", "created at", "published", "time", "date time"),
    "sentiment_score": ("sentiment score", "score", "polarity"),
    "sentiment_label": ("sentiment", "tone", "sentiment label"),
    "reach": ("reach", "followers", "impressions", "audience", "potential reach"),
}


def guess_columns(headers):
    """A first mapping for a file never mapped before: each field to the column whose name
    reads like it, if any."""
    by_name = {name.strip().casefold().replace("_", " "): name for name in headers}
    guessed = {}
    for field_name, names in GUESSES.items():
        for candidate in names:
            if candidate in by_name and by_name[candidate] not in guessed.values():
                guessed[field_name] = by_name[candidate]
                break
    return guessed


def rows(mention_import):
    """Each data row of the file as ``(line number, {column: text})``, read lazily. The line
    number is the file's, counting the header as line 1, so a person finds it in an editor."""
    with mention_import.path.open(
        encoding=mention_import.encoding, newline="", errors="replace"
    ) as text:
        reader = csv.reader(text, delimiter=mention_import.delimiter)
        headers = next(reader, None)
        if headers is None:
            return
        width = len(headers)
        line = reader.line_num + 1
        for values in reader:
            if not any(value.strip() for value in values):
                line = reader.line_num + 1
                continue  # blank lines are skipped, as a spreadsheet would
            yield line, dict(zip(headers, values, strict=False)), len(values) - width
            line = reader.line_num + 1


def parse_datetime(text):
    """``text`` as an aware datetime (ISO 8601, or a layout of DATETIME_FORMATS read in the
    site's time zone), or None."""
    text = text.strip()
    if not text:
        return None
    value = None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for layout in DATETIME_FORMATS:
            try:
                value = datetime.strptime(text, layout)
                break
            except ValueError:
                continue
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


_PLATFORMS = {
    **{value: value for value in Platform.values},
    **{label.casefold(): value for value, label in Platform.choices},
    "twitter": Platform.X,
    "x.com": Platform.X,
    "twitter.com": Platform.X,
    "facebook.com": Platform.FACEBOOK,
    "instagram.com": Platform.INSTAGRAM,
    "linkedin.com": Platform.LINKEDIN,
    "tiktok.com": Platform.TIKTOK,
    "youtube.com": Platform.YOUTUBE,
    "reddit.com": Platform.REDDIT,
    "threads.net": Platform.THREADS,
    "bsky.app": Platform.BLUESKY,
}


def row_to_item(row, columns, platform, extra_values):
    """One row as a mention for the ingestion, or the problems found in it as
    ``[(field, message)]``. Only the shape is checked here (numbers, dates, platform names);
    the ingestion checks the rest."""
    problems = []
    if extra_values > 0:
        problems.append(("", f"This line has {extra_values} more value(s) than there are columns."))
    item = {}
    for field_name, column in columns.items():
        if field_name not in MAPPABLE_FIELDS or not column:
            continue
        raw = (row.get(column) or "").strip()
        if raw == "":
            continue
        if field_name == "reach":
            digits = raw.replace(",", "").replace(" ", "").replace("\u202f", "")
            if not digits.isascii() or not digits.isdigit():
                problems.append(("reach", f"“{raw[:40]}” is not a whole number."))
                continue
            item["reach"] = int(digits)
        elif field_name == "sentiment_score":
            try:
                item["sentiment_score"] = float(raw.replace(",", "."))
            except ValueError:
                problems.append(("sentiment_score", f"“{raw[:40]}” is not a number from -1 to 1."))
        elif field_name == "posted_at":
            when = parse_datetime(raw)
            if when is None:
                problems.append(("posted_at", f"“{raw[:40]}” is not a date and time."))
            else:
                item["posted_at"] = when
        elif field_name == "platform":
            code = _PLATFORMS.get(raw.casefold())
            if code is None:
                problems.append(("platform", f"“{raw[:40]}” is not a platform we know."))
            else:
                item["platform"] = code
        elif field_name == "sentiment_label":
            item["sentiment_label"] = raw.casefold()
        else:
            item[field_name] = raw
    if "platform" not in item and platform and not any(f == "platform" for f, _m in problems):
        item["platform"] = platform
    return item, problems
