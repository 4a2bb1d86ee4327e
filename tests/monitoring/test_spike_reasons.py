"""Spike alerts that say why (monitoring.spike_reasons): the tracking terms that grew most against
the usual hour, and the three posts with the most reach in the spike hour, on the dashboard's
spike box and in the lead's MENTION_SPIKE event (mail, chat, push)."""

import re
from datetime import timedelta
from itertools import groupby

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from crisis.outbound import EventKind
from crisis.outbound.models import ChatChannel, Delivery
from monitoring import panels, spike_reasons, spikes
from responses import reminders
from tests import factories
from tests.monitoring import test_mention_spikes as spike_mentions

NOW = spike_mentions.NOW
RULE = spike_mentions.RULE
HOSTILE = '<script>alert("x")</script>'


def add(texts, **fields):
    """One mention per text, by "fan" unless told (see tests.monitoring.test_mention_spikes.add
    for the rest)."""
    fields.setdefault("author", "fan")
    stored = []
    for text, run in groupby(texts):
        stored += spike_mentions.add(len(list(run)), text=text, **fields)
    return stored


def conversation(incident=None):
    """A usual hour of 4 mentions of acme and 2 of a burn on each past day (half in each clock
    hour the rolling hour overlaps); now 31 of a burn, 20 of a recall, 20 of a refund, and acme
    as usual."""
    for day in range(1, 8):
        for minute in (10, 50):
            add(
                ["#Acme works fine"] * 2 + ["a small burn"],
                days_ago=day,
                minute=minute,
                incident=incident,
            )
    add(["My BURN hurts"] * 31, incident=incident, minute=20)
    add(["a recall?"] * 20 + ["refund now"] * 20, incident=incident, minute=15)
    add(["love #acme"] * 4, incident=incident, minute=5)


def loud_posts(incident=None):
    """Three posts with reach, the top two tied (the newer first), one linked to a web page,
    one with a script for a link and hostile text."""
    add(["quiet one"], incident=incident, reach=10)
    older = add(["older tie"], incident=incident, reach=5000, minute=25, url="https://x.com/a/1")
    newer = add([f"burn {HOSTILE} " + "x" * 300], incident=incident, reach=5000, minute=24)
    add(["third"], incident=incident, reach=700, url="javascript:alert(1)", author=HOSTILE)
    return newer[0], older[0]


def volume_of(incident):
    return spikes.incident_volumes([incident.pk], NOW, RULE)[incident.pk]


@pytest.mark.django_db
def test_the_terms_that_grew_most_are_named_largest_first_ties_by_term(comms):
    incident = factories.make_incident(
        comms, tracking_terms="acme, burn, refund, recall, never said"
    )
    conversation(incident)
    volume = volume_of(incident)
    assert volume.is_spike

    reason = spike_reasons.explain(incident.pk, volume, incident.tracking_terms)

    # acme (4 now, 4 usually) did not grow and "never said" was never said: neither is named.
    assert [(g.term, g.now, g.usual, g.growth) for g in reason.terms] == [
        ("burn", 31, 2, 29),
        ("recall", 20, 0, 20),
        ("refund", 20, 0, 20),
    ]


@pytest.mark.django_db
def test_only_three_terms_are_named(comms):
    incident = factories.make_incident(comms, tracking_terms="burn, refund, recall, acme")
    conversation(incident)
    add(["acme acme"] * 10, incident=incident)

    reason = spike_reasons.explain(incident.pk, volume_of(incident), incident.tracking_terms)

    assert [g.term for g in reason.terms] == ["burn", "recall", "refund"]


@pytest.mark.django_db
def test_the_three_posts_with_most_reach_in_the_spike_hour(comms):
    incident = factories.make_incident(comms, tracking_terms="burn")
    conversation(incident)
    newer, older = loud_posts(incident)
    add(["yesterday's star"], days_ago=1, incident=incident, reach=10**6)
    other = factories.make_incident(comms, title="Other")
    add(["elsewhere"], incident=other, reach=10**7)

    reason = spike_reasons.explain(incident.pk, volume_of(incident), incident.tracking_terms)

    assert [p["pk"] for p in reason.posts][:2] == [newer.pk, older.pk]
    assert [p["reach"] for p in reason.posts] == [5000, 5000, 700]
    first, second, third = reason.posts
    assert first["quote"].endswith("…") and len(first["quote"]) == spike_reasons.QUOTE_CHARS
    assert (second["link"], third["link"]) == ("https://x.com/a/1", "")


@pytest.mark.django_db
def test_a_sampled_window_scales_its_terms_and_still_finds_the_top_posts(
    comms, monkeypatch, django_assert_num_queries
):
    incident = factories.make_incident(comms, tracking_terms="burn, refund, recall")
    conversation(incident)
    star = add(["early star"], incident=incident, reach=9000, minute=29)[0]
    volume = volume_of(incident)

    with django_assert_num_queries(1):
        whole = spike_reasons.explain(incident.pk, volume, incident.tracking_terms)
    # Only the latest 10 of the hour's mentions are read: 4 of acme, then 6 of the 40 at :15
    # (ids descending: refunds); scaled to the hour's 76.
    monkeypatch.setattr(spike_reasons, "SAMPLE", 10)
    with django_assert_num_queries(1):
        sampled = spike_reasons.explain(incident.pk, volume, incident.tracking_terms)

    assert whole.posts[0]["pk"] == sampled.posts[0]["pk"] == star.pk
    assert [(g.term, g.now) for g in sampled.terms] == [("refund", round(6 * 76 / 10))]


@pytest.mark.django_db
def test_the_top_posts_are_looked_for_along_the_reach_index_only_so_far(comms, monkeypatch):
    """The top posts come from the conversation's REACH_WALK highest reach (whatever their time)
    and the window's latest SAMPLE: a busy hour is never sorted whole. Yesterday's two stars fill
    a walk of 2, so the hour's loud post is found only while the sample still holds it."""
    incident = factories.make_incident(comms, tracking_terms="burn")
    conversation(incident)
    add(["yesterday's star"] * 2, days_ago=1, incident=incident, reach=10**6)
    loud = add(["loud but early"], incident=incident, reach=9000, minute=29)[0]
    volume = volume_of(incident)
    monkeypatch.setattr(spike_reasons, "REACH_WALK", 2)

    found = spike_reasons.explain(incident.pk, volume, incident.tracking_terms)
    assert found.posts[0]["pk"] == loud.pk  # in the latest SAMPLE (all 76 of the hour)

    monkeypatch.setattr(spike_reasons, "SAMPLE", 10)  # the latest 10: the loud post is older
    missed = spike_reasons.explain(incident.pk, volume, incident.tracking_terms)
    assert loud.pk not in [post["pk"] for post in missed.posts]
    assert all(post["reach"] < 9000 for post in missed.posts)

    monkeypatch.setattr(spike_reasons, "REACH_WALK", 3)  # the walk reaches it again
    again = spike_reasons.explain(incident.pk, volume, incident.tracking_terms)
    assert again.posts[0]["pk"] == loud.pk


@pytest.mark.django_db
def test_without_terms_the_hashtags_that_grew_are_named():
    conversation()  # the inbox
    add(["#BurnCream again"] * 12, minute=3)

    volume = spikes.inbox_volume(NOW, RULE)
    reason = spike_reasons.explain(None, volume)

    assert [(g.term, g.growth) for g in reason.terms] == [("#burncream", 12)]


def test_the_text_names_the_terms_and_the_posts():
    reason = spike_reasons.SpikeReason(
        (spike_reasons.TermGrowth("burn", 31, 1),),
        (
            {
                "author": "@x",
                "platform_label": "X",
                "reach": 120000,
                "quote": "it burns",
                "link": "https://x.com/1",
            },
        ),
    )
    assert spike_reasons.describe(reason) == (
        "Most growth in “burn” (+30).\nMost-seen posts in the spike hour:\n"
        "- @x on X (120,000 reach): “it burns” https://x.com/1"
    )
    assert spike_reasons.describe(spike_reasons.SpikeReason((), ())) == ""


@pytest.mark.django_db
def test_the_dashboard_says_why_escaping_the_posts_in_the_same_queries(
    client_as, viewer, comms, django_assert_max_num_queries
):
    incident = factories.make_incident(comms, title="Burns", tracking_terms="burn, refund")
    conversation(incident)
    loud_posts(incident)
    client = client_as(viewer)
    url = reverse("monitoring:dashboard-spikes")

    asked = []
    for more in (0, 200):
        add(["refund"] * more, incident=incident, minute=12)
        add(["refund"] * more, incident=incident, days_ago=2)
        with time_machine.travel(NOW, tick=False):
            client.get(url)  # the session is renewed once after a jump in time; not counted
            with django_assert_max_num_queries(12) as queries:
                response = client.get(url)
        asked.append(len(queries))

    assert asked[0] == asked[1]
    html = response.content.decode()
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    assert 'href="https://x.com/a/1"' in html
    text = " ".join(re.sub(r"<[^>]+>", "", factories.page_text(response)).split())
    assert "Most growth in “refund” (+191), “burn” (+30)." in text
    assert "reach 5,000" in text


@pytest.mark.django_db
def test_the_lead_s_spike_event_says_why_to_mail_and_chat(settings):
    lead = factories.make_comms("lena", email="lena@example.com")
    incident = factories.make_incident(
        lead, lead=lead, tracking_terms="burn", detected_at=NOW - timedelta(days=1)
    )
    factories.make_update(incident, kind="public")  # no deadline reminders in the way
    ChatChannel.objects.create(
        name="Room",
        kind=ChatChannel.Kind.SLACK,
        url="http://127.0.0.1:9/hook",
        events=[EventKind.MENTION_SPIKE],
        severities=["1", "2", "3", "4"],
    )
    conversation(incident)
    loud_posts(incident)

    with time_machine.travel(NOW, tick=False):
        (spike,) = [r for r in reminders.due_reminders() if r.key.startswith("spike")]
        call_command("send_reminders", stdout=None)

    assert spike.subject.endswith("Mention spike: 79 in the last hour, most growth in “burn”")
    assert "Most growth in “burn” (+30)." in spike.body
    assert "- fan on X (5,000 reach): “older tie” https://x.com/a/1" in spike.body
    assert "on X (700 reach): “third”\n" in spike.body  # the script is no link
    texts = list(Delivery.objects.filter(event=EventKind.MENTION_SPIKE).values_list("text"))
    assert texts and all("Most growth in “burn” (+30)." in t for (t,) in texts)


@pytest.mark.django_db
def test_the_dashboard_explains_only_the_first_spikes(client_as, viewer, comms, monkeypatch):
    monkeypatch.setattr(panels, "EXPLAINED_SPIKES", 1)
    incident = factories.make_incident(comms, title="Burns", tracking_terms="burn")
    conversation(incident)
    conversation()  # the inbox spikes too, shown after the incidents
    add(["#BurnCream"] * 5, minute=3)

    with time_machine.travel(NOW, tick=False):
        html = client_as(viewer).get(reverse("monitoring:dashboard-spikes")).content.decode()

    first, second = html.split('data-testid="spike"')[1:]
    assert "burn" in first and 'data-testid="spike-terms"' in first
    assert "The inbox" in second and "spike-terms" not in second and "spike-posts" not in second
