"""The demo desk has an open media inquiry with its deadline, assigned to a spokesperson and with
an answer waiting for a manager's approval; seeding again adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from crisis import clocks, timekeeper
from press.models import MediaInquiry

pytestmark = pytest.mark.usefixtures("playbooks")


def seed():
    out = StringIO()
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    return out.getvalue()


def test_the_demo_has_an_open_inquiry_due_soon(db, client):
    output = seed()

    inquiry = MediaInquiry.objects.select_related("incident", "spokesperson").get()
    assert "Media inquiries: 1 new." in output
    assert inquiry.is_open and inquiry.incident.is_open
    assert inquiry.status == MediaInquiry.Status.ASSIGNED
    assert inquiry.spokesperson.username == "manager"
    assert inquiry.received_at < timekeeper.now() < inquiry.deadline
    assert inquiry.clock().state == clocks.OK
    # Its answer is new wording by the comms person: the manager may approve it.
    assert inquiry.worded_by.username == "comms"
    assert not inquiry.answer_approval_refusal(inquiry.spokesperson)
    assert [h.history_change_reason for h in inquiry.history.order_by("history_id")] == [
        "Logged",
        "Answer worded",
    ]
    client.force_login(inquiry.spokesperson)
    page = client.get(reverse("press:list")).content.decode()
    assert "The Morning Ledger" in page


def test_seeding_again_adds_no_inquiry(db):
    seed()

    output = seed()

    assert MediaInquiry.objects.count() == 1
    assert "Media inquiries: 0 new." in output
