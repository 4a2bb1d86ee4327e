"""Browser notifications on the Account page: a browser's subscription posted as JSON (kept
once, refused with the field named), a browser removed or forgotten at sign-out, the kinds a
person keeps on, and the page without a VAPID key."""

import json

import pytest
from django.urls import reverse

from crisis.models import Profile, PushSubscription
from crisis.outbound import Event, EventKind, raise_event
from crisis.outbound.events import PushTopic
from crisis.outbound.models import BROWSER_GONE, Delivery

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("account-push-subscribe")
REMOVE = reverse("account-push-remove")
TOPICS = reverse("account-push-topics")


def post_json(client, data, **extra):
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(SUBSCRIBE, body, content_type="application/json", **extra)


def test_a_browser_posts_its_subscription_once_however_often_it_is_sent(
    client, comms, push_service
):
    client.force_login(comms)
    info = push_service.subscriber("phone").info()

    first = post_json(client, info, HTTP_USER_AGENT="Firefox on Android")
    again = post_json(client, info, HTTP_USER_AGENT="Firefox on Android")

    assert (first.status_code, first.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (200, False)
    browser = PushSubscription.objects.get()
    assert (browser.user, browser.endpoint, browser.user_agent) == (
        comms,
        info["endpoint"],
        "Firefox on Android",
    )
    page = client.get(reverse("account"))
    assert "Firefox on Android" in page.content.decode()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", "subscription"),
        ("[1, 2]", "subscription"),
        ({"keys": {}}, "endpoint"),
        ({"endpoint": "https://fcm.googleapis.com/fcm/send/abc"}, "keys"),
        (
            {"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": {"auth": "AAAA"}},
            "keys.p256dh",
        ),
    ],
)
def test_a_malformed_subscription_is_refused_naming_the_field(client, comms, vapid, body, field):
    client.force_login(comms)
    response = post_json(client, body)
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_keys_that_are_not_a_browsers_are_refused(client, comms, push_service):
    client.force_login(comms)
    info = push_service.subscriber("phone").info()
    bad_point = {**info["keys"], "p256dh": "BA" + "A" * 85}
    short_auth = {**info["keys"], "auth": "AAAA"}

    assert "keys.p256dh" in post_json(client, {**info, "keys": bad_point}).json()["errors"]
    assert "keys.auth" in post_json(client, {**info, "keys": short_auth}).json()["errors"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not https
        "https://intranet.example.com/push/abc",  # not a push service
        "https://fcm.googleapis.com.example.com/x",  # only looks like one
        "https://user:pw@fcm.googleapis.com/fcm/send/abc",
        "ftp://fcm.googleapis.com/x",
    ],
)
def test_only_https_addresses_of_a_push_service_are_kept(
    client, comms, push_service, settings, endpoint
):
    client.force_login(comms)
    info = push_service.subscriber("phone").info()
    response = post_json(client, {**info, "endpoint": endpoint})
    assert response.status_code == 400
    assert "endpoint" in response.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_a_loopback_address_is_refused_outside_tests_and_a_push_service_accepted(
    client, comms, push_service, settings
):
    client.force_login(comms)
    info = push_service.subscriber("phone").info()
    settings.WEB_PUSH_ALLOW_LOOPBACK = False
    assert "endpoint" in post_json(client, info).json()["errors"]
    apple = {**info, "endpoint": "https://web.push.apple.com/QGuQyavX"}
    assert post_json(client, apple).status_code == 201


def test_without_a_vapid_key_push_is_not_offered_and_nothing_is_kept(client, comms, push_service):
    info = push_service.subscriber("phone").info()
    from django.conf import settings

    settings.WEB_PUSH_VAPID_PRIVATE_KEY = ""
    client.force_login(comms)

    page = client.get(reverse("account")).content.decode()
    assert "Notifications are not set up on this desk" in page
    assert "data-push-key" not in page
    response = post_json(client, info)
    assert response.status_code == 400
    assert "__all__" in response.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_the_page_offers_push_with_the_desks_public_key(client, comms, vapid):
    from crisis.outbound import push

    client.force_login(comms)
    page = client.get(reverse("account")).content.decode()
    assert f'data-push-key="{push.public_key()}"' in page
    assert "Turn on notifications on this browser" in page
    assert "js/push.js" in page


def test_a_person_removes_their_browser_and_its_waiting_notifications_are_dropped(
    client, comms, manager, push_service
):
    mine, _ = PushSubscription.subscribe(comms, push_service.subscriber("a").info())
    theirs, _ = PushSubscription.subscribe(manager, push_service.subscriber("b").info())
    [waiting] = raise_event(
        Event(
            kind=EventKind.TEAM_CALLED,
            key="callout:1",
            title="Call-out",
            text="Come",
            url="https://desk.example.com/",
            people=(comms.pk,),
        )
    )
    client.force_login(comms)

    # Someone else's browser is not found, by id or by address.
    client.post(REMOVE, {"subscription": theirs.pk})
    client.post(REMOVE, {"endpoint": theirs.endpoint})
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()

    response = client.post(REMOVE, {"subscription": mine.pk})
    assert response.status_code == 302
    assert not PushSubscription.objects.filter(pk=mine.pk).exists()
    waiting.refresh_from_db()
    assert (waiting.status, waiting.last_error) == (Delivery.Status.DROPPED, BROWSER_GONE)


def test_signing_out_of_a_browser_forgets_that_browser_only(client, comms, push_service):
    here, _ = PushSubscription.subscribe(comms, push_service.subscriber("here").info())
    elsewhere, _ = PushSubscription.subscribe(comms, push_service.subscriber("there").info())
    client.force_login(comms)

    client.post(reverse("logout"), {"push_endpoint": here.endpoint})

    assert list(PushSubscription.objects.all()) == [elsewhere]


def test_a_person_chooses_the_kinds_they_are_notified_of(client, comms, vapid):
    client.force_login(comms)
    page = client.get(reverse("account")).content.decode()
    # Everything is on until something is unticked.
    assert page.count('name="wanted"') == len(PushTopic.values)
    assert page.count("checked") >= len(PushTopic.values)

    response = client.post(TOPICS, {"wanted": [PushTopic.CALLOUT, PushTopic.CLOCK]})

    assert response.status_code == 302
    profile = Profile.objects.get(user=comms)
    assert set(profile.push_muted) == set(PushTopic.values) - {PushTopic.CALLOUT, PushTopic.CLOCK}
    assert profile.push_wanted == [PushTopic.CLOCK, PushTopic.CALLOUT]


def test_an_unknown_kind_is_refused_by_the_field_and_nothing_changes(client, comms, vapid):
    client.force_login(comms)
    response = client.post(TOPICS, {"wanted": ["everything"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Profile.objects.filter(user=comms).exclude(push_muted=[]).exists()


def test_a_browser_posted_by_someone_else_signed_in_there_moves_to_them(
    client, comms, manager, push_service
):
    info = push_service.subscriber("shared-tablet").info()
    PushSubscription.subscribe(manager, info)
    client.force_login(comms)

    assert post_json(client, info).status_code == 200

    assert list(PushSubscription.objects.values_list("user", flat=True)) == [comms.pk]


def test_the_account_pages_queries_do_not_grow_with_browsers(
    client, comms, push_service, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PushSubscription.subscribe(comms, push_service.subscriber("one").info())
    client.force_login(comms)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("account"))
    for name in ("two", "three", "four"):
        PushSubscription.subscribe(comms, push_service.subscriber(name).info())
    with django_assert_max_num_queries(len(one)):
        page = client.get(reverse("account"))
    assert page.content.decode().count('name="subscription"') == 4
