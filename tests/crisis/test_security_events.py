"""The sign-in audit: sign-ins, refusals, lockouts and two-factor changes, recorded once each,
read by admins in the admin site and never changed or deleted there."""

from django.urls import reverse

from crisis.models import SecurityEvent
from tests import factories

Kind = SecurityEvent.Kind
LOGIN = reverse("login")
BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 " + "x" * 400, "REMOTE_ADDR": "198.51.100.7"}


def test_a_sign_in_is_recorded_with_who_when_address_and_browser(client, comms):
    client.post(LOGIN, {"username": "comms", "password": factories.PASSWORD}, **BROWSER)

    event = SecurityEvent.objects.get()
    assert (event.kind, event.user, event.username) == (Kind.SIGNED_IN, comms, "comms")
    assert event.ip_address == "198.51.100.7"
    assert event.user_agent.startswith("Mozilla/5.0 ") and len(event.user_agent) == 255
    assert event.at is not None


def test_a_refused_sign_in_is_recorded_with_the_username_typed(client, comms):
    client.post(LOGIN, {"username": "comms", "password": "guess"}, **BROWSER)
    client.post(LOGIN, {"username": "nobody-here", "password": "guess"}, **BROWSER)

    rows = SecurityEvent.objects.order_by("pk")
    assert [(e.kind, e.user, e.username) for e in rows] == [
        (Kind.SIGN_IN_FAILED, None, "comms"),
        (Kind.SIGN_IN_FAILED, None, "nobody-here"),
    ]


def test_the_client_address_is_the_one_the_trusted_proxy_saw(client, comms, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        LOGIN,
        {"username": "comms", "password": "guess"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7",
    )
    assert SecurityEvent.objects.get().ip_address == "203.0.113.7"


def test_a_lockout_is_recorded(client, comms, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(LOGIN, {"username": "comms", "password": "guess"}, **BROWSER)
    locked = client.post(LOGIN, {"username": "comms", "password": factories.PASSWORD}, **BROWSER)

    assert locked.status_code == 429
    kinds = list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert Kind.LOCKED_OUT in kinds
    assert Kind.SIGNED_IN not in kinds
    assert kinds.count(Kind.SIGN_IN_FAILED) >= 3


def test_signing_out_is_recorded(client, comms):
    client.post(LOGIN, {"username": "comms", "password": factories.PASSWORD})
    client.post(reverse("logout"))
    kinds = list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [Kind.SIGNED_IN, Kind.SIGNED_OUT]


def test_admins_read_the_events_and_cannot_change_or_delete_them(client, admin, comms):
    client.post(LOGIN, {"username": "comms", "password": "guess"}, **BROWSER)
    event = SecurityEvent.objects.get()
    client.force_login(admin)

    listing = client.get(reverse("admin:crisis_securityevent_changelist"))
    assert listing.status_code == 200
    assert "198.51.100.7" in listing.content.decode()
    page = client.get(reverse("admin:crisis_securityevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()

    changed = client.post(
        reverse("admin:crisis_securityevent_change", args=[event.pk]), {"username": "someone"}
    )
    deleted = client.post(
        reverse("admin:crisis_securityevent_delete", args=[event.pk]), {"post": "yes"}
    )
    bulk = client.post(
        reverse("admin:crisis_securityevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert bulk.status_code in (200, 302)
    assert SecurityEvent.objects.filter(pk=event.pk, username="comms").exists()
    assert client.get(reverse("admin:crisis_securityevent_add")).status_code == 403


def test_people_in_the_app_cannot_read_the_events(client, manager):
    client.force_login(manager)
    response = client.get(reverse("admin:crisis_securityevent_changelist"))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
