import pytest

from sources.models import AllowedHost, Source
from tests.sources.servers import FakeBlueskySearch, FakeMastodonTags, FeedServer


@pytest.fixture
def allow_local(db):
    """This machine is allowed, as an admin would allow an intranet host: the servers of the
    tests run on 127.0.0.1 (tests/sources/test_guard.py shows it refused otherwise)."""
    return AllowedHost.objects.create(host="127.0.0.1", note="tests")


@pytest.fixture
def feeds_server(allow_local):
    with FeedServer() as server:
        yield server


@pytest.fixture
def mastodon(allow_local):
    with FakeMastodonTags() as server:
        yield server


@pytest.fixture
def bluesky(allow_local):
    with FakeBlueskySearch() as server:
        yield server


def make_source(url, kind=Source.Kind.FEED, **fields):
    fields.setdefault("name", f"{kind} source")
    return Source.objects.create(kind=kind, url=url, **fields)


def reload(source):
    return Source.objects.get(pk=source.pk)
