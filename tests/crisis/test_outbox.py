"""The outbound pipeline (crisis.outbound): an event becomes one delivery per channel and
recipient, each recorded once under its idempotency key, sent by the job, retried with backoff
and given up visibly; a drill never leaves the desk."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from crisis.outbound import Event, EventKind, raise_event
from crisis.outbound.channels import retry_after
from crisis.outbound.models import DRILL_REFUSAL, ChatChannel, Delivery
from crisis.outbound.sending import backoff, claim, deliver, deliver_due
from crisis.outbound.tasks import deliver as deliver_task

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
S = Delivery.Status


def event(**overrides):
    fields = {
        "kind": EventKind.REVIEW_REQUESTED,
        "key": "statement:7:v2",
        "title": "[CR-2026-001] Waiting for your approval",
        "text": "Please look at it.",
        "url": "https://desk.example.com/statements/7/",
        "severity": 2,
        "recipients": ("lena@example.com", "max@example.com"),
    }
    return Event(**{**fields, **overrides})


def channel(name="Comms room", **overrides):
    fields = {
        "kind": ChatChannel.Kind.SLACK,
        "url": "http://127.0.0.1:9/never-called",
        "events": [EventKind.REVIEW_REQUESTED],
        "severities": ["1", "2"],
    }
    return ChatChannel.objects.create(name=name, **{**fields, **overrides})


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = "tests.responses.test_mail.BrokenBackend"


# Recording


def test_an_event_is_one_delivery_per_recipient_and_per_channel_that_wants_it():
    room = channel()
    channel("Minor only", severities=["4"])
    channel("Other events", events=[EventKind.MENTION_SPIKE])
    channel("Switched off", is_active=False)

    created = raise_event(event())

    assert sorted(row.destination for row in created) == [
        "Comms room",
        "lena@example.com",
        "max@example.com",
    ]
    chat = Delivery.objects.get(channel=Delivery.Channel.CHAT)
    assert (chat.chat_channel, chat.status, chat.url) == (room, S.PENDING, event().url)


def test_an_event_without_severity_reaches_every_channel_wanting_its_kind():
    channel(severities=["4"], events=[EventKind.IMPORT_FAILED])

    created = raise_event(event(kind=EventKind.IMPORT_FAILED, severity=None, recipients=()))

    assert [row.destination for row in created] == ["Comms room"]


def test_the_same_event_raised_twice_is_recorded_and_sent_once():
    channel()
    assert len(raise_event(event())) == 3

    assert raise_event(event()) == []
    assert deliver_due().sent == 2  # the chat's server is not there; the mails go
    assert sorted(m.to[0] for m in mail.outbox) == ["lena@example.com", "max@example.com"]
    raise_event(event())
    assert deliver_due().sent == 0
    assert len(mail.outbox) == 2


def test_each_delivery_has_its_own_idempotency_key():
    room = channel()
    raise_event(event())

    assert sorted(Delivery.objects.values_list("key", flat=True)) == [
        f"review.requested:statement:7:v2:chat:{room.pk}",
        "review.requested:statement:7:v2:mail:lena@example.com",
        "review.requested:statement:7:v2:mail:max@example.com",
    ]


def test_a_drill_is_refused_by_every_chat_channel_visibly_and_mailed_to_the_team():
    channel()

    raise_event(event(is_drill=True))
    deliver_due()

    refused = Delivery.objects.get(channel=Delivery.Channel.CHAT)
    assert (refused.status, refused.last_error, refused.attempts) == (S.REFUSED, DRILL_REFUSAL, 0)
    assert claim(refused.pk) is None
    assert len(mail.outbox) == 2  # the team's own mail is inside the desk


# Sending


def test_the_job_sends_a_mail_and_records_it():
    row = raise_event(event(recipients=("lena@example.com",)))[0]

    assert deliver_task.call(row.pk) == S.SENT

    row.refresh_from_db()
    assert (row.status, row.attempts, row.sent_at, row.last_error) == (S.SENT, 1, NOW, "")
    assert mail.outbox[0].subject == "[CR-2026-001] Waiting for your approval"
    assert mail.outbox[0].body == "Please look at it."
    assert deliver_task.call(row.pk) is None  # a duplicate job finds it sent
    assert len(mail.outbox) == 1


def test_a_failed_mail_waits_with_backoff_and_is_then_sent(broken_mail, settings, frozen):
    row = raise_event(event(recipients=("lena@example.com",)))[0]

    assert deliver(row.pk) == S.PENDING
    row.refresh_from_db()
    assert row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(seconds=settings.OUTBOX_BACKOFF_SECONDS)
    assert "SMTP server down" in row.last_error
    assert deliver(row.pk) is None  # not due yet

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    frozen.shift(timedelta(seconds=settings.OUTBOX_BACKOFF_SECONDS))
    assert deliver(row.pk) == S.SENT
    assert len(mail.outbox) == 1


def test_the_wait_doubles_and_is_capped(settings):
    settings.OUTBOX_BACKOFF_SECONDS = 30
    settings.OUTBOX_MAX_BACKOFF_SECONDS = 200

    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 200]


def test_after_the_last_attempt_it_is_marked_failed_with_its_error(broken_mail, settings, frozen):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    row = raise_event(event(recipients=("lena@example.com",)))[0]

    outcomes = []
    for _attempt in range(4):
        outcomes.append(deliver(row.pk))
        frozen.shift(timedelta(hours=2))

    assert outcomes == [S.PENDING, S.PENDING, S.GAVE_UP, None]
    row.refresh_from_db()
    assert (row.status, row.get_status_display(), row.attempts) == (S.GAVE_UP, "Failed", 3)
    assert row.last_error.endswith("(gave up after 3 attempts)")


def test_retry_now_gives_a_failed_delivery_a_fresh_start_but_not_a_sent_or_refused_one():
    channel()
    rows = raise_event(event(is_drill=True))
    failed, sent, refused = sorted(rows, key=lambda row: (row.channel, row.recipient))[::-1]
    Delivery.objects.filter(pk=failed.pk).update(status=S.GAVE_UP, attempts=8)
    Delivery.objects.filter(pk=sent.pk).update(status=S.SENT)

    retried = Delivery.retry_now(Delivery.objects.all())

    assert retried == [failed.pk]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (S.PENDING, 0, NOW)
    assert Delivery.objects.get(pk=refused.pk).status == S.REFUSED


# A worker that died between the call and the record


def test_a_row_left_sending_is_taken_over_only_once_its_lease_expires(settings, frozen):
    row = raise_event(event(recipients=("lena@example.com",)))[0]
    assert claim(row.pk) == 1  # the first worker claims it, then dies before recording

    assert deliver(row.pk) is None  # the lease still runs: nobody sends it again
    frozen.shift(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS - 1))
    assert deliver_due().sent == 0

    frozen.shift(timedelta(seconds=2))
    assert deliver_due().sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_worker_that_outlived_its_lease_cannot_overwrite_the_outcome(settings, frozen):
    row = raise_event(event(recipients=("lena@example.com",)))[0]
    assert claim(row.pk) == 1
    frozen.shift(timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    assert claim(row.pk) == 2  # taken over

    from crisis.outbound.sending import _record

    _record(row, 1, status=S.GAVE_UP, last_error="late news from attempt 1")

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (S.SENDING, 2, "")


# Retry-After


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("120", 120),
        ("0", 0),
        ("Sat, 14 Mar 2026 09:05:00 GMT", 300),
        ("Sat, 14 Mar 2026 08:00:00 GMT", 0),  # a date past: at once
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date(value, seconds):
    wait = retry_after(value, now=NOW)

    assert (None if wait is None else wait.total_seconds()) == seconds


def test_the_deliver_outbox_command_sends_what_is_due():
    from io import StringIO

    from django.core.management import call_command

    raise_event(event())
    out = StringIO()

    call_command("deliver_outbox", stdout=out)

    assert out.getvalue() == "Sent 2, failed 0.\n"
    assert len(mail.outbox) == 2
