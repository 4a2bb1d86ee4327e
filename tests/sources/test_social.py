"""A Mastodon hashtag and a Bluesky search polled through Mastodon.py and atproto against local
servers answering as the platforms' documentation says."""

from datetime import UTC, datetime, timedelta

import pytest

from crisis import timekeeper
from monitoring.models import Mention
from sources import polling
from sources.models import Source
from tests.connectors.servers import Fault
from tests.sources.conftest import make_source, reload
from tests.sources.servers import FakeBlueskySearch, post_view, status

pytestmark = pytest.mark.django_db
TAG = "/api/v1/timelines/tag/acme"


def test_mastodon_first_poll_then_only_what_is_new(mastodon):
    mastodon.statuses += [status(101), status(102)]
    source = make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme")
    assert polling.poll(source) == 2
    source = reload(source)
    assert source.cursor == "102"
    mention = Mention.objects.get(external_id="https://mastodon.example/users/fan/statuses/101")
    assert mention.platform == "mastodon"
    assert mention.text == "Where is my order? #acme"
    assert (mention.author, mention.reach) == ("fan@mastodon.example", 120)
    assert mention.posted_at == datetime(2026, 12, 7, 10, tzinfo=UTC)
    mastodon.statuses.append(status(103))
    assert polling.poll(source) == 1
    asked = mastodon.sent("GET", TAG)
    assert "since_id" not in asked[0].query and "min_id" not in asked[0].query
    assert asked[1].query["min_id"] == "102" and "since_id" not in asked[1].query
    assert reload(source).cursor == "103"


def test_mastodon_first_poll_starts_at_the_newest_page(mastodon):
    mastodon.statuses += [status(n) for n in range(1, 101)]
    source = make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme")
    assert polling.poll(source) == 40  # the newest page; the history before is not walked
    source = reload(source)
    assert source.cursor == "100" and source.next_poll_at > timekeeper.now() + timedelta(minutes=1)
    assert len(mastodon.sent("GET", TAG)) == 1


def test_mastodon_walks_up_through_a_burst_none_lost_none_twice(mastodon, settings):
    settings.SOURCES_MASTODON_PAGES = 2
    mastodon.statuses.append(status(1000))
    source = make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme", interval_minutes=15)
    assert polling.poll(source) == 1
    # A burst of 130 between two polls: more than three pages of 40.
    mastodon.statuses += [status(n) for n in range(1001, 1131)]
    now = timekeeper.now()
    assert polling.poll(reload(source), now=now) == 80  # two full pages, oldest first
    source = reload(source)
    assert source.cursor == "1080"
    # More is waiting: the next poll comes after SOURCES_BURST_DELAY, not the interval.
    assert source.next_poll_at == now + timedelta(seconds=settings.SOURCES_BURST_DELAY)
    assert "burst" in source.last_notice
    assert polling.poll(source) == 50  # a full page, then a short one: the burst is read
    source = reload(source)
    assert source.cursor == "1130" and "burst" not in source.last_notice
    assert source.next_poll_at > timekeeper.now() + timedelta(minutes=14)
    assert polling.poll(source) == 0
    stored = sorted(
        int(uri.rsplit("/", 1)[1]) for uri in Mention.objects.values_list("external_id", flat=True)
    )
    assert stored == list(range(1000, 1131))  # every post, none twice
    asked = [r.query.get("min_id") for r in mastodon.sent("GET", TAG)]
    assert asked == [None, "1000", "1040", "1080", "1120", "1130"]


def test_mastodon_since_id_would_have_lost_the_burst(mastodon):
    """What the walk mends: the stand-in answers since_id as Mastodon does, newest page only."""
    mastodon.statuses += [status(n) for n in range(1, 131)]
    from mastodon import Mastodon

    newest = Mastodon(api_base_url=mastodon.url, version_check_mode="none").timeline_hashtag(
        "acme", since_id="0", limit=40
    )
    assert min(int(s["id"]) for s in newest) == 91  # posts 1 to 90 skipped


def test_mastodon_same_post_from_two_instances_is_stored_once(mastodon):
    mastodon.statuses.append(status(5))
    one = make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme", name="One")
    two = make_source(mastodon.url + "/", kind=Source.Kind.MASTODON, query="acme", name="Two")
    assert polling.poll(one) == 1
    assert polling.poll(two) == 0
    assert Mention.objects.count() == 1


def test_mastodon_429_with_retry_after(mastodon):
    mastodon.fail_next(TAG, Fault(429, headers={"Retry-After": "120"}, error="Too many"))
    source = make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme", interval_minutes=1)
    now = timekeeper.now()
    polling.poll(source, now=now)
    source = reload(source)
    assert "429" in source.last_error
    assert source.next_poll_at == now + timedelta(seconds=120)
    assert source.cursor == ""


def test_mastodon_script_in_a_post_is_text(mastodon):
    mastodon.statuses.append(status(9, text="<p>Acme <script>alert(1)</script>&lt;b&gt;</p>"))
    polling.poll(make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme"))
    assert Mention.objects.get().text == "Acme alert(1)<b>"


def test_mastodon_future_date_is_clamped(mastodon):
    mastodon.statuses.append(status(9, created="2031-01-01T00:00:00.000Z"))
    now = timekeeper.now()
    polling.poll(make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme"), now=now)
    assert Mention.objects.get().posted_at <= now


def test_mastodon_server_error_is_the_health_line(mastodon):
    mastodon.fail_next(TAG, Fault(502, error="Bad gateway"))
    source = make_source(mastodon.url, kind=Source.Kind.MASTODON, query="acme")
    polling.poll(source)
    source = reload(source)
    assert "server error" in source.last_error and source.failures == 1


def test_bluesky_search_follows_the_cursor_and_keeps_since(bluesky):
    bluesky.pages = {
        "": ([post_view(1, created="2026-12-07T10:05:00.000Z")], "page2"),
        "page2": ([post_view(2, created="2026-12-07T10:00:00.000Z")], None),
    }
    source = make_source(bluesky.url, kind=Source.Kind.BLUESKY, query="acme late")
    assert polling.poll(source) == 2
    asked = [r.query for r in bluesky.sent("GET", FakeBlueskySearch.SEARCH)]
    assert asked[0]["q"] == "acme late" and "cursor" not in asked[0]
    assert asked[1]["cursor"] == "page2"
    source = reload(source)
    assert (source.cursor, source.since) == ("", "2026-12-07T10:05:00.000Z")
    mention = Mention.objects.get(external_id__endswith="3kfan00001")
    assert mention.platform == "bluesky"
    assert mention.url == "https://bsky.app/profile/fan.bsky.example/post/3kfan00001"
    polling.poll(source)
    assert bluesky.sent("GET", FakeBlueskySearch.SEARCH)[-1].query["since"] == (
        "2026-12-07T10:05:00.000Z"
    )


def test_bluesky_unfinished_search_continues_next_poll(bluesky, settings):
    settings.SOURCES_BLUESKY_PAGES = 1
    bluesky.pages = {"": ([post_view(1)], "page2"), "page2": ([post_view(2)], None)}
    source = make_source(bluesky.url, kind=Source.Kind.BLUESKY, query="acme")
    now = timekeeper.now()
    assert polling.poll(source, now=now) == 1
    source = reload(source)
    assert source.cursor == "page2"
    # A burst: the next poll comes after SOURCES_BURST_DELAY, not the interval.
    assert source.next_poll_at == now + timedelta(seconds=settings.SOURCES_BURST_DELAY)
    assert "burst" in source.last_notice
    assert polling.poll(reload(source)) == 1
    assert bluesky.sent("GET", FakeBlueskySearch.SEARCH)[-1].query["cursor"] == "page2"
    source = reload(source)
    assert source.cursor == "" and "burst" not in source.last_notice
    assert source.next_poll_at >= timekeeper.now() + timedelta(minutes=14)


def test_bluesky_signs_in_with_the_app_password_stored_encrypted(allow_local):
    with FakeBlueskySearch(signed_in=True) as server:
        server.pages = {"": ([post_view(1)], None)}
        source = make_source(server.url, kind=Source.Kind.BLUESKY, query="acme")
        polling.poll(source)
        source = reload(source)
        assert "sign-in" in source.last_error and "401" in source.last_error
        source.handle = server.handle
        source.set_secret(server.password)
        source.save()
        assert server.password not in Source.objects.values_list("secret_encrypted", flat=True)[0]
        assert polling.poll(reload(source)) == 1
        assert server.sent("POST", server.SESSION)


def test_bluesky_429_with_retry_after(bluesky):
    bluesky.fail_next(FakeBlueskySearch.SEARCH, Fault(429, headers={"Retry-After": "90"}))
    source = make_source(bluesky.url, kind=Source.Kind.BLUESKY, query="acme", interval_minutes=1)
    now = timekeeper.now()
    polling.poll(source, now=now)
    source = reload(source)
    assert "429" in source.last_error
    assert source.next_poll_at == now + timedelta(seconds=90)
