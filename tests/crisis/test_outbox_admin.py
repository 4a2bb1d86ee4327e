"""The outbox and the chat channels in the admin site: staff add a channel (its secret never
shown back), read every delivery's attempts, last error and next attempt, and retry a failed
one; nobody else reaches these pages."""

import pytest
from django.core import mail
from django.urls import reverse

from crisis.outbound import Event, EventKind, raise_event
from crisis.outbound.models import ChatChannel, Delivery
from tests import factories
from tests.outbox import deliver

SECRET = "a-secret-the-receiver-knows"


def add_channel(client, **overrides):
    data = {
        "name": "Signed endpoint",
        "kind": "webhook",
        "url": "https://hooks.example.com/crisis",
        "secret": SECRET,
        "events": [EventKind.INCIDENT_DECLARED, EventKind.PUBLISHED],
        "severities": ["1", "2"],
        "is_active": "on",
    }
    return client.post(reverse("admin:crisis_chatchannel_add"), {**data, **overrides})


@pytest.fixture
def failed(db):
    row = raise_event(
        Event(
            EventKind.REVIEW_REQUESTED,
            "statement:1",
            "Waiting for your approval",
            "Please look.",
            "https://desk.example.com/statements/1/",
            recipients=("lena@example.com",),
        )
    )[0]
    Delivery.objects.filter(pk=row.pk).update(
        status=Delivery.Status.GAVE_UP, attempts=8, last_error="SMTP server down"
    )
    return row


def test_an_admin_adds_a_channel_and_its_secret_is_never_shown_back(client_as, admin):
    client = client_as(admin)

    response = add_channel(client)

    assert response.status_code == 302, factories.page_text(response)
    channel = ChatChannel.objects.get()
    assert (channel.kind, channel.secret, channel.severities) == ("webhook", SECRET, ["1", "2"])
    assert channel.events == [EventKind.INCIDENT_DECLARED, EventKind.PUBLISHED]
    page = client.get(reverse("admin:crisis_chatchannel_change", args=[channel.pk]))
    assert SECRET not in page.content.decode()
    assert "Never shown again" in factories.page_text(page)


def test_saving_with_the_secret_left_blank_keeps_it(client_as, admin):
    client = client_as(admin)
    add_channel(client)
    channel = ChatChannel.objects.get()
    url = reverse("admin:crisis_chatchannel_change", args=[channel.pk])
    form = dict(factories.form_values(client.get(url), "name").lists())
    form["name"] = ["Renamed endpoint"]

    response = client.post(url, form)

    assert response.status_code == 302, factories.page_text(response)
    channel.refresh_from_db()
    assert (channel.name, channel.secret) == ("Renamed endpoint", SECRET)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://hooks.example.com/x", "javascript:alert(1)"]
)
def test_a_webhook_url_must_be_http_or_https(client_as, admin, url):
    response = add_channel(client_as(admin), url=url)

    assert response.status_code == 200
    assert "Enter a valid URL." in factories.page_text(response)
    assert not ChatChannel.objects.exists()


def test_a_generic_webhook_needs_a_secret(client_as, admin):
    response = add_channel(client_as(admin), secret="")

    assert "A generic webhook needs a secret to sign with." in factories.page_text(response)
    assert not ChatChannel.objects.exists()


def test_the_outbox_list_shows_status_attempts_next_attempt_and_last_error(
    client_as, admin, failed
):
    text = factories.page_text(client_as(admin).get(reverse("admin:crisis_delivery_changelist")))

    assert "lena@example.com" in text
    assert "Failed" in text
    assert "SMTP server down" in text
    assert "Retry now" in text


def test_retry_now_sends_a_failed_delivery_again(
    client_as, admin, failed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(admin).post(
            reverse("admin:crisis_delivery_changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert "1 delivery(ies) queued again." in factories.page_text(response)
    deliver()

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Delivery.Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [["lena@example.com"]]


def test_a_delivery_is_read_but_never_edited_in_the_admin(client_as, admin, failed):
    client = client_as(admin)
    url = reverse("admin:crisis_delivery_change", args=[failed.pk])

    assert "SMTP server down" in factories.page_text(client.get(url))
    assert client.post(url, {"status": "sent"}).status_code == 403
    assert factories.reload(failed).status == Delivery.Status.GAVE_UP


@pytest.mark.parametrize("role", ["anonymous", "viewer", "comms", "manager"])
@pytest.mark.parametrize("page", ["crisis_delivery_changelist", "crisis_chatchannel_add"])
def test_only_staff_reach_the_outbox_and_the_channels(role, page, request, client_as):
    user = None if role == "anonymous" else request.getfixturevalue(role)

    response = client_as(user).get(reverse(f"admin:{page}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
