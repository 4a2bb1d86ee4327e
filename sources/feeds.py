"""An RSS or Atom feed's bytes as mentions: read by the common case's fast path
(sources/fastfeed.py: RSS 2.0 and Atom in UTF-8, the same entries feedparser gives, no DTD read)
or else checked for entity declarations and parsed by feedparser from the bytes (never fetched
by it), refused whole when it is not a readable feed.

Entity expansion: feedparser's strict parser is the standard library's SAX (expat), which
expands entities declared in the document. Expat 2.4 and later cap the amplification, but a
feed has no use for a DTD's entities at all, so the bytes are first read by defusedxml's SAX
parser with entities and external references forbidden, and any declaration refuses the feed.
"""

import hashlib
import html
import xml.sax
from calendar import timegm
from datetime import UTC, datetime

import defusedxml
import defusedxml.sax
import feedparser
from django.utils.html import strip_tags

from sources import fastfeed
from sources.fetch import PollFailed
from sources.ingest import Platform

# Said by feedparser when it read the feed anyway: a notice on the health line, not a failure.
ENCODING_NOTICES = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
MAX_ID = 200


def refuse_entities(body):
    """PollFailed when the document declares entities or refers to external ones."""
    if b"<!entity" in body[:65536].lower():
        raise PollFailed("The feed declares XML entities (an entity-expansion attack?): refused.")
    try:
        defusedxml.sax.parseString(
            body,
            xml.sax.ContentHandler(),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        )
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as error:
        raise PollFailed(f"The feed declares XML entities ({error}): refused.") from error
    except xml.sax.SAXException:
        pass  # malformed: feedparser says so below


def parse(body, *, content_type, url, now):
    """The feed's items as dicts for the ingestion, and a notice (or ``""``); PollFailed when
    it is no feed or not well-formed."""
    try:
        # The common case (well-formed RSS 2.0 or Atom in UTF-8), read as feedparser reads it.
        # It reads no DTD (a DOCTYPE falls back) and defusedxml refuses any entity declaration
        # in it, so the entity check is the fallback's alone.
        found = fastfeed.entries(body, content_type=content_type, url=url)
    except fastfeed.Fallback:
        pass
    else:
        items = [_item(entry, url, now) for entry in found]
        return [item for item in items if item], ""
    refuse_entities(body)
    parsed = feedparser.parse(
        body, response_headers={"content-type": content_type, "content-location": url}
    )
    if not parsed.get("version"):
        what = "a web page" if "html" in content_type.lower() else "something else"
        raise PollFailed(f"The address answered with {what}, not an RSS or Atom feed.")
    notice = ""
    if parsed.get("bozo"):
        error = parsed.get("bozo_exception")
        if isinstance(error, ENCODING_NOTICES):
            notice = f"Read with encoding {parsed.get('encoding', '?')}: {error}"
        else:
            line = getattr(error, "getLineNumber", lambda: None)()
            where = f" (line {line})" if line else ""
            raise PollFailed(f"The feed is not well-formed XML{where}: {error}. Nothing stored.")
    items = [_item(entry, url, now) for entry in parsed.entries]
    return [item for item in items if item], notice


def plain_text(value):
    """Plain text of a title or summary (feedparser may keep markup): tags dropped, entities
    read, spaces collapsed. Pages escape it again when they show it."""
    value = value or ""
    try:
        stripped = strip_tags(value)
    except AssertionError:
        # The standard library's HTML parser asserts on a broken marked section ("<![0"), which
        # is no tag: read as text.
        stripped = strip_tags(value.replace("<![", "&lt;!["))
    return " ".join(html.unescape(stripped).split())


def _item(entry, feed_url, now):
    link = entry.get("link") or ""
    if not link.startswith(("http://", "https://")):
        link = ""
    identity = entry.get("id") or link or entry.get("title") or ""
    if not identity:
        return None
    if len(identity) > MAX_ID:
        identity = "sha256:" + hashlib.sha256(identity.encode()).hexdigest()
    title = plain_text(entry.get("title"))
    summary = plain_text(entry.get("summary"))
    text = title if not summary or summary == title else f"{title} — {summary}"
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    posted = datetime.fromtimestamp(timegm(stamp), tz=UTC) if stamp else now
    return {
        "platform": Platform.OTHER,
        "external_id": identity,
        "url": link[:2000],
        "author": plain_text(entry.get("author"))[:200],
        "text": text[:20000],
        # A clock in the future is clamped to now, where the counts can show it.
        "posted_at": min(posted, now),
    }
