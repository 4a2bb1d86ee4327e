"""Team chat channels against a real HTTP server on localhost that answers as each service's
documentation says: the message reaches the room with a link to the exact page, and every fault
(unreachable, 429 with Retry-After, 500, timeout, a revoked webhook) ends in a clear state,
nothing lost and nothing sent twice."""

import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from crisis.outbound import Event, EventKind, raise_event
from crisis.outbound.channels import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER
from crisis.outbound.models import ChatChannel, Delivery
from crisis.outbound.sending import deliver, deliver_due
from tests.crisis.chat_server import ACCEPTED, Answer, ChatServer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
PAGE = "https://desk.example.com/incidents/CR-2026-001/"
S = Delivery.Status
K = ChatChannel.Kind


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def server():
    with ChatServer() as running:
        yield running


def declared(**overrides):
    fields = {
        "kind": EventKind.INCIDENT_DECLARED,
        "key": "incident:1",
        "title": "[CR-2026-001] Declared: Checkout <down> & out",
        "text": "Severity 1, lead Lena.",
        "url": PAGE,
        "severity": 1,
    }
    return Event(**{**fields, **overrides})


def room(server, kind, **overrides):
    fields = {
        "name": f"{kind} room",
        "kind": kind,
        "url": server.url(),
        "secret": "s3cret-of-the-receiver" if kind == K.WEBHOOK else "",
        "events": [EventKind.INCIDENT_DECLARED],
        "severities": ["1", "2"],
    }
    return ChatChannel.objects.create(**{**fields, **overrides})


def send_one(event=None):
    row = raise_event(event or declared())[0]
    return row, deliver(row.pk)


# Each service, as its documentation says it answers.


@pytest.mark.parametrize("kind", [K.SLACK, K.MATTERMOST, K.GOOGLE_CHAT, K.TEAMS, K.WEBHOOK])
def test_each_kind_of_channel_delivers_once_with_a_link_to_the_exact_page(server, kind):
    server.answer(ACCEPTED[kind])
    room(server, kind)

    row, status = send_one()

    assert status == S.SENT
    assert [r.path for r in server.received] == ["/hook"]
    sent = server.received[0]
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert PAGE in sent.body.decode()
    assert deliver_due().sent == 0  # never twice
    assert len(server.received) == 1


def test_slack_gets_mrkdwn_with_its_control_characters_escaped_and_a_labelled_link(server):
    server.answer(ACCEPTED[K.SLACK])
    room(server, K.SLACK)

    send_one()

    text = server.received[0].json()["text"]
    assert text.startswith("*[CR-2026-001] Declared: Checkout &lt;down&gt; &amp; out (severity 1)*")
    assert text.endswith(f"<{PAGE}|Open in Crisis Desk>")


def test_teams_gets_an_adaptive_card_with_a_button_to_the_page(server):
    server.answer(ACCEPTED[K.TEAMS])
    room(server, K.TEAMS)

    send_one()

    message = server.received[0].json()
    assert message["type"] == "message"
    attachment = message["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "[CR-2026-001] Declared: Checkout <down> & out (severity 1)"
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in Crisis Desk", "url": PAGE}
    ]


def test_the_generic_webhook_is_signed_over_timestamp_and_body(server):
    server.answer(ACCEPTED[K.WEBHOOK])
    room(server, K.WEBHOOK)

    row, _status = send_one()

    sent = server.received[0]
    timestamp = sent.headers[TIMESTAMP_HEADER]
    expected = hmac.new(
        b"s3cret-of-the-receiver", f"{timestamp}.".encode() + sent.body, hashlib.sha256
    ).hexdigest()
    assert sent.headers[SIGNATURE_HEADER] == f"sha256={expected}"
    assert sent.headers[DELIVERY_HEADER] == row.key
    body = sent.json()
    assert (body["event"], body["url"], body["severity"], body["is_drill"]) == (
        "incident.declared",
        PAGE,
        1,
        False,
    )
    # A receiver holding another secret, or reading another body, would refuse it.
    forged = hmac.new(b"guess", f"{timestamp}.".encode() + sent.body, hashlib.sha256)
    assert sent.headers[SIGNATURE_HEADER] != f"sha256={forged.hexdigest()}"


def test_a_drill_never_reaches_the_server(server):
    server.answer(ACCEPTED[K.SLACK])
    room(server, K.SLACK)

    row, status = send_one(declared(is_drill=True))

    assert status is None
    assert deliver_due().sent == 0
    assert server.received == []
    assert Delivery.objects.get().status == S.REFUSED


# Faults


def test_429_waits_as_long_as_retry_after_asks_then_sends_once(server, frozen):
    server.answer(Answer(429, b"rate_limited", {"Retry-After": "600"}), ACCEPTED[K.SLACK])
    room(server, K.SLACK)

    row, status = send_one()

    assert status == S.PENDING
    row.refresh_from_db()
    assert row.next_attempt_at == NOW + timedelta(seconds=600)
    assert row.last_error == "slack room answered 429: rate_limited"
    frozen.shift(timedelta(seconds=599))
    assert deliver_due().sent == 0
    frozen.shift(timedelta(seconds=1))
    assert deliver_due().sent == 1
    assert len(server.received) == 2


def test_a_retry_after_date_is_honoured(server):
    server.answer(Answer(503, b"", {"Retry-After": "Sat, 14 Mar 2026 10:00:00 GMT"}))
    room(server, K.MATTERMOST)

    row, status = send_one()

    row.refresh_from_db()
    assert (status, row.next_attempt_at) == (S.PENDING, NOW + timedelta(hours=1))


def test_a_500_is_retried_with_backoff(server, settings, frozen):
    server.answer(Answer(500, b"oops"), ACCEPTED[K.GOOGLE_CHAT])
    room(server, K.GOOGLE_CHAT)

    row, status = send_one()

    row.refresh_from_db()
    assert (status, row.attempts, row.last_error) == (
        S.PENDING,
        1,
        "google_chat room answered 500: oops",
    )
    assert row.next_attempt_at == NOW + timedelta(seconds=settings.OUTBOX_BACKOFF_SECONDS)
    frozen.shift(timedelta(seconds=settings.OUTBOX_BACKOFF_SECONDS))
    assert deliver_due().sent == 1


@pytest.mark.parametrize("status", [410, 404, 403])
def test_a_revoked_webhook_fails_at_once_and_is_not_retried(server, status, frozen):
    server.answer(Answer(status, b"channel_is_archived"))
    room(server, K.SLACK)

    row, outcome = send_one()

    row.refresh_from_db()
    assert (outcome, row.status, row.attempts) == (S.GAVE_UP, S.GAVE_UP, 1)
    assert f"answered {status}: channel_is_archived (revoked or refused" in row.last_error
    frozen.shift(timedelta(days=1))
    assert deliver_due().sent == 0
    assert len(server.received) == 1


def test_a_server_that_does_not_answer_in_time_is_retried(server, settings):
    settings.OUTBOX_HTTP_TIMEOUT_SECONDS = 0.3
    server.answer(Answer(200, b"ok", delay=1.0))
    room(server, K.SLACK)

    row, status = send_one()

    row.refresh_from_db()
    assert (status, row.last_error) == (S.PENDING, "No answer within 0.3 s")


def test_an_unreachable_host_is_retried_and_then_marked_failed(settings, frozen):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ChatChannel.objects.create(
        name="Gone",
        kind=K.SLACK,
        url=f"http://127.0.0.1:{port}/hook",
        events=[EventKind.INCIDENT_DECLARED],
        severities=["1"],
    )

    row, status = send_one()
    frozen.shift(timedelta(hours=1))
    deliver_due()

    row.refresh_from_db()
    assert status == S.PENDING
    assert (row.status, row.attempts) == (S.GAVE_UP, 2)
    assert row.last_error.startswith("Could not reach Gone: ConnectionError")


def test_the_request_names_our_delivery_so_a_repeat_can_be_dropped(server):
    server.answer(ACCEPTED[K.WEBHOOK])
    room(server, K.WEBHOOK)

    row, _status = send_one()

    assert json.loads(server.received[0].body)["delivery"] == row.key


def test_a_redirect_is_not_followed_and_fails_with_where_it_points(server):
    server.answer(Answer(301, b"", {"Location": "https://hooks.example.com/new"}))
    room(server, K.WEBHOOK)

    row, status = send_one()

    row.refresh_from_db()
    assert (status, row.attempts) == (S.GAVE_UP, 1)
    assert "moved to https://hooks.example.com/new" in row.last_error
    assert len(server.received) == 1
