"""Done when (issue 22): a comms person adds a feed, a hashtag and a search on the Sources page,
and the mentions they bring appear in the inbox and on the linked incident."""

import io

from django.core.management import call_command
from playwright.sync_api import expect

from incidents.models import Incident
from sources.models import AllowedHost
from tests import factories
from tests.sources import feeds
from tests.sources.servers import (
    FakeBlueskySearch,
    FakeMastodonTags,
    FeedServer,
    post_view,
    status,
)


def add_source(page, url, *, kind, name, address, query="", incident=None):
    page.goto(f"{url}/sources/add/")
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Address").fill(address)
    if query:
        page.get_by_label("Hashtag or search").fill(query)
    if incident:
        page.get_by_label("Incident").select_option(label=incident)
    page.get_by_role("button", name="Add the source").click()
    expect(page.get_by_text(f"Added “{name}”")).to_be_visible()


def test_comms_adds_three_sources_and_their_mentions_arrive(page, live_server, sign_in):
    comms = factories.make_comms()
    incident = factories.make_incident(comms, status=Incident.Status.RESPONDING)
    AllowedHost.objects.create(host="127.0.0.1", note="the test's servers")
    with FeedServer() as feed, FakeMastodonTags() as mastodon, FakeBlueskySearch() as bluesky:
        url = feed.serve(
            "/alerts", (200, {"Content-Type": "application/rss+xml"}, feeds.rss(feeds.item("e")))
        )
        mastodon.statuses.append(status(7))
        bluesky.pages = {"": ([post_view(1, text="Acme lost my parcel")], None)}
        sign_in(page, comms)
        add_source(page, live_server.url, kind="RSS or Atom feed", name="Alerts", address=url)
        add_source(
            page,
            live_server.url,
            kind="Mastodon hashtag",
            name="Hashtag",
            address=mastodon.url,
            query="acme",
            incident=str(incident),
        )
        add_source(
            page,
            live_server.url,
            kind="Bluesky search",
            name="Search",
            address=bluesky.url,
            query="acme",
        )
        call_command("poll_sources", stdout=io.StringIO())
    page.goto(f"{live_server.url}/sources/")
    expect(page.get_by_text("Mentions brought in")).to_have_count(3)
    page.goto(f"{live_server.url}/mentions/inbox/")
    expect(page.get_by_text("Acme orders late again").first).to_be_visible()
    expect(page.get_by_text("Acme lost my parcel").first).to_be_visible()
    page.goto(f"{live_server.url}{incident.get_absolute_url()}mentions/")
    expect(page.get_by_text("Where is my order?").first).to_be_visible()


def test_the_sources_pages_fit_a_phone(page, live_server, sign_in):
    from sources.models import Source

    comms = factories.make_comms()
    Source.objects.create(
        name="Alerts for a very long company name and its many products",
        url="https://alerts.example/feeds/" + "a" * 120,
        last_error="The server answered 503 Service Unavailable for https://alerts.example/"
        + "b" * 120,
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, comms)
    for path in ("/sources/", "/sources/add/"):
        page.goto(live_server.url + path)
        wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wider <= 0, f"{path} is {wider} px wider than a phone"
