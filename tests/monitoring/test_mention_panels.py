"""An incident's mentions on its page (the chart per hour by sentiment with its table, the top
by reach, the latest), its page of every linked mention, and the dashboard's spikes: what they
show, that they refresh alone, and that their queries do not grow with the mentions."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from monitoring import triage
from tests import factories
from tests.factories import make_mention, page_text

NOW = datetime(2026, 3, 14, 12, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def incident(comms):
    return factories.make_incident(comms)


def at(hours_ago, minutes=0):
    return NOW.replace(minute=10) - timedelta(hours=hours_ago, minutes=minutes)


def test_the_incident_page_charts_mentions_per_hour_by_sentiment_with_a_table(
    client_as, viewer, incident
):
    make_mention(incident, posted_at=at(3), sentiment_label="negative", sentiment_score=-0.7)
    make_mention(incident, posted_at=at(3), sentiment_label="negative", sentiment_score=-0.2)
    make_mention(incident, posted_at=at(3), sentiment_label="neutral")
    make_mention(incident, posted_at=at(0), sentiment_label="positive", sentiment_score=0.6)
    make_mention(incident, posted_at=at(30), sentiment_label="negative")  # before the chart
    make_mention(posted_at=at(0))  # in the inbox, not the incident's

    response = client_as(viewer).get(incident.get_absolute_url())

    html = response.content.decode()
    section = html[
        html.index('id="mentions"') : html.index("</section>", html.index('id="mentions"'))
    ]
    assert 'role="img"' in section and "<svg" in section
    # One bar per sentiment and hour that has mentions, each named in words.
    assert re.findall(r"<title>([^<]+)</title></rect>", section) == [
        "09:00: 2 negative",
        "09:00: 1 neutral",
        "12:00: 1 positive",
    ]
    rows = re.findall(r'<tr><th scope="row"><time[^>]*>([^<]+)</time></th>(.*?)</tr>', section)
    cells = {hour: re.findall(r">([0-9,]+)</td>", body) for hour, body in rows}
    assert cells == {"12:00": ["0", "0", "1", "1"], "09:00": ["2", "1", "0", "3"]}
    assert "(4 in all)" in page_text(response)
    # Sentiments differ by pattern: each bar is filled with one the chart defines.
    chart = section[section.index("<svg") : section.index("</svg>")]
    fills = re.findall(
        r'<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="url\(#([^)]+)\)"', chart
    )
    assert fills == ["mention-chart-negative", "mention-chart-neutral", "mention-chart-positive"]
    assert set(fills) <= set(re.findall(r'<pattern id="([^"]+)"', chart))
    # Strict CSP: no inline style or script in what the panel draws.
    assert "style=" not in section and "<script" not in section


def test_the_chart_stacks_negative_at_the_bottom_in_proportion(incident):
    series = [
        (NOW, {"negative": 2, "neutral": 2}),
        (NOW + timedelta(hours=1), {"positive": 1}),
    ]

    chart = triage.chart(series, width=100, height=100)

    negative, neutral, positive = chart["bars"]
    assert (negative.sentiment, negative.y, negative.height) == ("negative", 50.0, 50.0)
    assert (neutral.sentiment, neutral.y, neutral.height) == ("neutral", 0.0, 50.0)
    assert (positive.sentiment, positive.height) == ("positive", 25.0)
    assert chart["max"] == 4 and chart["total"] == 5


def test_the_panel_shows_the_top_by_reach_and_the_latest(client_as, viewer, incident):
    make_mention(incident, text="small but new", reach=5, posted_at=at(0))
    make_mention(incident, text="huge and old", reach=90_000, posted_at=at(5))
    make_mention(incident, text="medium", reach=700, posted_at=at(2))

    context = client_as(viewer).get(incident.get_absolute_url()).context

    panel = context["panels"]["main"]
    html = next(p for p in panel if 'id="mentions"' in p)
    top = html[html.index("Top by reach") : html.index(">Latest<")]
    latest = html[html.index(">Latest<") :]
    assert top.index("huge and old") < top.index("medium") < top.index("small but new")
    assert latest.index("small but new") < latest.index("medium") < latest.index("huge and old")


@pytest.mark.parametrize("count", [1, 40])
def test_the_incident_page_queries_do_not_grow_with_mentions(
    count, client_as, manager, incident, django_assert_max_num_queries
):
    for n in range(count):
        make_mention(incident, posted_at=at(n % 30), reach=n, sentiment_label="negative")
    client = client_as(manager)

    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(incident.get_absolute_url())

    in_chart = sum(1 for n in range(count) if n % 30 < 24)
    assert f"({in_chart} in all)" in page_text(response)


def test_the_panel_refreshes_alone(client_as, viewer, incident):
    make_mention(incident, posted_at=at(0))
    url = reverse("monitoring:mentions-panel", args=[incident.reference])

    response = client_as(viewer).get(url)

    html = response.content.decode()
    assert 'id="mentions"' in html and f'data-refresh-url="{url}"' in html
    assert "<html" not in html
    assert "no-store" in response["Cache-Control"]


def test_the_incident_mentions_page_filters_and_pages_by_cursor(client_as, viewer, incident):
    for n in range(55):
        make_mention(incident, text=f"Linked {n}", posted_at=at(0, minutes=n))
    make_mention(incident, text="Reddit thread", platform="reddit", posted_at=at(1))
    make_mention(text="Inbox only", posted_at=at(0))
    client = client_as(viewer)
    url = reverse("monitoring:mentions", args=[incident.reference])

    first = client.get(url).context["page"]
    second = client.get(url, {"after": first.next_cursor}).context["page"]
    reddit = client.get(url, {"platform": "reddit"}).context["page"]

    assert [m.text for m in first.rows[:2]] == ["Linked 0", "Linked 1"]
    assert len(first.rows) == 50 and len(second.rows) == 6
    assert "Inbox only" not in {m.text for m in first.rows + second.rows}
    assert [m.text for m in reddit.rows] == ["Reddit thread"]


@pytest.mark.parametrize("count", [3, 120])
def test_the_mentions_page_reads_a_deep_page_with_the_same_queries(
    count, client_as, viewer, incident, django_assert_max_num_queries
):
    for n in range(count):
        make_mention(incident, posted_at=at(0, minutes=n))
    client = client_as(viewer)
    url = reverse("monitoring:mentions", args=[incident.reference])
    cursor = client.get(url).context["page"].next_cursor

    # Session, user, the user's permissions (two, for the navigation), the incident, one page.
    with django_assert_max_num_queries(6):
        response = client.get(url, {"after": cursor} if cursor else {})

    assert response.status_code == 200


def test_the_dashboard_shows_the_spikes_box_and_refreshes_it_alone(client_as, viewer):
    client = client_as(viewer)

    dashboard = client.get(reverse("incidents:dashboard"))
    fragment = client.get(reverse("monitoring:dashboard-spikes"))

    assert "Mention spikes" in page_text(dashboard)
    assert 'id="mention-spikes"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_the_inbox_is_in_the_navigation(client_as, viewer):
    response = client_as(viewer).get(reverse("incidents:dashboard"))

    assert f'href="{reverse("monitoring:inbox")}">Inbox</a>' in response.content.decode()


def spike(incident, count, minutes_ago=5):
    for n in range(count):
        make_mention(incident, posted_at=NOW - timedelta(minutes=minutes_ago, seconds=n))


def test_the_dashboard_flags_an_incident_and_the_inbox_whose_last_hour_spikes(
    client_as, viewer, incident, comms
):
    quiet = factories.make_incident(comms, title="A quiet one")
    spike(incident, 60)
    spike(quiet, 10)
    spike(None, 55)

    response = client_as(viewer).get(reverse("monitoring:dashboard-spikes"))

    items = re.findall(r'data-testid="spike">(.*?)</li>', response.content.decode(), re.S)
    text = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]
    # Why each spikes follows (tests/monitoring/test_spike_reasons.py).
    assert [line.split(" Most-seen posts")[0] for line in text] == [
        f"▲ {incident.reference} · {incident.title} : 60 mentions in the last hour, "
        "usually about 0",
        "▲ The inbox : 55 mentions in the last hour, usually about 0",
    ]


def test_below_the_minimum_volume_nothing_spikes(client_as, viewer, incident):
    spike(incident, 49)

    response = client_as(viewer).get(reverse("monitoring:dashboard-spikes"))

    assert 'data-testid="spike"' not in response.content.decode()
    assert "No spike" in page_text(response)


@pytest.mark.parametrize("count", [1, 80])
def test_the_dashboard_queries_do_not_grow_with_mentions(
    count, client_as, manager, incident, django_assert_max_num_queries
):
    spike(incident, count)
    spike(None, count)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.DASHBOARD_QUERIES):
        response = client.get(reverse("incidents:dashboard"))

    assert ('data-testid="spike"' in response.content.decode()) == (count >= 50)


def test_comms_send_mentions_linked_by_mistake_back_to_the_inbox(client_as, comms, incident):
    from monitoring.models import MentionLinkEvent

    wrong = make_mention(incident, text="Not about us")
    right = make_mention(incident, text="About us")
    url = reverse("monitoring:mentions-unlink", args=[incident.reference])

    response = client_as(comms).post(url, {"mention": [wrong.pk]}, follow=True)

    assert factories.reload(wrong).incident is None
    assert factories.reload(right).incident == incident
    assert MentionLinkEvent.objects.get().action == "unlinked"
    assert ("success", "1 mention sent back to the inbox.") in factories.messages_shown(response)


def test_a_viewer_cannot_unlink_and_sees_no_checkboxes(client_as, viewer, incident):
    mention = make_mention(incident)
    client = client_as(viewer)

    page = client.get(reverse("monitoring:mentions", args=[incident.reference]))
    response = client.post(
        reverse("monitoring:mentions-unlink", args=[incident.reference]), {"mention": [mention.pk]}
    )

    assert 'name="mention"' not in page.content.decode()
    assert response.status_code == 403
    assert factories.reload(mention).incident == incident


def test_mentions_of_a_closed_incident_stay_linked(client_as, manager, comms):
    from incidents.models import Incident

    closed = factories.make_incident(comms, status=Incident.Status.CLOSED)
    mention = make_mention(closed)

    response = client_as(manager).post(
        reverse("monitoring:mentions-unlink", args=[closed.reference]),
        {"mention": [mention.pk]},
        follow=True,
    )

    assert factories.reload(mention).incident == closed
    assert factories.FROZEN_NOTICE in factories.messages_shown(response)
