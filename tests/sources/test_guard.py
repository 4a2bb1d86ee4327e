"""A source's address cannot reach internal services: only http(s), only public addresses,
checked at every redirect, unless an admin allowed the host."""

import pytest

from monitoring.models import Mention
from sources import polling
from sources.models import AllowedHost, Source
from tests.sources import feeds
from tests.sources.conftest import make_source, reload
from tests.sources.servers import FakeMastodonTags, FeedServer, status

XML = {"Content-Type": "application/rss+xml"}
pytestmark = pytest.mark.django_db


def error_after_poll(source):
    polling.poll(source)
    source = reload(source)
    assert Mention.objects.count() == 0
    return source.last_error


def test_loopback_is_refused_unless_an_admin_allowed_it():
    with FeedServer() as server:
        url = server.serve("/alerts", (200, XML, feeds.rss(feeds.item("a"))))
        source = make_source(url)
        error = error_after_poll(source)
        assert "resolves to 127.0.0.1" in error and "Allowed hosts" in error
        assert server.requests == []  # refused before any connection
        AllowedHost.objects.create(host="127.0.0.1")
        assert polling.poll(reload(source)) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/feed",
        "http://192.168.1.1/rss",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/feed",
        "http://0.0.0.0/",
    ],
)
def test_private_and_link_local_addresses_are_refused(url):
    assert "private, loopback or link-local" in error_after_poll(make_source(url))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://feeds.example/rss", "gopher://x/"])
def test_other_schemes_are_refused(url):
    assert "only http and https" in error_after_poll(make_source(url))


def test_a_redirect_to_loopback_is_refused(allow_local):
    with FeedServer() as server:
        server.serve("/inside", (200, XML, feeds.rss(feeds.item("secret"))))
        # 127.0.0.1 is allowed; "localhost" is the same machine by another name, not allowed.
        url = server.serve(
            "/alerts", (302, {"Location": f"http://localhost:{server.port}/inside"}, b"")
        )
        assert "resolves to" in error_after_poll(make_source(url))
        assert [path for path, _headers in server.requests] == ["/alerts"]


def test_a_redirect_to_another_scheme_is_refused(allow_local):
    with FeedServer() as server:
        url = server.serve("/alerts", (302, {"Location": "file:///etc/passwd"}, b""))
        assert "only http and https" in error_after_poll(make_source(url))


def test_a_mastodon_instance_on_loopback_is_refused_unless_allowed():
    with FakeMastodonTags() as server:
        server.statuses.append(status(1))
        source = make_source(server.url, kind=Source.Kind.MASTODON, query="acme")
        assert "resolves to 127.0.0.1" in error_after_poll(source)
        assert server.requests == []


def test_the_setting_allows_a_host(settings):
    settings.SOURCES_ALLOWED_HOSTS = ["127.0.0.1"]
    with FeedServer() as server:
        url = server.serve("/alerts", (200, XML, feeds.rss(feeds.item("a"))))
        assert polling.poll(make_source(url)) == 1
