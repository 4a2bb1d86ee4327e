"""``manage.py send_reminders``: the lead before the first acknowledgement and each promised
update, owners before their action items, managers about public updates waiting for
publication; each reminder once, even from two runs at once."""

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connections

from crisis.outbound.models import Delivery
from incidents.models import Incident
from responses import reminders
from responses.models import ActionItem, SentReminder
from tests import factories
from tests.outbox import deliver
from tests.races import race
from tests.responses.test_response_clock import post_update
from tests.responses.test_response_clock import publish_statement as publish_at

DETECTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def at(minutes):
    return DETECTED + minutes * MIN


def run_at(minutes):
    """Run the command at ``minutes`` after detection; return the mails it sent."""
    before = len(mail.outbox)
    with time_machine.travel(at(minutes), tick=False):
        call_command("send_reminders", stdout=io.StringIO())
    return mail.outbox[before:]


def publish_statement(incident, by, minutes):
    """Publish a statement at ``minutes``; its workflow's own mails (review request, approval)
    are sent and set aside, as they are not reminders."""
    statement = publish_at(incident, by, minutes)
    deliver()
    mail.outbox.clear()
    return statement


def subjects(mails):
    return [m.subject for m in mails]


def about_items(mails):
    """The mails about action items (the lead's clock may run beside them)."""
    return [m for m in mails if "Action item" in m.subject]


@pytest.fixture
def lead(db):
    return factories.make_comms("lena", email="lena@example.com")


@pytest.fixture
def major(lead):
    """Severity 2: one hour for the first acknowledgement, then an update every two hours."""
    with time_machine.travel(DETECTED, tick=False):
        return factories.make_incident(lead, severity=Incident.Severity.MAJOR, lead=lead)


def add_item(incident, owner, due_minutes, **fields):
    with time_machine.travel(DETECTED, tick=False):
        return ActionItem(
            incident=incident, title="Brief support", owner=owner, due_at=at(due_minutes), **fields
        ).add(by=incident.declared_by)


# The lead: the first acknowledgement.


def test_the_lead_hears_ten_minutes_before_the_acknowledgement_is_due(major, lead):
    assert run_at(49) == []

    sent = run_at(50)

    assert subjects(sent) == [f"[{major.reference}] First public acknowledgement due in 10 min"]
    assert sent[0].to == ["lena@example.com"]
    assert "Publish a holding statement" in sent[0].body
    assert major.get_absolute_url() in sent[0].body


def test_the_lead_hears_again_once_it_is_overdue_and_only_once_each(major):
    reminded = [run_at(minutes) for minutes in (50, 55, 60, 61, 62, 90)]

    assert [len(sent) for sent in reminded] == [1, 0, 0, 1, 0, 0]
    assert reminded[3][0].subject.endswith("First public acknowledgement overdue by 1 min")
    assert SentReminder.objects.count() == 2


def test_a_run_after_the_deadline_sends_only_the_overdue_reminder(major):
    assert subjects(run_at(75)) == [
        f"[{major.reference}] First public acknowledgement overdue by 15 min"
    ]


def test_nothing_is_sent_about_the_acknowledgement_once_a_statement_is_published(major, lead):
    run_at(50)
    publish_statement(major, lead, 55)

    assert run_at(61) == []
    assert run_at(120) == []


# The lead: the promised updates.


def test_after_the_statement_the_lead_hears_before_the_next_update_and_when_late(major, lead):
    publish_statement(major, lead, 20)

    assert run_at(129) == []
    assert subjects(run_at(130)) == [f"[{major.reference}] Next public update due in 10 min"]
    assert run_at(140) == []
    late = run_at(141)
    assert subjects(late) == [f"[{major.reference}] Next public update overdue by 1 min"]
    assert "Publish a public update" in late[0].body


def test_a_new_promise_gets_reminders_of_its_own(major, lead, manager):
    publish_statement(major, lead, 20)
    post_update(major, manager, 60, promise=90)

    assert subjects(run_at(80)) == [f"[{major.reference}] Next public update due in 10 min"]
    assert len(run_at(91)) == 1
    post_update(major, manager, 92, promise=150)
    assert subjects(run_at(140)) == [f"[{major.reference}] Next public update due in 10 min"]
    assert SentReminder.objects.filter(key__startswith="update-due:incident").count() == 2


def test_an_update_published_in_time_stops_the_overdue_reminder(major, lead, manager):
    publish_statement(major, lead, 20)
    post_update(major, manager, 60, promise=90)
    run_at(80)
    post_update(major, manager, 85, promise=300)

    assert run_at(91) == []


def test_a_resolved_incident_gets_no_reminders(major, lead, manager):
    with time_machine.travel(at(30), tick=False):
        major.start_response(by=manager)
        major.resolve(by=manager)

    assert run_at(61) == []


def test_a_drills_reminders_say_it_is_a_drill(lead):
    with time_machine.travel(DETECTED, tick=False):
        drill = factories.make_incident(lead, severity=2, lead=lead, is_drill=True)

    assert subjects(run_at(61)) == [
        f"[Drill] [{drill.reference}] First public acknowledgement overdue by 1 min"
    ]


def test_without_a_lead_to_mail_nothing_is_sent_or_recorded(lead, comms):
    with time_machine.travel(DETECTED, tick=False):
        factories.make_incident(lead, severity=2, lead=None, title="Nobody leads")
        factories.make_incident(lead, severity=2, lead=factories.make_user("mute", email=""))

    assert run_at(61) == []
    assert not SentReminder.objects.exists()


# Owners: action items.


def test_the_owner_hears_an_hour_before_an_item_is_due_and_when_it_is_late(major, comms):
    item = add_item(major, comms, 120)

    assert about_items(run_at(59)) == []
    soon = about_items(run_at(60))
    assert subjects(soon) == [f"[{major.reference}] Action item due in 1 h: Brief support"]
    assert soon[0].to == ["comms@example.com"]
    assert about_items(run_at(120)) == []
    assert subjects(about_items(run_at(121))) == [
        f"[{major.reference}] Action item overdue by 1 min: Brief support"
    ]
    assert about_items(run_at(200)) == []
    assert item.get_absolute_url() in soon[0].body


def test_a_new_due_time_gets_reminders_of_its_own(major, comms):
    item = add_item(major, comms, 120)
    run_at(60)
    item.due_at = at(300)
    item.save_edit(by=comms, expected_version=item.version, fields=["due_at"])

    assert about_items(run_at(121)) == []
    assert len(about_items(run_at(240))) == 1


def test_nothing_is_sent_about_an_item_done_dropped_or_without_owner_or_due_time(
    major, comms, manager
):
    add_item(major, comms, 120).complete(by=comms)
    add_item(major, comms, 120).drop(by=comms, reason="Not needed")
    add_item(major, None, 120)
    with time_machine.travel(DETECTED, tick=False):
        ActionItem(incident=major, title="Someday", owner=comms).add(by=comms)

    assert about_items(run_at(121)) == []


def test_nothing_is_sent_about_the_items_of_a_closed_incident(major, comms, manager):
    add_item(major, comms, 120)
    with time_machine.travel(at(30), tick=False):
        factories.walk_to(major, Incident.Status.CLOSED)

    assert run_at(121) == []


# Managers: public updates waiting for publication.


def test_managers_hear_once_that_a_public_update_waits_for_publication(
    major, lead, manager, second_manager
):
    publish_statement(major, lead, 10)
    post_update(major, manager, 20, status="draft")

    sent = run_at(21)

    # One mail per manager (the outbox delivers to each recipient apart).
    assert subjects(sent) == [f"[{major.reference}] A public update waits for publication"] * 2
    # Its author may not publish it: only the other managers hear.
    assert sorted(m.to for m in sent) == [
        ["factory-manager@example.com"],
        ["second-manager@example.com"],
    ]
    assert "Deliveries from the north warehouse" in sent[0].body
    assert run_at(22) == []


def test_nothing_is_sent_about_a_published_update(major, lead, manager):
    publish_statement(major, lead, 10)
    post_update(major, manager, 20, promise=100)

    assert run_at(21) == []


# Sending.


def test_a_reminder_that_could_not_be_sent_is_tried_again(major, settings):
    settings.EMAIL_BACKEND = "tests.responses.test_mail.BrokenBackend"
    errors = io.StringIO()
    with time_machine.travel(at(61), tick=False):
        call_command("send_reminders", stdout=io.StringIO(), stderr=errors)
    assert "could not be sent" in errors.getvalue()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "SMTP server down" in delivery.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert len(run_at(61.25)) == 0  # the backoff (30 s) has not passed
    assert len(run_at(62)) == 1
    assert run_at(63) == []
    assert factories.reload(delivery).status == Delivery.Status.SENT


def test_the_command_says_how_many_it_sent(major):
    out = io.StringIO()
    with time_machine.travel(at(61), tick=False):
        call_command("send_reminders", stdout=out)

    assert out.getvalue() == "Sent 1 reminder.\n"


def test_the_reminder_is_recorded_with_its_key_and_recipients(major):
    run_at(61)

    sent = SentReminder.objects.get()
    due = at(60).isoformat()
    assert sent.key == f"acknowledgement-overdue:incident:{major.pk}:{due}"
    assert sent.recipients == "lena@example.com"
    delivery = Delivery.objects.get()
    assert delivery.key == f"clock.acknowledgement_due:{sent.key}:mail:lena@example.com"
    assert delivery.url.endswith(major.get_absolute_url())
    assert (delivery.severity, delivery.is_drill) == (2, False)


def test_a_second_run_at_the_same_moment_sends_nothing_again(major):
    assert len(run_at(61)) == 1
    SentReminder.objects.all().delete()  # even should the reminder's own record be lost

    assert run_at(61) == []
    assert Delivery.objects.count() == 1


def test_the_queries_do_not_grow_with_incidents_items_and_updates(
    lead, manager, django_assert_max_num_queries
):
    for n in range(10):
        with time_machine.travel(DETECTED, tick=False):
            incident = factories.make_incident(lead, title=f"Incident {n}", severity=2, lead=lead)
        add_item(incident, lead, 30)
        post_update(incident, lead, 5, status="draft")
    due = reminders.due_reminders  # computing, without the inserts of sending

    # Four for the deadlines, three for the mention spikes, one for the media inquiries'
    # deadlines (press.reminders, a registered source), one for the approval stages.
    with time_machine.travel(at(61), tick=False), django_assert_max_num_queries(9):
        found = due()

    assert len(found) == 30


# Two runs at once (two hosts, or a slow run meeting the next one).


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once():
    lead = factories.make_comms("lena", email="lena@example.com")
    factories.make_incident(
        lead, severity=2, lead=lead, detected_at=datetime.now(UTC) - timedelta(minutes=65)
    )
    runs = [object(), object()]

    successes, refusals = race(
        runs, lambda run: call_command("send_reminders", stdout=io.StringIO())
    )

    assert len(successes) + len(refusals) == 2
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert mail.outbox[0].subject.endswith("First public acknowledgement overdue by 5 min")
    assert SentReminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_claim_lets_exactly_one_of_two_threads_send():
    reminder = reminders.Reminder("test:once", "Subject", "Body", ("lena@example.com",))
    start = threading.Barrier(2)
    claims = []

    def claim():
        try:
            start.wait(timeout=10)
            claims.append(reminders._claim(reminder, datetime.now(UTC)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(claims) == [False, True]
    assert SentReminder.objects.filter(key="test:once").count() == 1
