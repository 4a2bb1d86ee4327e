"""Signing in and out, the lock-out after repeated failures, and the role shown to each person."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from crisis.auth import client_address
from tests import factories

LOGIN = reverse("login")
LOGOUT = reverse("logout")
DASHBOARD = reverse("incidents:dashboard")


def test_the_login_page_asks_for_username_and_password(client, db):
    response = client.get(LOGIN)

    assert "Sign in to Crisis Desk" in factories.page_text(response)
    assert set(factories.form_values(response, containing="username")) >= {
        "username",
        "password",
        "csrfmiddlewaretoken",
    }


def test_a_person_signs_in_and_lands_on_the_dashboard(client, comms):
    response = client.post(
        LOGIN, {"username": "comms", "password": factories.PASSWORD}, follow=True
    )

    assert response.redirect_chain == [(DASHBOARD, 302)]
    assert response.context["user"] == comms
    assert "Comms Tester · Comms" in factories.page_text(response)


def test_signing_in_returns_to_the_page_asked_for(client, comms, incident):
    response = client.post(
        f"{LOGIN}?next={incident.get_absolute_url()}",
        {"username": "comms", "password": factories.PASSWORD, "next": incident.get_absolute_url()},
    )

    assert response.url == incident.get_absolute_url()


def test_signing_in_never_sends_a_person_to_another_site(client, comms):
    response = client.post(
        LOGIN,
        {"username": "comms", "password": factories.PASSWORD, "next": "https://evil.example/"},
    )

    assert response.url == DASHBOARD


def test_a_wrong_password_is_refused_with_a_message(client, comms):
    response = client.post(LOGIN, {"username": "comms", "password": "guess"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in factories.page_text(response)
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_from_that_address(client, comms, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(LOGIN, {"username": "comms", "password": "guess"})

    response = client.post(LOGIN, {"username": "comms", "password": factories.PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in factories.page_text(response)
    assert "_auth_user_id" not in client.session


def fail_sign_in(client, times, **headers):
    for _ in range(times):
        client.post(LOGIN, {"username": "comms", "password": "guess"}, **headers)


def sign_in(client, **headers):
    return client.post(LOGIN, {"username": "comms", "password": factories.PASSWORD}, **headers)


def test_without_a_trusted_proxy_a_forged_forwarded_address_cannot_dodge_the_lock_out(
    client, comms, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(3):
        fail_sign_in(client, 1, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    response = sign_in(client, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_behind_a_proxy_one_client_s_failures_do_not_lock_out_another_client(
    client, comms, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail_sign_in(client, 3, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)

    locked = sign_in(client, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    other = sign_in(client, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)

    assert locked.status_code == 429
    assert other.status_code == 302
    assert other.url == DASHBOARD


def test_behind_a_proxy_a_client_cannot_dodge_the_lock_out_by_sending_its_own_header(
    client, comms, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # The proxy appends the address it saw to whatever the client sent.
    for n in range(3):
        fail_sign_in(client, 1, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7", **proxy)

    response = sign_in(client, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7", **proxy)

    assert response.status_code == 429


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "counted"),
    [
        (0, "198.51.100.1", None, "198.51.100.1"),
        (0, "198.51.100.1", "203.0.113.7", "198.51.100.1"),
        (1, "10.0.0.2", "203.0.113.7", "203.0.113.7"),
        (1, "10.0.0.2", "192.0.2.1, 203.0.113.7", "203.0.113.7"),
        (2, "10.0.0.3", "192.0.2.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (1, "10.0.0.2", " 2001:DB8::1 ", "2001:db8::1"),
        # Not as configured: the proxy's own address counts rather than a guess.
        (1, "10.0.0.2", None, "10.0.0.2"),
        (2, "10.0.0.3", "203.0.113.7", "10.0.0.3"),
        (1, "10.0.0.2", "unknown", "10.0.0.2"),
        (1, "10.0.0.2", "203.0.113.7\x00", "10.0.0.2"),
    ],
)
def test_the_address_counted_for_sign_in_failures(proxies, remote, forwarded, counted, settings):
    settings.TRUSTED_PROXY_COUNT = proxies
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_address(RequestFactory().get("/", **headers)) == counted


def test_a_signed_in_person_is_sent_from_the_login_page_to_the_dashboard(client_as, comms):
    response = client_as(comms).get(LOGIN)

    assert response.url == DASHBOARD


def test_signing_out_ends_the_session(client_as, comms):
    client = client_as(comms)

    response = client.post(LOGOUT, follow=True)

    assert response.redirect_chain == [(LOGIN, 302)]
    assert client.get(DASHBOARD).url.startswith(LOGIN)


def test_signing_out_by_a_link_is_refused(client_as, comms):
    client = client_as(comms)

    response = client.get(LOGOUT)

    assert response.status_code == 405
    assert client.get(DASHBOARD).status_code == 200


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("viewer", "Viewer Tester · Viewer"),
        ("comms", "Comms Tester · Comms"),
        ("manager", "Manager Tester · Manager"),
        ("admin", "Admin Tester · Admin"),
    ],
)
def test_the_navigation_shows_who_i_am_and_my_role(role, shown, request, client_as):
    user = request.getfixturevalue(role)

    response = client_as(user).get(DASHBOARD)

    assert shown in factories.page_text(response)


def test_only_staff_see_the_admin_link(client_as, admin, manager):
    admin_link = f'href="{reverse("admin:index")}"'

    assert admin_link in client_as(admin).get(DASHBOARD).content.decode()
    assert admin_link not in client_as(manager).get(DASHBOARD).content.decode()


@pytest.mark.parametrize(
    "name",
    ["incidents:dashboard", "incidents:list", "incidents:export", "incidents:create"],
)
def test_anonymous_visitors_see_only_the_login_page(name, client, db):
    url = reverse(name)

    response = client.get(url)

    assert response.url == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_an_over_long_username_is_refused_by_the_field(length, client, db):
    response = client.post(LOGIN, {"username": "a" * length, "password": "guess"})

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        f"Ensure this value has at most 150 characters (it has {length})."
    ]
    assert f"at most 150 characters (it has {length})" in factories.page_text(response)
    assert 'aria-invalid="true"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_over_long_username_is_refused_by_the_admin_login_too(client, db):
    response = client.post(reverse("admin:login"), {"username": "a" * 256, "password": "guess"})

    assert response.status_code == 200
    assert "at most 150 characters" in factories.page_text(response)


def test_a_username_with_a_nul_byte_is_refused_by_the_field(client, db):
    response = client.post(LOGIN, {"username": "comms\x00", "password": "guess"})

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["Null characters are not allowed."]
