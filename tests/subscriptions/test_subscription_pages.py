"""The rules around the subscription pages: rate limits, who sees the addresses, the counts on
the incident page, the kernel staying closed to chat for a stranger's address."""

import pytest
from django.core import mail
from django.urls import reverse

from crisis import timekeeper
from crisis.outbound.events import CHAT_EVENT_CHOICES, EventKind
from crisis.outbound.models import ChatChannel
from subscriptions.models import Subscription
from subscriptions.views import subscribers_panel
from tests import factories
from tests.outbox import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def status_url():
    return reverse("subscriptions:subscribe-status")


def test_an_address_asked_for_too_often_gets_the_same_answer_and_no_more_mail(
    client, status_url, settings, django_capture_on_commit_callbacks
):
    settings.SUBSCRIPTION_RESEND_SECONDS = 0
    settings.SUBSCRIPTION_LIMIT_PER_ADDRESS = 2
    answers = set()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            response = client.post(status_url, {"email": "target@example.org"})
            answers.add((response.status_code, response["Location"]))
    deliver()
    assert answers == {(302, reverse("subscriptions:sent"))}
    assert [m.to for m in mail.outbox] == [["target@example.org"]] * 2


def test_a_client_asking_too_often_is_told_to_wait_without_a_word_about_the_address(
    client, status_url, settings
):
    settings.SUBSCRIPTION_LIMIT_PER_CLIENT = 3
    for number in range(3):
        assert client.post(status_url, {"email": f"a{number}@example.org"}).status_code == 302
    response = client.post(status_url, {"email": "a0@example.org"})
    assert response.status_code == 429
    assert b"try again in an hour" in response.content
    assert b"a0@example.org" not in response.content
    assert Subscription.objects.count() == 3
    # Another client is not held back.
    other = client.post(status_url, {"email": "b@example.org"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


def test_a_bad_address_is_named_by_the_field(client, status_url):
    response = client.post(status_url, {"email": "not an address"})
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content
    assert not Subscription.objects.exists()


def test_a_closed_or_unknown_page_offers_no_form(client, comms):
    incident = factories.make_incident(comms)
    for token in ("nosuchtoken", incident.public_token or "none"):
        url = reverse("subscriptions:subscribe-page", args=[token])
        assert client.get(url).status_code == 404
        assert client.post(url, {"email": "x@example.org"}).status_code == 404
    assert not Subscription.objects.exists()


def test_an_unknown_confirmation_link_says_it_does_not_work(client):
    response = client.get(reverse("subscriptions:confirm", args=["nope"]))
    assert response.status_code == 404
    assert b"This link does not work" in response.content


def _subscribers(incident, count):
    now = timekeeper.now()
    Subscription.objects.bulk_create(
        Subscription(email=f"r{n}@example.org", incident=incident, confirmed_at=now)
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("viewer", 403), ("comms", 403), ("manager", 200), ("admin", 200)],
)
def test_only_managers_and_admins_see_the_addresses(client, role, expected, request, comms):
    incident = factories.make_incident(comms)
    _subscribers(incident, 1)
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("subscriptions:subscriber-list", args=[incident.reference]))
    assert response.status_code == expected
    assert (b"r0@example.org" in response.content) == (expected == 200)


@pytest.mark.parametrize("count", [1, 50])
def test_the_address_list_takes_the_same_queries_however_many(
    client, manager, comms, count, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    _subscribers(incident, count)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("subscriptions:subscriber-list", args=[incident.reference]))
    assert response.content.count(b"@example.org</td>") == count


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_the_incident_page_counts_subscribers_and_links_addresses_for_managers(
    client, role, request, comms, manager, rf, django_assert_num_queries
):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)
    _subscribers(incident, 3)
    Subscription.objects.create(email="s@example.org", incident=None, confirmed_at=timekeeper.now())
    user = request.getfixturevalue(role)
    client.force_login(user)
    page = client.get(incident.get_absolute_url())
    assert b"<strong>3</strong> subscribed to this incident" in page.content
    assert b"1 more follow the whole status page" in page.content
    list_url = reverse("subscriptions:subscriber-list", args=[incident.reference]).encode()
    assert (list_url in page.content) == (role in ("manager", "admin"))
    assert b"r0@example.org" not in page.content
    web = rf.get("/")
    web.user = user
    user.has_perm("incidents.manage_public_page")  # the page has read the permissions already
    incident = factories.reload(incident)
    with django_assert_num_queries(1):
        panel = subscribers_panel(web, incident)
    assert panel.context["counts"] == {"page": 3, "status": 1}


def test_no_chat_channel_may_ask_for_a_strangers_confirmation_mail():
    assert EventKind.SUBSCRIPTION_CONFIRMATION not in dict(CHAT_EVENT_CHOICES)
    channel = ChatChannel(
        kind=ChatChannel.Kind.SLACK,
        name="Team",
        url="https://hooks.example.com/x",
        events=[EventKind.SUBSCRIPTION_CONFIRMATION],
    )
    with pytest.raises(Exception, match="Unknown events"):
        channel.clean()


def test_pruning_deletes_expired_pending_rows_only(comms):
    from datetime import timedelta

    from django.core.management import call_command

    now = timekeeper.now()
    Subscription.objects.create(
        email="old@example.org", confirm_digest="a", confirm_by=now - timedelta(minutes=1)
    )
    Subscription.objects.create(
        email="new@example.org", confirm_digest="b", confirm_by=now + timedelta(hours=1)
    )
    Subscription.objects.create(email="kept@example.org", confirmed_at=now - timedelta(days=400))
    call_command("prune_subscriptions")
    assert sorted(Subscription.objects.values_list("email", flat=True)) == [
        "kept@example.org",
        "new@example.org",
    ]
