"""A feed polled through the real fetching and feedparser, against a local server: first poll,
conditional poll, backoff, and every bad input ending in a clear health line with nothing
half-stored."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from crisis import timekeeper
from incidents.models import Incident
from monitoring.models import Mention
from sources import polling
from tests import factories
from tests.sources import feeds
from tests.sources.conftest import make_source, reload

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
pytestmark = pytest.mark.django_db


def test_first_poll_stores_the_items_and_the_health_line(feeds_server):
    url = feeds_server.serve(
        "/alerts", (200, {**XML, "ETag": '"v1"'}, feeds.rss(feeds.item("a1"), feeds.item("a2")))
    )
    source = make_source(url, interval_minutes=15)
    assert polling.poll(source) == 2
    source = reload(source)
    stored = Mention.objects.filter(source=source.mention_source).order_by("external_id")
    assert [m.external_id for m in stored] == ["https://news.example/a1", "https://news.example/a2"]
    first = stored[0]
    assert first.platform == "other"
    assert first.url == "https://news.example/a1"
    assert first.text == "Acme orders late again — Customers say orders are late."
    assert first.posted_at == datetime(2026, 12, 7, 9, tzinfo=UTC)
    assert source.mentions_brought == 2
    assert source.last_error == ""
    assert source.etag == '"v1"'
    assert source.next_poll_at - source.last_success_at == timedelta(minutes=15)


def test_atom_feed(feeds_server):
    url = feeds_server.serve("/atom", (200, {"Content-Type": "application/atom+xml"}, feeds.ATOM))
    source = make_source(url)
    assert polling.poll(source) == 1
    mention = Mention.objects.get()
    assert (mention.external_id, mention.author) == ("urn:alert:1", "Blogger")
    assert mention.text.startswith("Acme recalls a batch")


def test_conditional_poll_answered_304(feeds_server):
    body = feeds.rss(feeds.item("a1"))
    url = feeds_server.serve(
        "/alerts",
        (200, {**XML, "ETag": '"v1"', "Last-Modified": "Mon, 07 Dec 2026 09:00:00 GMT"}, body),
        (304, {}, b""),
    )
    source = make_source(url)
    polling.poll(source)
    source = reload(source)
    assert polling.poll(source) == 0
    second = feeds_server.headers_of("/alerts")[1]
    assert second["If-None-Match"] == '"v1"'
    assert second["If-Modified-Since"] == "Mon, 07 Dec 2026 09:00:00 GMT"
    source = reload(source)
    assert source.last_error == ""
    assert source.last_notice == "Not modified since the last poll."
    assert source.mentions_brought == 1


def test_429_backs_off_as_long_as_retry_after_says(feeds_server):
    url = feeds_server.serve("/alerts", (429, {"Retry-After": "3600"}, b"slow down"))
    source = make_source(url, interval_minutes=5)
    now = timekeeper.now()
    polling.poll(source, now=now)
    source = reload(source)
    assert "429" in source.last_error and "3600 s" in source.last_error
    assert source.next_poll_at == now + timedelta(seconds=3600)
    assert source.failures == 1


def test_5xx_backs_off_doubling_and_a_success_resets(feeds_server):
    url = feeds_server.serve(
        "/alerts", (503, {}, b"down"), (503, {}, b"down"), (200, XML, feeds.rss(feeds.item("a")))
    )
    source = make_source(url, interval_minutes=10)
    now = timekeeper.now()
    polling.poll(source, now=now)
    assert reload(source).next_poll_at == now + timedelta(minutes=10)
    polling.poll(reload(source), now=now)
    source = reload(source)
    assert source.next_poll_at == now + timedelta(minutes=20)
    assert "503" in source.last_error
    polling.poll(source, now=now)
    source = reload(source)
    assert (source.failures, source.last_error, source.mentions_brought) == (0, "", 1)


def test_duplicates_across_sources_are_stored_once(feeds_server):
    body = feeds.rss(feeds.item("same"), feeds.item("other"))
    one = make_source(feeds_server.serve("/one", (200, XML, body)), name="One")
    two = make_source(feeds_server.serve("/two", (200, XML, feeds.rss(feeds.item("same")))))
    assert polling.poll(one) == 2
    assert polling.poll(two) == 0
    assert Mention.objects.filter(external_id="https://news.example/same").count() == 1
    assert reload(two).last_error == ""


def test_dates_in_the_future_are_clamped_to_now(feeds_server):
    url = feeds_server.serve(
        "/alerts", (200, XML, feeds.rss(feeds.item("f", date="Wed, 01 Jan 2031 00:00:00 GMT")))
    )
    now = timekeeper.now()
    assert polling.poll(make_source(url), now=now) == 1
    assert Mention.objects.get().posted_at == now.replace(microsecond=now.microsecond)


def test_markup_in_titles_is_stored_as_text_and_escaped_on_pages(feeds_server, client, comms):
    title = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Acme&lt;/b&gt; &amp;lt;i&amp;gt;"
    url = feeds_server.serve(
        "/alerts", (200, XML, feeds.rss(feeds.item("x", title=title, text="")))
    )
    polling.poll(make_source(url))
    mention = Mention.objects.get()
    assert "<script" not in mention.text and "<b>" not in mention.text
    assert "Acme" in mention.text and "<i>" in mention.text  # an escaped tag is text
    client.force_login(comms)
    page = client.get(reverse("monitoring:inbox")).content.decode()
    assert "&lt;i&gt;" in page and "<i>" not in page.split("<main", 1)[1]


def test_linked_incident_gets_the_mentions(feeds_server, comms):
    incident = factories.make_incident(comms, status=Incident.Status.RESPONDING)
    url = feeds_server.serve("/alerts", (200, XML, feeds.rss(feeds.item("l"))))
    polling.poll(make_source(url, incident=incident))
    assert Mention.objects.get().incident == incident


def test_only_posts_with_the_terms(feeds_server):
    body = feeds.rss(feeds.item("k", title="Acme late"), feeds.item("d", title="Weather today"))
    polling.poll(make_source(feeds_server.serve("/alerts", (200, XML, body)), terms="acme"))
    assert list(Mention.objects.values_list("external_id", flat=True)) == ["https://news.example/k"]


# Bad input: each a clear health line, nothing stored.


def failed(source):
    source = reload(source)
    assert source.last_success_at is None
    assert Mention.objects.count() == 0
    assert source.next_poll_at > timekeeper.now()
    return source.last_error


def test_malformed_xml(feeds_server):
    source = make_source(feeds_server.serve("/alerts", (200, XML, feeds.MALFORMED)))
    assert "not well-formed XML" in failed_after_poll(source)


def failed_after_poll(source):
    polling.poll(source)
    return failed(source)


def test_a_feed_beyond_the_size_cap(feeds_server, settings):
    settings.SOURCES_MAX_BYTES = 1024 * 1024
    big = feeds.rss(*[feeds.item(f"n{i}", text="x" * 5000) for i in range(300)])
    assert len(big) > 1024 * 1024
    source = make_source(feeds_server.serve("/big", (200, XML, big)))
    assert "larger than 1024 KB" in failed_after_poll(source)


def test_a_50_mb_feed_is_refused_without_reading_it(feeds_server, settings):
    # Declared 50 MB; what is sent is cut short: the cap refuses it before any of it is read.
    source = make_source(
        feeds_server.serve("/huge", (200, {**XML, "Content-Length": str(50 * 1024 * 1024)}, b""))
    )
    assert "larger than" in failed_after_poll(source)


def test_a_50_mb_feed_without_its_length_stops_at_the_cap(feeds_server):
    # No Content-Length: read until the cap (5 MB by default), then refused.
    huge = b'<?xml version="1.0"?><rss version="2.0"><channel>' + b" " * (50 * 1024 * 1024)
    source = make_source(feeds_server.serve("/huge", (200, {**XML, "Content-Length": ""}, huge)))
    assert "larger than 5120 KB" in failed_after_poll(source)


def test_a_gzip_bomb_stops_at_the_cap(feeds_server, settings):
    settings.SOURCES_MAX_BYTES = 1024 * 1024
    bomb = feeds.gzip_bomb(50 * 1024 * 1024)
    assert len(bomb) < 100 * 1024
    source = make_source(
        feeds_server.serve("/bomb", (200, {**XML, "Content-Encoding": "gzip"}, bomb))
    )
    assert "larger than 1024 KB" in failed_after_poll(source)


def test_a_gzipped_feed_is_read(feeds_server):
    import gzip

    body = gzip.compress(feeds.rss(feeds.item("z")))
    source = make_source(
        feeds_server.serve("/gz", (200, {**XML, "Content-Encoding": "gzip"}, body))
    )
    assert polling.poll(source) == 1


EXTERNAL_ENTITY = (
    b'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss [<!ENTITY secret SYSTEM '
    b'"file:///etc/passwd">]><rss version="2.0"><channel><title>t</title><item><guid>1</guid>'
    b"<link>https://n.example/1</link><title>&secret;</title></item></channel></rss>"
)


@pytest.mark.parametrize(
    "body", [feeds.BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["expansion", "external"]
)
def test_entity_declarations_are_refused(feeds_server, body):
    """Whichever parser would have read the feed: the fast path reads no DTD and hands such a
    feed to the fallback, which refuses it before feedparser sees it."""
    source = make_source(feeds_server.serve("/laughs", (200, XML, body)))
    assert "declares XML entities" in failed_after_poll(source)
    assert not Mention.objects.exists()


def test_an_html_error_page_answered_200(feeds_server):
    source = make_source(
        feeds_server.serve("/alerts", (200, {"Content-Type": "text/html"}, feeds.HTML_ERROR))
    )
    assert "answered with a web page, not an RSS or Atom feed" in failed_after_poll(source)


def test_a_redirect_loop(feeds_server):
    feeds_server.serve("/a", (302, {"Location": "/b"}, b""))
    url = feeds_server.serve("/b", (302, {"Location": "/a"}, b""))
    source = make_source(url)
    assert "Redirect loop" in failed_after_poll(source)


def test_a_redirect_is_followed(feeds_server):
    feeds_server.serve("/new", (200, XML, feeds.rss(feeds.item("moved"))))
    source = make_source(feeds_server.serve("/old", (301, {"Location": "/new"}, b"")))
    assert polling.poll(source) == 1


def test_a_wrong_encoding_declaration_is_read_with_a_notice(feeds_server):
    body = feeds.rss(feeds.item("e", title="Café Acme"), encoding="latin-1", declared="utf-8")
    source = make_source(feeds_server.serve("/enc", (200, XML, body)))
    assert polling.poll(source) == 1
    assert "Café Acme" in Mention.objects.get().text
    source = reload(source)
    assert source.last_error == "" and "encoding" in source.last_notice


def test_a_missing_encoding_is_read(feeds_server):
    body = feeds.rss(feeds.item("m", title="Ärger bei Acme")).replace(b' encoding="utf-8"', b"")
    source = make_source(feeds_server.serve("/noenc", (200, {"Content-Type": "text/xml"}, body)))
    assert polling.poll(source) == 1
    assert "Ärger bei Acme" in Mention.objects.get().text
