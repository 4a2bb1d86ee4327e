"""Where media inquiries show beside the incident's other records: its timeline, its
post-mortem's facts, and the reminders of their deadlines through the outbox."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from crisis import panels
from crisis.outbound import EventKind
from crisis.outbound.models import Delivery
from incidents.models import Incident
from press.models import MediaInquiry
from responses import reminders
from tests import factories
from tests.outbox import deliver

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
DEADLINE = RECEIVED + timedelta(hours=2)
NEW_WORDS = "We are still counting and will say more by noon."


def at(minutes):
    return RECEIVED + timedelta(minutes=minutes)


def logged(incident, by, **fields):
    with time_machine.travel(RECEIVED, tick=False):
        return factories.make_inquiry(incident, by, received_at=RECEIVED, **fields)


def answered(inquiry, by, manager, minutes):
    with time_machine.travel(at(minutes - 1), tick=False):
        inquiry.approve_answer(by=manager, version=inquiry.version)
    with time_machine.travel(at(minutes), tick=False):
        return inquiry.mark_answered(by=by, version=inquiry.version)


@pytest.fixture
def incident(comms):
    with time_machine.travel(RECEIVED - timedelta(hours=1), tick=False):
        return factories.make_incident(comms)


# The timeline


def test_the_timeline_tells_each_inquirys_moments(rf, comms, manager, incident):
    inquiry = logged(incident, comms, answer=NEW_WORDS)
    answered(inquiry, comms, manager, 150)
    request = rf.get("/")
    request.user = manager

    entries = [
        (e.reason, e.kind) for e in panels.timeline(request, incident, kinds={"media_inquiry"})
    ]

    assert entries == [
        ("Media inquiry received", "media_inquiry"),
        ("Answer approved", "media_inquiry"),
        ("Answered after the deadline", "media_inquiry"),
    ]


def test_the_timeline_page_filters_inquiries(client_as, viewer, comms, incident):
    logged(incident, comms, outlet="Daily Courier")
    url = reverse("incidents:timeline", args=[incident.reference])

    html = factories.page_text(client_as(viewer).get(url + "?kind=media_inquiry"))

    assert "Media inquiry: Daily Courier" in html
    assert "Media inquiries" in html  # the filter's label


def test_the_timeline_gives_at_most_the_newest_entries_asked(rf, comms, incident):
    for n in range(5):
        logged(incident, comms, outlet=f"Outlet {n}")
    request = rf.get("/")
    request.user = comms
    from press.panels import inquiry_entries

    assert len(inquiry_entries(request, incident, limit=3)) == 3
    assert len(inquiry_entries(request, incident)) == 5


# The post-mortem's facts


def facts(incident):
    return [(f.section, f.label, f.value, f.field) for f in panels.facts_for(incident)]


def test_the_post_mortem_counts_answers_before_the_deadline(comms, manager, incident):
    on_time = logged(incident, comms, outlet="On Time", journalist="A", answer=NEW_WORDS)
    late = logged(incident, comms, outlet="Late", journalist="B", answer=NEW_WORDS)
    answered(on_time, comms, manager, 60)
    answered(late, comms, manager, 150)
    declined = logged(incident, comms, outlet="Declined", journalist="C")
    declined.decline(by=comms, version=declined.version, reason="Rumour")
    logged(incident, comms, outlet="Waiting", journalist="D")

    with time_machine.travel(at(200), tick=False):
        found = [f for f in facts(incident) if f[0] == "press"]

    assert found == [
        ("press", "Answered before the deadline", "1 of 4", ""),
        ("press", "On Time (A)", "answered before the deadline", ""),
        ("press", "Late (B)", "answered after the deadline (by 30 min)", "went_wrong"),
        ("press", "Declined (C)", "declined: Rumour", ""),
        ("press", "Waiting (D)", "not answered, deadline passed", "went_wrong"),
    ]
    moments = [f for f in panels.facts_for(incident) if f.section == "moments"]
    assert ("Media inquiry answered: On Time", at(60)) in [(f.label, f.at) for f in moments]


def test_the_post_mortem_says_when_no_journalist_asked(incident):
    assert [f for f in facts(incident) if f[0] == "press"] == [
        ("press", "Media inquiries", "none", "")
    ]


def test_the_post_mortem_form_shows_the_section(client_as, comms, manager, incident):
    inquiry = logged(incident, comms, outlet="On Time", answer=NEW_WORDS)
    answered(inquiry, comms, manager, 60)
    factories.walk_to(incident, Incident.Status.RESOLVED)

    html = factories.page_text(
        client_as(comms).get(reverse("incidents:postmortem", args=[incident.reference]))
    )

    assert "Media inquiries" in html and "answered before the deadline" in html


# The deadline's reminders


def run_at(minutes):
    """Run the command at ``minutes`` after the inquiry came; the mails about media deadlines
    it sent (the incident's own clock may run beside them)."""
    before = len(mail.outbox)
    with time_machine.travel(at(minutes), tick=False):
        call_command("send_reminders", stdout=io.StringIO())
        deliver()
    return [m for m in mail.outbox[before:] if "Media deadline" in m.subject]


def test_the_spokesperson_hears_before_the_deadline_and_once_it_passed(comms, manager, incident):
    spokesperson = factories.make_user("sam", email="sam@example.com")
    logged(incident, comms, spokesperson=spokesperson, outlet="Daily Courier")

    assert run_at(89) == []
    soon = run_at(90)
    assert [(m.to, m.subject) for m in soon] == [
        (["sam@example.com"], f"[{incident.reference}] Media deadline in 30 min: Daily Courier")
    ]
    assert "you are its spokesperson" in soon[0].body
    assert run_at(100) == []
    late = run_at(121)
    assert [m.subject for m in late] == [
        f"[{incident.reference}] Media deadline passed 1 min ago: Daily Courier"
    ]
    assert run_at(130) == []
    events = Delivery.objects.filter(event=EventKind.INQUIRY_DUE)
    assert events.count() == 2


def test_the_reminder_names_the_spokesperson_as_the_person_to_notify(comms, incident):
    spokesperson = factories.make_user("sam", email="sam@example.com")
    inquiry = logged(incident, comms, spokesperson=spokesperson)

    with time_machine.travel(at(121), tick=False):
        [reminder] = [r for r in reminders.due_reminders() if r.kind == EventKind.INQUIRY_DUE]

    event = reminder.event()
    assert (event.kind, event.recipients) == (EventKind.INQUIRY_DUE, ("sam@example.com",))
    assert event.url.endswith(inquiry.get_absolute_url())
    assert reminder.key == (f"inquiry-overdue:mediainquiry:{inquiry.pk}:{DEADLINE.isoformat()}")


def test_without_a_spokesperson_the_lead_hears(comms, incident):
    comms.email = "lead@example.com"
    comms.save()
    logged(incident, comms)

    mails = run_at(121)

    assert [m.to for m in mails] == [["lead@example.com"]]
    assert "nobody is assigned yet" in mails[-1].body


def test_nothing_is_sent_about_an_answered_or_declined_inquiry(comms, manager, incident):
    spokesperson = factories.make_user("sam", email="sam@example.com")
    done = logged(incident, comms, spokesperson=spokesperson, answer=NEW_WORDS)
    answered(done, comms, manager, 60)
    declined = logged(incident, comms, spokesperson=spokesperson)
    declined.decline(by=comms, version=declined.version)

    assert run_at(121) == []


def test_nothing_is_sent_about_an_inquiry_of_a_closed_incident(comms, incident):
    spokesperson = factories.make_user("sam", email="sam@example.com")
    logged(incident, comms, spokesperson=spokesperson)
    factories.walk_to(incident, Incident.Status.CLOSED)

    assert run_at(121) == []


def test_a_new_deadline_gets_reminders_of_its_own(comms, incident):
    spokesperson = factories.make_user("sam", email="sam@example.com")
    inquiry = logged(incident, comms, spokesperson=spokesperson)
    assert len(run_at(121)) == 1

    inquiry = MediaInquiry.objects.get()
    inquiry.deadline = at(180)
    inquiry.save_details(by=comms, expected_version=inquiry.version, fields=["deadline"])

    assert [m.subject.split("] ")[1] for m in run_at(150)] == [
        "Media deadline in 30 min: Daily Courier"
    ]


@pytest.mark.parametrize("count", [1, 20])
def test_the_reminders_cost_one_query_however_many_inquiries(
    count, comms, incident, django_assert_num_queries
):
    from press.reminders import deadline_reminders

    spokesperson = factories.make_user("sam", email="sam@example.com")
    for n in range(count):
        logged(incident, comms, spokesperson=spokesperson, outlet=f"Outlet {n}")

    with time_machine.travel(at(121), tick=False), django_assert_num_queries(1):
        found = list(deadline_reminders(at(121)))

    assert len(found) == count


def test_a_declined_inquiry_says_who_declined_and_why_on_the_timeline(rf, comms, incident):
    inquiry = logged(incident, comms)
    with time_machine.travel(at(10), tick=False):
        inquiry.decline(by=comms, version=inquiry.version, reason="No comment on rumours")
    request = rf.get("/")
    request.user = comms

    [declined] = [e for e in panels.timeline(request, incident) if e.reason == "Declined to answer"]

    assert (declined.by, declined.detail, declined.at) == (comms, "No comment on rumours", at(10))
