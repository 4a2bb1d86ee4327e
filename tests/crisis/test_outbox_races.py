"""Two workers at once on the same outbox row (real threads, each with its own database
connection, tests/races.py): exactly one sends."""

import pytest
from django.core import mail

from crisis.outbound import Event, EventKind, raise_event
from crisis.outbound.models import Delivery
from crisis.outbound.sending import deliver, deliver_due
from tests.races import race

pytestmark = pytest.mark.django_db(transaction=True)


def queued(recipients=("lena@example.com",), key="race"):
    return raise_event(
        Event(
            EventKind.REVIEW_REQUESTED,
            key,
            "Waiting for your approval",
            "Please look.",
            "https://desk.example.com/statements/1/",
            recipients=recipients,
        )
    )


def test_two_workers_claiming_one_row_at_once_send_it_once():
    row = queued()[0]
    outcomes = []

    successes, refusals = race(["a", "b"], lambda worker: outcomes.append(deliver(row.pk)))

    assert len(successes) + len(refusals) == 2
    # The loser found the row taken (None), or on SQLite gave up waiting for the lock.
    assert outcomes.count(Delivery.Status.SENT) == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Delivery.Status.SENT, 1)


def test_two_sweeps_at_once_send_each_row_once():
    rows = queued(recipients=tuple(f"person{n}@example.com" for n in range(6)), key="sweep")

    race(["a", "b"], lambda worker: deliver_due())

    assert sorted(m.to[0] for m in mail.outbox) == sorted(row.recipient for row in rows)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Delivery.Status.SENT, 1)}


def test_the_same_event_raised_from_two_threads_is_recorded_once():
    successes, refusals = race(["a", "b"], lambda worker: queued(key="twice"))

    assert len(successes) + len(refusals) == 2
    assert Delivery.objects.count() == 1
