"""The common case of a feed read fast: well-formed RSS 2.0 and Atom 1.0 in UTF-8, read by
defusedxml's ElementTree, each field then finished by feedparser's own functions (its encoding
detection, URI resolving, HTML sanitizer, date parser, cp1252 mapping), in the order
feedparser's ``pop`` applies them, so an entry reads the same whichever parser read it.

Anything outside that case raises :class:`Fallback` and feedparser reads the feed: another
encoding or an encoding notice, a DOCTYPE, ``xml:base``, a namespaced element or an unknown one
inside an item, markup as child elements of a title or summary (XHTML), an element twice in
one entry, an RSS item without its link, an Atom entry whose link is not its one alternate HTML
link, a content given by ``src``. tests/sources/test_fastfeed.py reads a corpus and generated
feeds both ways and compares every field.

The fields given are the ones :func:`sources.feeds._item` reads: id, link, title, summary,
author, published_parsed, updated_parsed.
"""

import contextlib
import re
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree
from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin as Mixin
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import _urljoin, make_safe_absolute_uri, resolve_relative_uris

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The children an entry may have here (others, namespaced ones included, fall back).
RSS_CHILDREN = {"title", "link", "description", "guid", "pubDate", "author", "category", "comments"}
ATOM_CHILDREN = {
    ATOM + name
    for name in ("id", "title", "link", "published", "updated", "summary", "content", "author")
}
ATOM_CHILDREN.add(ATOM + "category")
AUTHOR_CHILDREN = {ATOM + "name", ATOM + "email", ATOM + "uri"}
# feedparser's sets (feedparser.mixin._FeedParserMixin), read from it.
RICH = Mixin.can_contain_dangerous_markup & Mixin.can_contain_relative_uris
HTML_TYPES = Mixin.html_types
ENCODING = "utf-8"
# An attribute feedparser reads as a base URI (xml:base, or base): anywhere, it falls back.
BASE = re.compile(rb"base\s*=")
# An entity, or a "<" that does not open a bare tag (a name and nothing else: no attribute, which
# is all that feedparser's resolver rewrites, no comment, declaration or processing instruction).
# Text without one has no relative URI to resolve, and the sanitizer gives the same HTML whether
# or not the resolver's copy of it came first (not so for entities: the resolver rewrites an
# unknown one, which the sanitizer then keeps inside a script), so the resolver is skipped, a
# third of a summary's time (tests/sources/test_fastfeed.py compares both ways on such text).
NOT_BARE = re.compile(r"&|<(?!/?[A-Za-z][A-Za-z0-9]*\s*/?>)")


class Fallback(Exception):
    """Not the common case: feedparser reads this feed."""


def entries(body, *, content_type, url):
    """The feed's entries as feedparser gives the fields the poll reads (a list of dicts), or
    :class:`Fallback`."""
    if BASE.search(body) or b"<!DOCTYPE" in body:
        raise Fallback("xml:base or a DOCTYPE")
    headers = {"content-type": content_type, "content-location": url}
    said = {"bozo": False}
    data = convert_to_utf8(headers, body, said)
    if said.get("bozo") or said.get("encoding") != ENCODING:
        raise Fallback("not plain UTF-8")
    try:
        root = defusedxml.ElementTree.fromstring(data)
    except (ParseError, defusedxml.DefusedXmlException, ValueError) as error:
        raise Fallback("not well-formed") from error
    base = _base(url)
    if root.tag == "rss" and root.get("version") == "2.0" and set(root.attrib) == {"version"}:
        channels = root.findall("channel")
        if len(channels) != 1:
            raise Fallback("not one channel")
        items = channels[0].findall("item")
        if len(items) != sum(1 for _ in root.iter("item")) or any(root.iter(ATOM + "entry")):
            raise Fallback("items elsewhere")
        return [_rss(item, base) for item in items]
    if root.tag == ATOM + "feed" and "version" not in root.attrib:
        found = root.findall(ATOM + "entry")
        if len(found) != sum(1 for _ in root.iter(ATOM + "entry")) or any(root.iter("item")):
            raise Fallback("entries elsewhere")
        return [_atom(entry, base) for entry in found]
    raise Fallback("neither RSS 2.0 nor Atom 1.0")


def _base(url):
    """The base URI feedparser gives its parser for a document read from ``url`` (api.parse),
    as each element without xml:base keeps it (mixin.unknown_starttag)."""
    base = make_safe_absolute_uri("", url) or make_safe_absolute_uri(url) or ""
    for _depth in range(8):
        again = make_safe_absolute_uri(base, base) or base
        if again == base:
            return base
        base = again
    raise Fallback("an unsteady base URI")


def _finish(element, element_text, *, base, ctype=None, atom=False, resolve=False):
    """What feedparser's ``pop`` makes of an element's text (feedparser/mixin.py, in its
    order): stripped, resolved against the base for link and id, HTML guessed for RSS's plain
    text, relative URIs resolved and markup sanitized in titles and summaries, UTF-8 read as
    Latin-1 mended, cp1252's extensions mapped."""
    output = (element_text or "").strip()
    if resolve and output:
        output = _urljoin(base or "", output)
    kind = ctype or "text/html"  # contentparams are empty outside a content element
    if not atom and kind == "text/plain" and Mixin.looks_like_html(output):
        kind = "text/html"
    if Mixin.map_content_type(kind) in HTML_TYPES and element in RICH:
        if NOT_BARE.search(output):
            output = resolve_relative_uris(output, base, ENCODING, kind)
        output = _sanitize_html(output, ENCODING, kind)
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        output = output.encode("iso-8859-1").decode("utf-8")
    return output.translate(_cp1252)


def _plain_children(entry, allowed):
    """{tag: element} of an entry's children, each at most once, without children or
    attributes of their own unless said; Fallback otherwise."""
    found = {}
    for child in entry:
        if child.tag not in allowed:
            raise Fallback(f"an element {child.tag!r} in an entry")
        if child.tag in found and not child.tag.endswith("category"):
            raise Fallback(f"{child.tag!r} twice in an entry")
        found[child.tag] = child
        if len(child) and child.tag != ATOM + "author":
            raise Fallback(f"markup inside {child.tag!r}")
    return found


def _attributes(element, allowed=()):
    names = {name for name in element.attrib if name != XML_LANG}
    if names - set(allowed):
        raise Fallback(f"attributes {sorted(names)} on {element.tag!r}")


def _rss(item, base):
    found = _plain_children(item, RSS_CHILDREN)
    if "link" not in found:
        raise Fallback("an item without its link")
    for name in ("title", "link", "description", "pubDate", "author"):
        if name in found:
            _attributes(found[name])
    entry = {}
    link = _finish("link", found["link"].text, base=base, resolve=True)
    link = link.replace("&amp;", "&")
    entry["link"] = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", link)
    if "guid" in found:
        guid = found["guid"]
        _attributes(guid, ("isPermaLink",))
        permalink = guid.get("isPermaLink", "true") == "true"
        entry["id"] = _finish("id", guid.text, base=base, resolve=permalink)
    if "title" in found:
        entry["title"] = _finish("title", found["title"].text, base=base, ctype="text/plain")
    if "description" in found:
        text = found["description"].text
        entry["summary"] = _finish("description", text, base=base, ctype="text/html")
    if "author" in found:
        entry["author"] = _finish("author", found["author"].text, base=base)
    if "pubDate" in found:
        published = _finish("published", found["pubDate"].text, base=base)
        entry["published_parsed"] = _parse_date(published)
    return entry


def _typed(element, *, base, name):
    """An Atom text construct: type text or html, nothing else."""
    _attributes(element, ("type",))
    kind = (element.get("type") or "text").lower()
    if kind not in ("text", "html"):
        raise Fallback(f"a {kind!r} {name}")
    ctype = Mixin.map_content_type(kind)
    return _finish(name, element.text, base=base, ctype=ctype, atom=True)


def _atom(element, base):
    found = _plain_children(element, ATOM_CHILDREN)
    links = element.findall(ATOM + "link")
    if len(links) != 1:
        raise Fallback("not one link")
    link = links[0]
    _attributes(link, ("href", "rel", "type", "hreflang", "title", "length"))
    if (
        not link.get("href")
        or (link.get("rel") or "alternate").lower() != "alternate"
        or (link.get("type") or "text/html").lower() != "text/html"
    ):
        raise Fallback("a link that is not the alternate HTML one")
    entry = {"link": _urljoin(base or "", link.get("href"))}
    if ATOM + "id" in found:
        _attributes(found[ATOM + "id"])
        entry["id"] = _finish("id", found[ATOM + "id"].text, base=base, resolve=True)
    if ATOM + "title" in found:
        entry["title"] = _typed(found[ATOM + "title"], base=base, name="title")
    if ATOM + "summary" in found and ATOM + "content" in found:
        raise Fallback("both a summary and a content")
    if ATOM + "summary" in found:
        entry["summary"] = _typed(found[ATOM + "summary"], base=base, name="summary")
    elif ATOM + "content" in found:
        entry["summary"] = _typed(found[ATOM + "content"], base=base, name="content")
    if ATOM + "author" in found:
        entry["author"] = _author(found[ATOM + "author"])
    for name in ("published", "updated"):
        if ATOM + name in found:
            _attributes(found[ATOM + name])
            value = _finish(name, found[ATOM + name].text, base=base)
            entry[f"{name}_parsed"] = _parse_date(value)
    return entry


def _author(author):
    """name (email), as feedparser's _sync_author_detail writes it (name and email are read
    as they are, not finished)."""
    _attributes(author)
    if (author.text or "").strip():
        raise Fallback("text in an author")
    parts = {}
    for child in author:
        if child.tag not in AUTHOR_CHILDREN or child.tag in parts or len(child) or child.attrib:
            raise Fallback("an unusual author")
        if (child.tail or "").strip():
            raise Fallback("text in an author")
        parts[child.tag] = (child.text or "").strip()
    name, email = parts.get(ATOM + "name"), parts.get(ATOM + "email")
    if name and email:
        return f"{name} ({email})"
    return name or email or ""
