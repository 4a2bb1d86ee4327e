"""Subscribing through the public pages, with every mail crossing a real SMTP server: the
confirmation link, the news of each statement and public update, one-click unsubscribe."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from crisis import timekeeper
from crisis.outbound.models import Delivery
from responses.models import ProgressUpdate, Statement
from subscriptions.models import Subscription
from tests import factories
from tests.mail_server import body_of, link_in
from tests.outbox import deliver

READER = "reader@example.org"


def subscribe(client, incident, address=READER, capture=None):
    url = reverse("subscriptions:subscribe-page", args=[incident.public_token])
    return client.post(url, {"email": address})


def subscribe_and_confirm(client, incident, smtp, capture, address=READER):
    with capture(execute=True):
        subscribe(client, incident, address)
    deliver()
    link = link_in(smtp.to(address)[-1], "/confirm/")
    client.post(link.removeprefix("https://crisis.example.com"))
    return Subscription.objects.get(email=address, incident=incident)


def publish_statement(incident, capture, body):
    with capture(execute=True):
        statement = factories.make_statement(
            incident,
            status=Statement.Status.PUBLISHED,
            kind=Statement.Kind.ACKNOWLEDGEMENT,
            body=body,
        )
    deliver()
    return statement


def test_a_reader_confirms_then_hears_of_each_statement_and_update(
    client, open_incident, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, open_incident)
    assert response.status_code == 302
    assert response["Location"] == reverse("subscriptions:sent")
    row = Subscription.objects.get()
    assert not row.is_confirmed
    deliver()
    (confirmation,) = smtp.to(READER)
    assert "Late deliveries" in body_of(confirmation)
    link = link_in(confirmation, "/confirm/")

    # Opening the link (a mail scanner would) confirms nothing; the button does.
    path = link.removeprefix("https://crisis.example.com")
    assert b"Confirm" in client.get(path).content
    assert not Subscription.objects.get().is_confirmed
    assert client.post(path).status_code == 200
    assert Subscription.objects.get().is_confirmed
    # The link is used up.
    assert client.post(path).status_code == 404

    publish_statement(open_incident, django_capture_on_commit_callbacks, "Refunds start today.")
    news = smtp.to(READER)[-1]
    assert news["Subject"] == "New statement: Late deliveries"
    assert "Refunds start today." in body_of(news)
    leave = link_in(news, "/unsubscribe/")
    # A long header is folded onto a second line; a mail client unfolds it.
    assert news["List-Unsubscribe"].strip() == f"<{leave}>"
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert open_incident.public_token in body_of(news)  # the public page's address

    with django_capture_on_commit_callbacks(execute=True):
        factories.make_update(
            open_incident,
            kind=ProgressUpdate.Kind.PUBLIC,
            status=ProgressUpdate.Status.PUBLISHED,
            body="Half of the late orders have shipped.",
        )
    deliver()
    update = smtp.to(READER)[-1]
    assert update["Subject"] == "New update: Late deliveries"
    assert "Half of the late orders have shipped." in body_of(update)


def test_one_click_unsubscribe_deletes_the_address_without_cookie_or_token(
    client, open_incident, smtp, django_capture_on_commit_callbacks
):
    subscribe_and_confirm(client, open_incident, smtp, django_capture_on_commit_callbacks)
    publish_statement(open_incident, django_capture_on_commit_callbacks, "First word.")
    leave = link_in(smtp.to(READER)[-1], "/unsubscribe/")

    # What a mail client sends (RFC 8058): a bare POST, no cookie, no CSRF token.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        leave.removeprefix("https://crisis.example.com"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not response.cookies
    assert not Subscription.objects.filter(email=READER).exists()
    # Nor does the outbox keep it: the confirmation and the news mailed are deleted.
    assert not Delivery.objects.filter(recipient=READER).exists()

    sent = len(smtp.to(READER))
    publish_statement(open_incident, django_capture_on_commit_callbacks, "Second word.")
    assert len(smtp.to(READER)) == sent


def test_the_unsubscribe_link_asks_before_it_acts(
    client, open_incident, smtp, django_capture_on_commit_callbacks
):
    row = subscribe_and_confirm(client, open_incident, smtp, django_capture_on_commit_callbacks)
    url = reverse("subscriptions:unsubscribe", args=[row.key])
    response = client.get(url)
    assert b"Unsubscribe</button>" in response.content
    assert Subscription.objects.filter(pk=row.pk).exists()
    client.post(url)
    assert b"not subscribed to anything" in client.get(url).content


def test_the_answer_is_the_same_whatever_the_address_state(
    client, open_incident, smtp, django_capture_on_commit_callbacks, settings
):
    settings.SUBSCRIPTION_RESEND_SECONDS = 0
    subscribe_and_confirm(client, open_incident, smtp, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        Subscription.objects.create(
            email="pending@example.org",
            incident=open_incident,
            confirm_digest="x" * 64,
            confirm_by=timekeeper.now() + timedelta(hours=1),
        )
    answers = []
    for address in (READER, "pending@example.org", "new@example.org"):
        response = subscribe(client, open_incident, address)
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1
    page = client.get(answers[0][1])
    assert b"If this address can receive our updates" in page.content
    deliver()
    # The confirmed reader is not asked again; the others are.
    assert [m["To"] for m in smtp.messages].count(READER) == 1
    assert smtp.to("new@example.org") and smtp.to("pending@example.org")


def test_a_double_submit_sends_one_mail_and_keeps_one_row(
    client, open_incident, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, open_incident)
        subscribe(client, open_incident, address=READER.upper())
    deliver()
    assert Subscription.objects.count() == 1
    assert len(smtp.to(READER)) == 1


def test_a_confirmation_link_expires_and_the_row_is_pruned(
    client, open_incident, smtp, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, open_incident)
    deliver()
    path = link_in(smtp.to(READER)[0], "/confirm/").removeprefix("https://crisis.example.com")
    later = timekeeper.now() + timedelta(hours=settings.SUBSCRIPTION_CONFIRM_HOURS, minutes=1)
    with time_machine.travel(later, tick=False):
        response = client.post(path)
        assert response.status_code == 410
        assert b"This link has expired" in response.content
        assert b'name="email"' in response.content  # the form to ask again
        assert not Subscription.objects.get().is_confirmed
        assert Subscription.objects.prune() == 1
    assert not Subscription.objects.exists()
    assert not Delivery.objects.filter(recipient=READER).exists()


def test_a_bounced_confirmation_gives_up_and_mails_nothing_more(
    client, open_incident, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(client, open_incident, address="bounce@example.org")
    deliver()
    delivery = Delivery.objects.get(recipient="bounce@example.org")
    assert delivery.status == Delivery.Status.GAVE_UP
    assert "refused the address" in delivery.last_error
    assert delivery.attempts == 1
    # Still pending: never mailed news, and deleted when its link expires.
    row = Subscription.objects.get()
    assert not row.is_confirmed
    publish_statement(open_incident, django_capture_on_commit_callbacks, "News.")
    assert not Delivery.objects.filter(recipient="bounce@example.org").exclude(pk=delivery.pk)


def test_a_drill_never_mails_its_readers(
    client, comms, manager, smtp, django_capture_on_commit_callbacks
):
    drill = factories.make_incident(comms, public_title="Practice run", is_drill=True)
    factories.make_statement(drill, comms, status=Statement.Status.PUBLISHED)
    drill.open_public_page(by=manager)
    drill.refresh_from_db()
    # The page offers no form, and the form's address does not exist for it.
    assert (
        b"Get updates by mail"
        not in client.get(reverse("responses:public-page", args=[drill.public_token])).content
    )
    assert subscribe(client, drill).status_code == 404
    # Even readers already there (a page turned into a drill later) hear nothing.
    for incident in (drill, None):
        Subscription.objects.create(
            email=f"r{incident and 1}@example.org", incident=incident, confirmed_at=timekeeper.now()
        )
    publish_statement(drill, django_capture_on_commit_callbacks, "Practice wording.")
    assert not Delivery.objects.filter(recipient__startswith="r")
    assert not [m for m in smtp.messages if m["To"].startswith("r")]


def test_a_reader_of_both_pages_gets_one_mail_and_a_closed_page_mails_nobody(
    client, open_incident, manager, smtp, django_capture_on_commit_callbacks
):
    now = timekeeper.now()
    Subscription.objects.create(email=READER, incident=open_incident, confirmed_at=now)
    Subscription.objects.create(email=READER, incident=None, confirmed_at=now)
    Subscription.objects.create(email="status@example.org", incident=None, confirmed_at=now)
    publish_statement(open_incident, django_capture_on_commit_callbacks, "Both hear.")
    assert len(smtp.to(READER)) == 1
    assert len(smtp.to("status@example.org")) == 1

    # Leaving the page keeps the status page's mail, and what the outbox holds for it.
    page_row = Subscription.objects.get(email=READER, incident=open_incident)
    client.post(reverse("subscriptions:unsubscribe", args=[page_row.key]))
    assert Subscription.objects.filter(email=READER, incident=None).exists()
    assert Delivery.objects.filter(recipient=READER).exists()

    open_incident.close_public_page(by=manager)
    publish_statement(open_incident, django_capture_on_commit_callbacks, "Nobody outside hears.")
    assert len(smtp.to(READER)) == 1
    assert len(smtp.to("status@example.org")) == 1


@pytest.mark.parametrize("where", ["page", "status"])
def test_the_status_page_and_the_public_page_link_to_the_form_and_set_no_cookie(
    client, open_incident, where
):
    url = (
        reverse("responses:public-page", args=[open_incident.public_token])
        if where == "page"
        else reverse("responses:status-page")
    )
    response = client.get(url)
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    form_url = (
        reverse("subscriptions:subscribe-page", args=[open_incident.public_token])
        if where == "page"
        else reverse("subscriptions:subscribe-status")
    )
    assert f'href="{form_url}"'.encode() in response.content
    form = client.get(form_url)
    assert form.status_code == 200
    assert re.search(rb'<label\s+for="id_email"[^>]*>\s*Email address', form.content)
    assert form["Cache-Control"] == "no-store"
