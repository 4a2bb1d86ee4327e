"""The demo shows the conversation (mentions linked on arrival by the open incidents' tracking
terms, and an inbox waiting for triage) and what an earlier incident taught: one closed with its
post-mortem, whose lesson and unfinished prevention item the open incident of its category
brings back."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from html import unescape
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from crisis.lifecycle import FrozenRecord
from demo import conversation
from incidents.models import Incident, PostMortem
from monitoring import mentions, spikes, triage
from monitoring.models import Mention, MentionLinkEvent
from monitoring.sentiment import score_text
from monitoring.terms import terms_match
from responses import report_periods, reports
from responses.models import ActionItem

pytestmark = pytest.mark.usefixtures("playbooks")

SEEDED = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
STORM = "Delivery delays spark a storm of angry replies"
GIVEAWAY = "Fake giveaway account impersonating the brand"
POST = "Employee's offensive post shared from a brand account"
CLOSED = "Delivery fee change sparks a wave of complaints"
LESSON = "publish one pinned statement within the hour"
UNFINISHED = "Prepare support's approved replies and a pinned post before every customer"


def seed():
    out = StringIO()
    with time_machine.travel(SEEDED, tick=False):
        call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    return out.getvalue()


def user(username):
    return get_user_model().objects.get(username=username)


def page(client, username, url):
    client.force_login(user(username))
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_open_incidents_hold_the_last_days_mentions_linked_by_their_terms(db):
    output = seed()

    counts = {
        title: Incident.objects.get(title=title).mentions.count()
        for title in (STORM, GIVEAWAY, POST)
    }
    assert counts == {STORM: 215, GIVEAWAY: 94, POST: 26}
    assert "Mentions: 355 new." in output
    linked = list(Mention.objects.filter(incident__isnull=False).select_related("incident"))
    for mention in linked:
        assert mention.incident.is_open
        assert mention.platform in mention.incident.platforms
        assert terms_match(mention.text, mention.incident.tracking_terms)
        assert SEEDED - timedelta(hours=24) < mention.posted_at < SEEDED
        # Linked on arrival: by no person, so no link event.
        assert (mention.linked_at, mention.linked_by) == (SEEDED, None)
        assert mention.source == "demo" and mention.sentiment_score is not None
    assert not MentionLinkEvent.objects.exists()
    labels = Counter(mention.sentiment_label for mention in linked)
    assert labels["negative"] > labels["neutral"] > labels["positive"] > 20


def test_the_storm_peaked_hours_ago_and_the_fake_giveaway_is_spiking_now(db):
    seed()
    storm = Incident.objects.get(title=STORM)
    giveaway = Incident.objects.get(title=GIVEAWAY)

    hourly = [sum(counts.values()) for _hour, counts in triage.hourly_counts(storm, now=SEEDED)]
    peak = hourly.index(max(hourly))
    assert len(hourly) - 6 <= peak < len(hourly) - 2  # three to five hours before the seeding
    assert max(hourly) >= 3 * sorted(hourly)[len(hourly) // 2]  # three times the median hour
    volumes = spikes.incident_volumes([storm.pk, giveaway.pk], now=SEEDED)
    assert volumes[giveaway.pk].is_spike and volumes[giveaway.pk].count >= 50
    assert not volumes[storm.pk].is_spike


def test_the_demo_conversation_is_the_same_on_every_run(db):
    seed()
    incidents = list(Incident.objects.open())

    again = conversation.demo_mentions(incidents, SEEDED)

    stored = Mention.objects.values_list("external_id", "text", "posted_at", "sentiment_score")
    assert {(m["external_id"], m["text"], m["posted_at"]) for m in again} == {
        row[:3] for row in stored
    }
    given = {m["external_id"]: m["sentiment_score"] for m in again}
    assert all(given[row[0]] in (None, row[3]) for row in stored)


def test_the_inbox_waits_with_what_no_tracking_term_found(db, client):
    seed()

    inbox = Mention.objects.inbox()
    assert inbox.count() == 20
    # A few came without a score: the ingestion computed theirs from the text.
    computed = inbox.filter(external_id__in=["demo-inbox-03", "demo-inbox-06", "demo-inbox-20"])
    assert len(computed) == 3
    for mention in computed:
        assert mention.sentiment_score == score_text(mention.text)
    for incident in Incident.objects.open():
        assert mentions.inbox_matches(incident) == []
    html = page(client, "comms", reverse("monitoring:inbox"))
    assert "Anyone tried their new loyalty app?" in html
    assert "Still no parcel. Tracking hasn't changed in four days." in html


def test_seeding_again_adds_no_mention_and_keeps_the_triage(db):
    seed()
    comms = user("comms")
    storm = Incident.objects.get(title=STORM)
    parcel = Mention.objects.get(external_id="demo-inbox-16")
    app = Mention.objects.get(external_id="demo-inbox-20")
    mentions.link_mentions([parcel.pk], storm, by=comms)
    mentions.dismiss_mentions([app.pk], by=comms)

    output = seed()

    assert "Mentions: 0 new." in output
    assert Mention.objects.count() == 355
    assert Mention.objects.inbox().count() == 18
    assert storm.mentions.count() == 216


def test_the_demo_has_an_incident_closed_with_its_post_mortem(db):
    seed()

    incident = Incident.objects.get(title=CLOSED)
    assert incident.status == Incident.Status.CLOSED
    assert incident.declared_at < incident.resolved_at < incident.closed_at < SEEDED
    postmortem = incident.postmortem
    assert postmortem.is_complete and postmortem.missing_fields() == []
    assert postmortem.completed_by.username == "manager"
    assert postmortem.completed_at == incident.closed_at
    assert [r.history_change_reason for r in postmortem.history.order_by("history_id")] == [
        "Draft saved",
        "Submitted: the incident is closed",
    ]
    assert [r.history_user.username for r in postmortem.history.order_by("history_id")] == [
        "comms",
        "manager",
    ]
    items = {(i.kind, i.status) for i in incident.action_items.all()}
    assert items == {
        (ActionItem.Kind.RECTIFY, ActionItem.Status.DONE),
        (ActionItem.Kind.PREVENT, ActionItem.Status.DONE),
        (ActionItem.Kind.PREVENT, ActionItem.Status.OPEN),
    }
    unfinished = incident.action_items.unfinished().get()
    assert unfinished.title.startswith(UNFINISHED)
    assert unfinished.created_at < incident.closed_at and unfinished.due_at > SEEDED
    # Closing froze it: it shows what is still owed, and nobody can tick it off there.
    with pytest.raises(FrozenRecord):
        unfinished.complete(by=user("manager"))
    # The only submitted post-mortem of the demo.
    assert list(PostMortem.objects.filter(completed_at__isnull=False)) == [postmortem]


def test_the_open_storm_brings_back_the_closed_incidents_lesson(db, client):
    seed()
    closed = Incident.objects.get(title=CLOSED)
    storm = Incident.objects.get(title=STORM)
    assert storm.category == closed.category and storm.is_open

    html = page(client, "viewer", storm.get_absolute_url())

    assert "Lessons from earlier negative comments incidents" in html
    assert LESSON in html
    assert f'{closed.reference}</a> · <span dir="auto">{CLOSED}</span>' in html
    assert "Prevention promised after earlier negative comments incidents, still not done" in html
    assert UNFINISHED in html
    # An open incident of another category is reminded of nothing.
    other = page(client, "viewer", Incident.objects.get(title=GIVEAWAY).get_absolute_url())
    assert LESSON not in other and UNFINISHED not in other


def test_the_lessons_and_reports_pages_show_the_demo(db, client):
    seed()
    closed = Incident.objects.get(title=CLOSED)

    lessons = page(client, "viewer", reverse("incidents:lessons"))
    with time_machine.travel(SEEDED, tick=False):
        report = page(client, "viewer", reverse("responses:report"))
        _incidents, figures = reports.build_report(
            *report_periods.default_report_period(), now=SEEDED
        )

    assert LESSON in lessons and closed.reference in lessons
    assert "Incidents per category" in report and "Action items done on time" in report
    rows = {figure.key: {row.label: row.values for row in figure.rows} for figure in figures}
    # The closed incident and the open storm; the drill is left out of the reports.
    assert rows["categories"]["Negative comments"] == {"count": 2}
    assert rows["categories"]["Data breach or security"] == {"count": 0}
    # The closed incident's prevention done before its due time (the open one is not due yet).
    assert rows["action_items"]["Prevent"]["on_time"] == 1
    assert rows["action_items"]["Prevent"]["overdue"] == 0
