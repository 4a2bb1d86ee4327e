"""The demo connects nothing outside: its example chat channel is inactive and points at a
name that never resolves, and what its made-up story raised waits in the outbox refused."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from crisis.outbound.models import ChatChannel, Delivery
from demo.management.commands.seed_demo import DEMO_REFUSAL
from tests.outbox import deliver


@pytest.mark.django_db(transaction=True)
def test_the_demo_shows_an_inactive_example_channel_and_sends_nothing(playbooks):
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=StringIO())

    channel = ChatChannel.objects.get()
    assert not channel.is_active
    assert ".invalid/" in channel.url
    assert Delivery.objects.exists()  # the story's mails were recorded…
    assert set(Delivery.objects.values_list("status", "last_error")) == {
        (Delivery.Status.REFUSED, DEMO_REFUSAL)
    }
    assert deliver().sent == 0  # …and none goes out
    assert mail.outbox == []
