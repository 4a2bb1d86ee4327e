"""Signing in and out, the lock-out after repeated failures, and the role shown to each person."""

import pytest
from django.urls import reverse

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
