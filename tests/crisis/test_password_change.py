"""Everyone signed in can change their own password, after giving the old one."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.incidents.test_security import inline_code

CHANGE = reverse("password_change")
DASHBOARD = reverse("incidents:dashboard")
NEW_PASSWORD = "vivid-orange-harbour-42"


def change(client, old=factories.PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        CHANGE,
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_the_page_asks_for_the_old_password_and_the_new_one_twice(client_as, comms):
    response = client_as(comms).get(CHANGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Change your password" in factories.page_text(response)
    for name, label in [
        ("old_password", "Old password"),
        ("new_password1", "New password"),
        ("new_password2", "New password confirmation"),
    ]:
        assert re.search(rf'<label\s+for="id_{name}"[^>]*>\s*{label}<', html)
    assert set(factories.form_values(response, containing="old_password")) == {
        "csrfmiddlewaretoken",
        "old_password",
        "new_password1",
        "new_password2",
    }
    assert inline_code(response) == []


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_every_role_changes_its_own_password_and_stays_signed_in(role, request, client_as):
    user = request.getfixturevalue(role)
    client = client_as(user)

    response = change(client)
    dashboard = client.get(DASHBOARD)

    assert response.url == DASHBOARD
    assert factories.messages_shown(dashboard) == [("success", "Your password has been changed.")]
    assert factories.reload(user).check_password(NEW_PASSWORD)
    assert not factories.reload(user).check_password(factories.PASSWORD)


def test_changing_the_password_signs_out_my_other_browsers(client_as, comms):
    elsewhere = Client()
    elsewhere.force_login(comms)

    change(client_as(comms))

    assert elsewhere.get(DASHBOARD).url.startswith(reverse("login"))


def test_a_wrong_old_password_is_refused_by_its_field(client_as, comms):
    response = change(client_as(comms), old="not-my-password")

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"] == [
        "Your old password was entered incorrectly. Please enter it again."
    ]
    assert "Your old password was entered incorrectly" in factories.page_text(response)
    assert factories.reload(comms).check_password(factories.PASSWORD)


def test_two_different_new_passwords_are_refused_by_the_confirmation(client_as, comms):
    response = change(client_as(comms), again="vivid-orange-harbour-43")

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == [
        "The two password fields didn’t match."
    ]
    assert factories.reload(comms).check_password(factories.PASSWORD)


def test_a_weak_new_password_is_refused_with_the_reason(client_as, comms):
    response = change(client_as(comms), new="12345678")

    assert "This password is too common." in response.context["form"].errors["new_password2"]
    assert factories.reload(comms).check_password(factories.PASSWORD)


def test_it_requires_signing_in(client, db):
    response = client.get(CHANGE)

    assert response.url == f"{reverse('login')}?next={CHANGE}"


def test_an_anonymous_post_changes_nothing(client, comms):
    response = change(client)

    assert response.url == f"{reverse('login')}?next={CHANGE}"
    assert factories.reload(comms).check_password(factories.PASSWORD)


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_it_refuses_other_methods(method, client_as, comms):
    response = getattr(client_as(comms), method)(CHANGE)

    assert response.status_code == 405
    assert factories.reload(comms).check_password(factories.PASSWORD)


def test_the_menu_links_to_it(client_as, viewer):
    html = client_as(viewer).get(DASHBOARD).content.decode()

    assert f'href="{CHANGE}">Change password</a>' in html
