"""The common case's fast path (sources/fastfeed.py) gives what feedparser gives: a corpus of
written feeds, hostile ones among them, and generated ones, each read both ways, every field the
poll reads compared, and what would be stored. Where the fast path cannot match, it falls back
(and the test says which of the corpus must take the fast path, so a fast path that always fell
back would fail here)."""

from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

import feedparser
import pytest
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import resolve_relative_uris
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources import fastfeed, feeds
from tests.sources import feeds as written

URL = "https://alerts.example/feeds/acme.xml?x=1"
RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml"
FIELDS = ["id", "link", "title", "summary", "author", "published_parsed", "updated_parsed"]
NOW = datetime(2026, 12, 8, tzinfo=UTC)


def both_ways(body, content_type=RSS_TYPE, url=URL):
    """(fast entries or None when it fell back, feedparser's entries); asserts feedparser read
    the feed without complaint whenever the fast path read it."""
    slow = feedparser.parse(
        body, response_headers={"content-type": content_type, "content-location": url}
    )
    try:
        fast = fastfeed.entries(body, content_type=content_type, url=url)
    except fastfeed.Fallback:
        return None, slow.entries
    assert slow.version and not slow.bozo, (slow.version, slow.get("bozo_exception"))
    return fast, slow.entries


def assert_same(body, content_type=RSS_TYPE, *, fast_path=None):
    fast, slow = both_ways(body, content_type)
    if fast_path is not None:
        assert (fast is not None) == fast_path, "the fast path was (not) taken"
    if fast is None:
        return
    assert len(fast) == len(slow)
    for mine, theirs in zip(fast, slow, strict=True):
        assert {f: mine.get(f) for f in FIELDS} == {f: dict.get(theirs, f) for f in FIELDS}
        assert feeds._item(mine, URL, NOW) == feeds._item(theirs, URL, NOW)


def rss(*items, head='<?xml version="1.0" encoding="utf-8"?>', channel="", xmlns=""):
    return (
        f'{head}<rss version="2.0"{xmlns}><channel><title>Alerts</title>'
        f"<link>https://alerts.example/</link><description>d</description>{channel}"
        + "".join(f"<item>{item}</item>" for item in items)
        + "</channel></rss>"
    ).encode()


def atom(*entries, head='<?xml version="1.0" encoding="utf-8"?>'):
    return (
        f'{head}<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title><id>urn:f</id>'
        "<updated>2026-12-07T09:00:00Z</updated>"
        + "".join(f"<entry>{entry}</entry>" for entry in entries)
        + "</feed>"
    ).encode()


LINK = "<link>https://news.example/a</link>"
FAST = [
    pytest.param(written.rss(written.item("a1"), written.item("a2")), RSS_TYPE, id="written rss"),
    pytest.param(written.ATOM, ATOM_TYPE, id="written atom"),
    pytest.param(
        rss(
            LINK + "<title>&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Acme&lt;/b&gt; "
            '&amp;lt;i&amp;gt;</title><description>&lt;p onclick="x()"&gt;Hi&lt;style&gt;p'
            "{}&lt;/style&gt;&lt;iframe src=x&gt;in&lt;/iframe&gt;&lt;/p&gt;</description>"
        ),
        RSS_TYPE,
        id="hostile markup escaped",
    ),
    pytest.param(
        rss(
            LINK + "<title><![CDATA[<script>alert(1)</script> Acme & <b>co</b>]]></title>"
            "<description><![CDATA[<img src=/x.png onerror=alert(1)>Late "
            "<a href='/story'>again</a> &amp; again]]></description>"
        ),
        RSS_TYPE,
        id="CDATA",
    ),
    pytest.param(
        rss(
            "<link>/relative/story?a=1&amp;b=2</link><guid>story-7</guid><title>T</title>",
            '<link>story?x=&amp;amp;y</link><guid isPermaLink="false">tag:x,1</guid>',
        ),
        RSS_TYPE,
        id="relative links and guids",
    ),
    pytest.param(
        rss(
            LINK + "<title>Caf&#233; &#8217;quoted&#8217; &#150; dash &#x2014; &amp;nbsp;</title>"
            "<description>Caf\u00c3\u00a9 mojibake, &#128; euro</description>",
            LINK + "<title>Caf\u00c3\u00a9 read as Latin-1</title>",
        ),
        RSS_TYPE,
        id="entities and encodings",
    ),
    pytest.param(
        rss(
            LINK + "<pubDate>Mon, 07 Dec 2026 09:00:00 GMT</pubDate>",
            LINK + "<pubDate>2026-12-07T09:00:00+01:00</pubDate>",
            LINK + "<pubDate>07 Dec 2026 09:00 EST</pubDate>",
            LINK + "<pubDate>2026-12-07</pubDate>",
            LINK + "<pubDate>not a date</pubDate>",
            LINK + "<pubDate>Wed, 01 Jan 2031 00:00:00 +0000</pubDate>",
        ),
        RSS_TYPE,
        id="dates",
    ),
    pytest.param(
        rss(
            LINK + "<author>fan@example.com (A Fan)</author><category>x</category>",
            xmlns=' xmlns:atom="http://www.w3.org/2005/Atom"',
            channel='<atom:link href="https://alerts.example/f" rel="self"/>',
        ),
        RSS_TYPE,
        id="namespaces at the channel",
    ),
    pytest.param(
        atom(
            '<id>tag:google.com,2013:googlealerts/feed:1</id><title type="html">Acme &lt;b&gt;'
            'late&lt;/b&gt; &amp;amp;</title><link href="https://www.google.com/url?rct=j&amp;'
            'url=https://n.example/a"/><published>2026-12-07T08:00:00Z</published><updated>'
            '2026-12-07T08:00:00Z</updated><content type="html">Acme &lt;script&gt;x()&lt;/'
            "script&gt;&lt;b&gt;orders&lt;/b&gt;</content><author><name></name></author>",
            '<id>urn:2</id><title type="text">a &lt;b&gt; c</title><link rel="alternate" '
            'type="text/html" href="/rel"/><summary>Plain &amp; simple</summary><author><name>'
            "Ann</name><email>ann@example.com</email></author><updated>2026-12-07T08:00:00.5+"
            "02:00</updated>",
        ),
        ATOM_TYPE,
        id="atom content types",
    ),
]
FALLBACK = [
    pytest.param(written.MALFORMED, RSS_TYPE, id="malformed"),
    pytest.param(written.HTML_ERROR, "text/html", id="html page"),
    pytest.param(
        written.rss(written.item("e", title="Café"), encoding="latin-1", declared="utf-8"),
        RSS_TYPE,
        id="wrong encoding",
    ),
    pytest.param(
        written.rss(written.item("m", title="Ärger")).replace(b' encoding="utf-8"', b""),
        "text/xml",
        id="text/xml without a charset",
    ),
    pytest.param(
        rss(
            LINK + "<dc:creator>Ann</dc:creator>",
            xmlns=' xmlns:dc="http://purl.org/dc/elements/1.1/"',
        ),
        RSS_TYPE,
        id="dc:creator",
    ),
    pytest.param(
        rss(
            LINK + "<content:encoded>x</content:encoded>",
            xmlns=' xmlns:content="http://purl.org/rss/1.0/modules/content/"',
        ),
        RSS_TYPE,
        id="content:encoded",
    ),
    pytest.param(
        rss("<title>no link</title><guid>https://n.example/g</guid>"), RSS_TYPE, id="guid as link"
    ),
    pytest.param(
        rss(LINK + "<description><p>inline</p></description>"), RSS_TYPE, id="inline markup"
    ),
    pytest.param(rss(LINK + "<title>a</title><title>b</title>"), RSS_TYPE, id="twice"),
    pytest.param(
        atom(
            '<id>1</id><link href="/a"/><content type="xhtml"><div xmlns="http://www.w3.org/'
            '1999/xhtml"><b>x</b></div></content>'
        ),
        ATOM_TYPE,
        id="xhtml",
    ),
    pytest.param(
        atom('<id>1</id><link href="/a"/><summary>s</summary><content>c</content>'),
        ATOM_TYPE,
        id="summary and content",
    ),
    pytest.param(atom('<id>1</id><link rel="self" href="/a"/>'), ATOM_TYPE, id="no alternate link"),
    pytest.param(
        atom('<id>1</id><link href="/a" xml:base="https://other.example/"/>'),
        ATOM_TYPE,
        id="xml:base",
    ),
    pytest.param(written.BILLION_LAUGHS, RSS_TYPE, id="entities declared"),
]


@pytest.mark.parametrize(("body", "content_type"), FAST)
def test_the_fast_path_reads_the_common_case_as_feedparser_does(body, content_type):
    assert_same(body, content_type, fast_path=True)


def test_a_broken_marked_section_is_text():
    """Found by the generated feeds: the standard library's HTML parser (strip_tags) asserted on
    an author "<![0", failing the whole poll."""
    assert feeds.plain_text("Ann <![0 <b>x</b>") == "Ann <![0 x"
    assert_same(rss(LINK + "<author>&lt;![0</author><title>&lt;![CDATA[x</title>"), fast_path=True)


@pytest.mark.parametrize(("body", "content_type"), FALLBACK)
def test_what_the_fast_path_cannot_match_falls_back_to_feedparser(body, content_type):
    assert_same(body, content_type, fast_path=False)


# Generated items: text with markup, entities and odd characters, elements in any order.
PIECES = st.sampled_from(
    [
        "<b>", "</b>", "<script>", "</script>", "<p>", "</p>", "<a href='/x'>", "</a>",
        "<img src=x onerror=alert(1)>", "&amp;", "&lt;", "&nbsp;", "&#8217;", "&#150;", "&bogus;",
        "<style>", "</style>", "<!-- c -->", "]]", " ", "\n", "Ã©", "é", "€", "<unknown>", "&",
        "<", ">", '"', "'", "http://a.example/?a=1&b=2", "/rel", "<br/>", "</div>",
        "<B>", "<br >", "<i/>", "<a href>", "<img>", "<p >", "</P >", "<em>", "<a>", "<x1>",
        "<a\nhref=x>", "<b title>", "<!x>", "<?pi?>", "&#x41;", "&#39;", "<br />", "<hr/>",
    ]
)  # fmt: skip
TEXT = st.lists(
    st.one_of(PIECES, st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]))),
    max_size=8,
).map("".join)
DATES = st.sampled_from(
    ["Mon, 07 Dec 2026 09:00:00 GMT", "2026-12-07T09:00:00Z", "07 Dec 2026", "soon", ""]
)


def _wrapped(text, cdata):
    if cdata and "]]>" not in text:
        return f"<![CDATA[{text}]]>"
    return escape(text)


# Text without entities whose every "<" opens a bare tag (fastfeed.NOT_BARE: no resolver).
BARE_TEXT = st.lists(
    st.one_of(
        PIECES.filter(lambda piece: not fastfeed.NOT_BARE.search(piece)),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="<&")),
    ),
    max_size=10,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=BARE_TEXT)
def test_the_resolver_is_skipped_only_where_it_changes_nothing(text):
    """fastfeed skips feedparser's URI resolver for text without entities whose every "<"
    opens a bare tag: the sanitizer's HTML is then the same with or without the resolver first."""
    assert not fastfeed.NOT_BARE.search(text)
    for kind in ("text/html", "application/xhtml+xml"):
        resolved = resolve_relative_uris(text, "https://n.example/feed", "utf-8", kind)
        assert _sanitize_html(resolved, "utf-8", kind) == _sanitize_html(text, "utf-8", kind)


@st.composite
def rss_items(draw):
    parts = [
        f"<link>{escape(draw(st.sampled_from(['https://n.example/a', '/r?a=1&b=2', 'x'])))}</link>"
    ]
    for name in ("title", "description", "author", "guid", "pubDate"):
        if draw(st.booleans()):
            value = draw(DATES) if name == "pubDate" else draw(TEXT)
            attrs = ' isPermaLink="false"' if name == "guid" and draw(st.booleans()) else ""
            parts.append(f"<{name}{attrs}>{_wrapped(value, draw(st.booleans()))}</{name}>")
    return "".join(draw(st.permutations(parts)))


@st.composite
def atom_entries(draw):
    href = draw(st.sampled_from(["https://n.example/a", "/r?a=1&b=2"]))
    parts = [f"<link href={quoteattr(href)}/>", f"<id>{escape(draw(TEXT))}</id>"]
    for name in ("title", "summary", "content"):
        if draw(st.booleans()):
            kind = draw(st.sampled_from(["", ' type="text"', ' type="html"']))
            parts.append(f"<{name}{kind}>{_wrapped(draw(TEXT), draw(st.booleans()))}</{name}>")
    if draw(st.booleans()):
        parts.append(f"<author><name>{escape(draw(TEXT))}</name></author>")
    for name in ("published", "updated"):
        if draw(st.booleans()):
            parts.append(f"<{name}>{escape(draw(DATES))}</{name}>")
    return "".join(draw(st.permutations(parts)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(rss_items(), min_size=1, max_size=3))
def test_generated_rss_reads_the_same_both_ways(items):
    assert_same(rss(*items), RSS_TYPE)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.lists(atom_entries(), min_size=1, max_size=3))
def test_generated_atom_reads_the_same_both_ways(entries):
    assert_same(atom(*entries), ATOM_TYPE)
