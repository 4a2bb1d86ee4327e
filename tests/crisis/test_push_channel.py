"""Browser notifications through the outbox (crisis.outbound.push), sent by the real pywebpush
to a local push service that verifies the VAPID signature and decrypts the payload with the
browser's private key (tests/push_service.py): who is told, what they read, and what a push
service's refusals do."""

import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from crisis.models import Profile, PushSubscription
from crisis.outbound import EventKind, push, raise_event
from crisis.outbound.events import PushTopic
from crisis.outbound.models import BROWSER_GONE, Delivery
from crisis.outbound.sending import deliver
from responses.reminders import send_due_reminders
from team.models import CallOut
from tests import factories
from tests.conftest import PUSH_CONTACT
from tests.crisis.test_outbox import event as outbox_event
from tests.push_service import PushService

pytestmark = pytest.mark.django_db

S = Delivery.Status


def subscribe(service, user, name="phone"):
    subscriber = service.subscriber(name)
    browser, _created = PushSubscription.subscribe(user, subscriber.info(), "Firefox on Android")
    return browser


def pushes():
    return Delivery.objects.filter(channel=Delivery.Channel.PUSH).order_by("pk")


def event(people, **overrides):
    """The outbox tests' review request, naming ``people`` and mailing nobody."""
    return outbox_event(recipients=(), people=tuple(person.pk for person in people), **overrides)


def test_a_review_request_reaches_the_reviewers_browser_signed_and_encrypted(
    push_service, comms, manager, settings
):
    settings.SITE_URL = "https://desk.example.com"
    subscribe(push_service, manager)
    statement = factories.make_statement(by=comms)

    statement.submit(by=comms)

    row = pushes().get()
    assert row.push_subscription.user == manager
    assert deliver(row.pk) == S.SENT
    [received] = push_service.received
    assert received.message == {
        "title": f"[{statement.incident.reference}] Waiting for your approval: Holding statement",
        "body": received.message["body"],
        "url": f"https://desk.example.com{statement.get_absolute_url()}",
        "tag": received.message["tag"],
    }
    assert received.message["body"].startswith(f"{comms.get_full_name()} submitted")
    assert received.claims["sub"] == PUSH_CONTACT
    assert received.claims["aud"] == push_service.origin
    assert received.headers["urgency"] == "normal"
    assert received.headers["ttl"] == str(push.TTL_SECONDS)
    assert push_service.refusals == []


def test_a_push_signed_with_another_key_is_refused_by_the_service(vapid, manager, settings):
    # The local service is no stub: it expects the desk's key and refuses any other.
    service = PushService(push.public_key()).start()
    try:
        subscribe(service, manager)
        settings.WEB_PUSH_VAPID_PRIVATE_KEY = push.new_private_key()
        [row] = raise_event(event([manager]))

        assert deliver(row.pk) == S.GAVE_UP
        assert service.received == []
        assert "another key" in service.refusals[0]
    finally:
        service.stop()


def test_the_authors_browser_hears_of_the_decision(push_service, comms, manager):
    subscribe(push_service, comms)
    statement = factories.make_statement(by=comms)
    statement.submit(by=comms)

    statement.request_changes(by=manager, comment="Say when refunds start.")

    row = pushes().get(event=EventKind.CHANGES_REQUESTED)
    assert deliver(row.pk) == S.SENT
    message = push_service.received[0].message
    assert message["title"].endswith("Changes requested: Holding statement")
    assert "Say when refunds start." in message["body"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_browser_the_push_service_says_is_gone_is_dropped_without_an_error(
    push_service, manager, status, caplog
):
    browser = subscribe(push_service, manager)
    [first, waiting] = raise_event(event([manager])) + raise_event(event([manager], key="other"))
    push_service.answer("phone", status)

    with caplog.at_level(logging.INFO):
        assert deliver(first.pk) == S.DROPPED

    assert not PushSubscription.objects.filter(pk=browser.pk).exists()
    first.refresh_from_db()
    assert f"answered {status}" in first.last_error
    assert first.push_subscription is None
    # The other notification waiting for that browser is dropped with it, never tried.
    waiting.refresh_from_db()
    assert (waiting.status, waiting.last_error, waiting.attempts) == (S.DROPPED, BROWSER_GONE, 0)
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_busy_push_service_is_asked_again_after_its_retry_after(push_service, manager):
    subscribe(push_service, manager)
    [row] = raise_event(event([manager]))
    push_service.answer("phone", 429, **{"Retry-After": "600"})
    before = timezone.now()

    assert deliver(row.pk) == S.PENDING

    row.refresh_from_db()
    assert row.next_attempt_at >= before + timedelta(seconds=600)
    assert "answered 429" in row.last_error
    assert deliver(row.pk, now=row.next_attempt_at) == S.SENT
    assert len(push_service.received) == 1


def test_a_failing_push_service_is_retried_and_a_refusal_is_final(push_service, manager):
    subscribe(push_service, manager)
    [row] = raise_event(event([manager]))
    push_service.answer("phone", 503)
    assert deliver(row.pk) == S.PENDING
    [other] = raise_event(event([manager], key="other"))
    push_service.answer("phone", 413)
    assert deliver(other.pk) == S.GAVE_UP
    assert PushSubscription.objects.filter(user=manager).exists()


def test_a_person_who_turned_a_kind_off_gets_no_notification_of_it(push_service, comms, manager):
    subscribe(push_service, comms, "comms-phone")
    subscribe(push_service, manager, "manager-phone")
    Profile.objects.create(user=manager, push_muted=[PushTopic.REVIEW])

    rows = raise_event(event([comms, manager]))

    assert [row.push_subscription.user for row in rows] == [comms]
    # Another kind still reaches them.
    called = raise_event(event([manager], kind=EventKind.TEAM_CALLED, key="callout:1"))
    assert [row.push_subscription.user for row in called] == [manager]


def test_only_the_people_named_and_active_are_notified_and_each_browser_once(
    push_service, comms, manager, viewer
):
    subscribe(push_service, comms, "comms-phone")
    subscribe(push_service, comms, "comms-laptop")
    subscribe(push_service, viewer, "viewer-phone")
    subscribe(push_service, manager, "manager-phone")
    manager.is_active = False
    manager.save()

    rows = raise_event(event([comms, manager]))
    assert raise_event(event([comms, manager])) == []

    assert sorted(row.push_subscription.user.username for row in rows) == ["comms", "comms"]
    assert len({row.key for row in rows}) == 2


def test_an_event_no_one_may_choose_is_never_pushed(push_service, comms):
    subscribe(push_service, comms)
    assert raise_event(event([comms], kind=EventKind.INCIDENT_DECLARED)) == []


def test_without_a_vapid_key_nothing_is_pushed(push_service, comms, settings):
    subscribe(push_service, comms)
    settings.WEB_PUSH_VAPID_PRIVATE_KEY = ""
    assert raise_event(event([comms])) == []


def test_a_drill_reaches_the_teams_browsers_marked_as_one(push_service, comms):
    subscribe(push_service, comms)
    [row] = raise_event(event([comms], is_drill=True))
    assert deliver(row.pk) == S.SENT
    assert push_service.received[0].message["title"].startswith("[Drill] [CR-2026-001]")


def test_the_people_called_out_are_notified_urgently_with_the_roll_call(
    push_service, comms, manager, viewer
):
    subscribe(push_service, viewer)
    incident = factories.make_incident(comms)

    CallOut.call(incident=incident, by=manager, people=[viewer])

    row = pushes().get()
    assert deliver(row.pk) == S.SENT
    received = push_service.received[0]
    assert received.message["url"].endswith(f"/incidents/{incident.reference}/#roll-call")
    assert received.headers["urgency"] == "high"
    assert received.headers["ttl"] == str(push.URGENT_TTL_SECONDS)


def test_an_overdue_action_item_reaches_its_owner_even_without_a_mail_address(push_service, comms):
    comms.email = ""
    comms.save()
    subscribe(push_service, comms)
    incident = factories.make_incident(comms)
    item = factories.make_action_item(incident, due_at=timezone.now() - timedelta(minutes=5))

    assert send_due_reminders().sent == 1

    row = pushes().get()
    assert row.event == EventKind.ACTION_ITEM_DUE
    assert deliver(row.pk) == S.SENT
    message = push_service.received[0].message
    assert message["url"].endswith(item.get_absolute_url())
    assert message["title"].startswith(f"[{incident.reference}] Action item overdue")


def test_a_long_text_is_cut_to_fit_a_push(push_service, comms):
    subscribe(push_service, comms)
    [row] = raise_event(event([comms], text="é" * 5000))
    assert len(json.dumps(push.payload(row)).encode()) <= push.PAYLOAD_MAX_BYTES
    assert deliver(row.pk) == S.SENT
    assert push_service.received[0].message["body"].endswith("…")
