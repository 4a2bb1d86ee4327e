"""Each person's phone number and deputy (crisis.models.Profile), set on the Account page and
shown on the team's contact sheet."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis.models import Profile
from tests import factories

ROLES = ["viewer", "comms", "manager", "admin"]


def rows_text(response):
    """Each table row's text, tags taken out and spaces collapsed."""
    html = factories.page_text(response)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def save(client, **data):
    return client.post(reverse("account-contact"), {"phone": "", "deputy": "", **data})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sets_their_phone_and_deputy(request, client_as, role):
    person = request.getfixturevalue(role)
    deputy = factories.make_user("deputy")
    client = client_as(person)

    response = save(client, phone=" +44 (0)20  7946-0000 ", deputy=deputy.pk)

    assert response.status_code == 302
    assert response["Location"] == reverse("account")
    profile = Profile.objects.get(user=person)
    assert (profile.phone, profile.deputy) == ("+44 (0)20 7946-0000", deputy)
    shown = factories.page_text(client.get(reverse("account")))
    assert "+44 (0)20 7946-0000" in shown


def test_an_empty_form_clears_both(client_as, comms, viewer):
    Profile.objects.create(user=comms, phone="123", deputy=viewer, time_zone="Europe/Paris")

    save(client_as(comms))

    profile = Profile.objects.get(user=comms)
    assert (profile.phone, profile.deputy, profile.time_zone) == ("", None, "Europe/Paris")


@pytest.mark.parametrize(
    "phone",
    ["call me", "+44 20 x123", "12+34", "()- ", "1" * 33, "<b>1</b>", "０１２３"],
)
def test_a_phone_number_that_is_not_one_is_refused_by_the_field(client_as, comms, phone):
    response = save(client_as(comms), phone=phone)

    assert response.status_code == 200
    form = response.context["contact_form"]
    assert list(form.errors) == ["phone"]
    assert not Profile.objects.filter(user=comms).exclude(phone="").exists()


def test_oneself_is_refused_as_deputy(client_as, comms):
    response = save(client_as(comms), deputy=comms.pk)

    assert response.status_code == 200
    assert list(response.context["contact_form"].errors) == ["deputy"]
    assert not Profile.objects.filter(user=comms, deputy__isnull=False).exists()


def test_oneself_is_refused_by_the_model_too(comms):
    profile = Profile(user=comms, deputy=comms)

    with pytest.raises(Exception, match="someone else"):
        profile.full_clean()


def test_an_inactive_or_unknown_deputy_is_refused(client_as, comms):
    gone = factories.make_user("gone", is_active=False)

    for value in (gone.pk, 999_999, "abc"):
        response = save(client_as(comms), deputy=value)
        assert response.status_code == 200
        assert list(response.context["contact_form"].errors) == ["deputy"]


def test_anonymous_is_sent_to_sign_in(db, client):
    response = save(client, phone="123")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Profile.objects.exists()


def test_the_contact_sheet_lists_active_people_with_phone_link_deputy_and_zone(
    client_as, comms, manager, viewer
):
    Profile.objects.create(
        user=comms, phone="+44 (0)20 7946-0000", deputy=manager, time_zone="Asia/Tokyo"
    )
    factories.make_user("left", is_active=False)

    response = client_as(viewer).get(reverse("team:contacts"))

    html = response.content.decode()
    assert 'href="tel:+4402079460000"' in html
    rows = rows_text(response)
    assert "Comms Tester Comms +44 (0)20 7946-0000 Manager Tester Asia/Tokyo" in rows
    assert "Viewer Tester Viewer None given None The company's" in rows
    assert not any("Left Tester" in row for row in rows)


def test_the_contact_sheet_s_queries_do_not_grow_with_the_team(client_as, viewer):
    client = client_as(viewer)
    client.get(reverse("team:contacts"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("team:contacts"))
    for n in range(6):
        person = factories.make_comms(f"extra{n}")
        Profile.objects.create(user=person, phone="1", deputy=viewer)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("team:contacts"))

    assert len(many) == len(few)
