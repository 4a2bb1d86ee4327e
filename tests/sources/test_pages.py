"""The Sources page: read by everyone signed in, kept by Comms and Managers; and the journey of
the issue: a comms person adds a feed, a hashtag and a search, and what they bring reaches the
inbox and the linked incident."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from incidents.models import Incident
from monitoring.models import Mention
from sources.models import Source
from tests import factories
from tests.sources import feeds
from tests.sources.conftest import make_source, reload
from tests.sources.servers import post_view, status

pytestmark = pytest.mark.django_db
LIST = "/sources/"


def once(client, url):
    """The one-time key of the form at ``url``."""
    page = client.get(url).content.decode()
    return re.search(r'name="once_token" value="([^"]+)"', page).group(1)


def add(client, **data):
    url = reverse("sources:add")
    fields = {"kind": "feed", "interval_minutes": 15, "is_active": "on", **data}
    return client.post(url, {**fields, "once_token": once(client, url)})


def test_comms_adds_a_feed_a_hashtag_and_a_search_and_the_mentions_arrive(
    client, comms, feeds_server, mastodon, bluesky
):
    incident = factories.make_incident(comms, status=Incident.Status.RESPONDING)
    feed = feeds_server.serve(
        "/alerts", (200, {"Content-Type": "application/rss+xml"}, feeds.rss(feeds.item("f1")))
    )
    mastodon.statuses.append(status(11))
    bluesky.pages = {"": ([post_view(1, text="Acme late again, #latefail")], None)}
    client.force_login(comms)
    assert add(client, name="Google Alerts", url=feed).status_code == 302
    answer = add(
        client,
        kind="mastodon",
        name="#acme",
        url=mastodon.url,
        query="#acme",
        incident=incident.pk,
    )
    assert answer.status_code == 302
    assert add(client, kind="bluesky", name="Bluesky", url=bluesky.url, query="acme late")
    assert Source.objects.count() == 3
    assert Source.objects.get(kind="mastodon").query == "acme"
    said = io.StringIO()
    call_command("poll_sources", stdout=said)
    assert "Polled 3 source(s)." in said.getvalue()
    inbox = client.get(reverse("monitoring:inbox")).content.decode()
    assert "Acme orders late again" in inbox  # the feed's item waits in the inbox
    assert "Acme late again, #latefail" in inbox
    linked = Mention.objects.get(platform="mastodon")
    assert linked.incident == incident
    page = client.get(reverse("monitoring:mentions", args=[incident.reference])).content.decode()
    assert "Where is my order?" in page
    listing = client.get(LIST).content.decode()
    assert listing.count("Mentions brought in") == 3
    assert "None" in listing  # no last error


def test_viewer_reads_the_page_without_its_buttons(client, viewer):
    make_source("https://feeds.invalid/a", name="Alerts <b>Acme</b>", last_error="Boom <i>x</i>")
    client.force_login(viewer)
    page = client.get(LIST).content.decode()
    assert "Alerts &lt;b&gt;Acme&lt;/b&gt;" in page
    assert "Boom &lt;i&gt;x&lt;/i&gt;" in page
    assert "Add a source" not in page and "Poll now" not in page and "Delete" not in page
    assert client.post(reverse("sources:add"), {}).status_code == 403


def test_comms_sees_the_buttons(client, comms):
    make_source("https://feeds.invalid/a")
    client.force_login(comms)
    page = client.get(LIST).content.decode()
    assert "Add a source" in page and "Poll now" in page and "Pause" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "mastodon", "query": "no spaces"}, "query", "Enter the hashtag"),
        ({"kind": "bluesky", "query": ""}, "query", "Enter what to search Bluesky for"),
        ({"kind": "feed", "secret": "pw"}, "secret", "Only a Bluesky search"),
        ({"kind": "bluesky", "query": "x", "secret": "pw"}, "handle", "signs in with its handle"),
        ({"url": "file:///etc/passwd"}, "url", "Enter a valid URL"),
        ({"interval_minutes": 0}, "interval_minutes", "greater than or equal to 1"),
    ],
)
def test_bad_input_is_said_by_its_field_and_kept(client, comms, data, field, message):
    client.force_login(comms)
    answer = add(client, **{"name": "Typed name", "url": "https://feeds.invalid/x", **data})
    assert answer.status_code == 200
    assert message in str(answer.context["form"].errors[field])
    assert "Typed name" in answer.content.decode()
    assert Source.objects.count() == 0


def test_a_double_submission_adds_once(client, comms):
    client.force_login(comms)
    url = reverse("sources:add")
    data = {
        "kind": "feed",
        "name": "Alerts",
        "url": "https://feeds.invalid/a",
        "interval_minutes": 15,
        "once_token": once(client, url),
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Source.objects.count() == 1


def test_the_app_password_is_stored_encrypted_and_never_shown(client, comms):
    client.force_login(comms)
    add(
        client,
        kind="bluesky",
        name="Search",
        url="https://bsky.invalid",
        query="acme",
        handle="acme.bsky.social",
        secret="abcd-efgh-ijkl-mnop",
    )
    source = Source.objects.get()
    assert "abcd-efgh" not in source.secret_encrypted
    assert source.secret() == "abcd-efgh-ijkl-mnop"
    page = client.get(reverse("sources:edit", args=[source.pk])).content.decode()
    assert "abcd-efgh" not in page


def test_the_stored_app_password_can_be_forgotten_and_only_then_is_offered(client, comms):
    client.force_login(comms)
    assert "forget_secret" not in client.get(reverse("sources:add")).content.decode()
    source = make_source("https://bsky.invalid", kind="bluesky", query="acme", handle="a.b.c")
    edit = reverse("sources:edit", args=[source.pk])
    assert "forget_secret" not in client.get(edit).content.decode()  # none stored
    source.set_secret("abcd-efgh-ijkl-mnop")
    source.save()
    page = client.get(edit).content.decode()
    assert "Forget the stored app password" in page
    assert "An app password is stored now." in page
    data = {"kind": "bluesky", "name": "S", "url": source.url, "query": "acme", "handle": "a.b.c"}
    answer = client.post(edit, {**data, "interval_minutes": 5, "version": 1, "forget_secret": "on"})
    assert answer.status_code == 302
    assert reload(source).secret() == ""


def test_a_stale_edit_is_refused_and_the_typing_kept(client, comms, manager):
    source = make_source("https://feeds.invalid/a", name="Alerts", created_by=comms)
    client.force_login(comms)
    url = reverse("sources:edit", args=[source.pk])
    client.get(url)
    source.set_active(False, by=manager)  # someone else saved meanwhile (version 2)
    data = {"kind": "feed", "name": "Renamed", "url": source.url, "interval_minutes": 5}
    answer = client.post(url, {**data, "version": 1})
    assert answer.status_code == 200
    assert "Someone else saved this source" in answer.content.decode()
    assert reload(source).name == "Alerts"
    assert client.post(url, {**data, "version": 2}).status_code == 302
    source = reload(source)
    assert (source.name, source.interval_minutes, source.version) == ("Renamed", 5, 3)
    assert source.history.first().history_user == comms


def test_a_changed_address_starts_its_cursors_over(client, comms):
    source = make_source("https://feeds.invalid/a", etag='"v1"', cursor="9")
    client.force_login(comms)
    data = {"kind": "feed", "name": "A", "url": "https://feeds.invalid/b", "interval_minutes": 5}
    client.post(reverse("sources:edit", args=[source.pk]), {**data, "version": 1})
    assert (reload(source).etag, reload(source).cursor) == ("", "")


def test_pause_resume_poll_now_and_delete(client, comms):
    source = make_source("https://feeds.invalid/a", name="Alerts")
    client.force_login(comms)
    client.post(reverse("sources:pause", args=[source.pk]))
    assert reload(source).is_active is False
    answer = client.post(reverse("sources:poll", args=[source.pk]), follow=True)
    assert "is paused: resume it first" in answer.content.decode()
    assert reload(source).next_poll_at is None  # refused: not made due
    client.post(reverse("sources:pause", args=[source.pk]))
    assert reload(source).is_active is True
    client.post(reverse("sources:poll", args=[source.pk]))
    assert Source.objects.due(reload(source).next_poll_at).filter(pk=source.pk).exists()
    factories.make_mention(source=source.mention_source)
    client.post(reverse("sources:delete", args=[source.pk]))
    assert not Source.objects.exists()
    assert Mention.objects.filter(source=f"source:{source.pk}").count() == 1


def test_paused_sources_are_not_polled(feeds_server):
    url = feeds_server.serve("/a", (200, {}, feeds.rss(feeds.item("p"))))
    make_source(url, is_active=False)
    call_command("poll_sources", "--all", stdout=io.StringIO())
    assert feeds_server.requests == []


def test_the_list_queries_do_not_grow_with_sources(client, viewer, django_assert_max_num_queries):
    incident = factories.make_incident()
    for n in range(3):
        make_source(f"https://feeds.invalid/{n}", incident=incident)
    client.force_login(viewer)
    client.get(LIST)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    for n in range(10):
        make_source(f"https://feeds.invalid/more{n}", incident=incident)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST)


def test_a_paused_source_refuses_to_be_polled_by_the_command(feeds_server):
    url = feeds_server.serve("/a", (200, {}, feeds.rss(feeds.item("p"))))
    paused = make_source(url, name="Alerts", is_active=False)
    assert paused.poll_refusal() == "“Alerts” is paused: resume it first."
    with pytest.raises(CommandError, match="is paused: resume it first"):
        call_command("poll_sources", "--source", str(paused.pk), stdout=io.StringIO())
    assert feeds_server.requests == [] and reload(paused).last_polled_at is None
    active = make_source(url, name="Active")
    assert active.poll_refusal() is None
    said = io.StringIO()
    call_command("poll_sources", "--source", str(active.pk), stdout=said)
    assert "Active: 1 new" in said.getvalue()
