"""Setting up the authenticator app stores nothing until a code confirms it: opening the page
(a page view, a link preview, a prefetch) leaves the database as it was, the app's key travels
signed in the form, and the devices left unconfirmed by earlier versions are cleared."""

import base64
import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisis import two_factor
from tests import factories

SETUP = reverse("two-factor-setup")


def key_on(page):
    return base64.b32decode(page.context["secret"].replace(" ", ""))


def code_for(key):
    return f"{totp(key, digits=6):06d}"


def sent_with(page, **values):
    return {**factories.form_values(page, "setup").dict(), **values}


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_opening_the_set_up_page_stores_no_device(client, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)

    first = client.get(SETUP)
    client.head(SETUP)
    second = client.get(SETUP)

    assert first.status_code == 200 and first.context["qr_code"].startswith("data:image/svg")
    assert not TOTPDevice.objects.exists()
    # Each view offers a new key: none is kept for the person between visits.
    assert key_on(first) != key_on(second)


def test_the_app_is_stored_confirmed_by_the_post_that_confirms_it(client, viewer):
    client.force_login(viewer)
    page = client.get(SETUP)

    wrong = client.post(SETUP, sent_with(page, code="000000"))
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()
    # The refused page offers the same key again: the app has already scanned it.
    assert key_on(wrong) == key_on(page)

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        done = client.post(SETUP, sent_with(wrong, code=code_for(key_on(page))))

    assert done.status_code == 302
    device = TOTPDevice.objects.get(user=viewer)
    assert device.confirmed and device.bin_key == key_on(page)


def test_the_code_that_confirmed_the_app_cannot_be_used_again(client, viewer):
    client.force_login(viewer)
    page = client.get(SETUP)
    code = code_for(key_on(page))
    client.post(SETUP, sent_with(page, code=code))

    with pytest.raises(two_factor.CodeRefused):
        two_factor.check_code(viewer, code)


@pytest.mark.parametrize(
    "setup",
    [
        "",
        "not-signed",
        signing.dumps("00" * 20, salt="crisis.two_factor.setup:999"),  # made for someone else
    ],
)
def test_a_key_not_signed_for_this_person_is_refused_and_stores_nothing(client, viewer, setup):
    client.force_login(viewer)
    page = client.get(SETUP)

    response = client.post(SETUP, sent_with(page, setup=setup, code=code_for(bytes(20))))

    assert response.status_code == 200
    assert "This set-up page is too old" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_a_set_up_page_older_than_an_hour_is_refused(client, viewer):
    client.force_login(viewer)
    page = client.get(SETUP)
    key = key_on(page)

    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        response = client.post(SETUP, sent_with(page, code=code_for(key)))

    assert "This set-up page is too old" in response.content.decode()
    assert not TOTPDevice.objects.exists()


def test_confirming_the_app_removes_a_device_left_unconfirmed(client, viewer):
    left = TOTPDevice.objects.create(user=viewer, name="Authenticator app", confirmed=False)
    client.force_login(viewer)
    page = client.get(SETUP)

    client.post(SETUP, sent_with(page, code=code_for(key_on(page))))

    assert list(TOTPDevice.objects.filter(user=viewer).values_list("confirmed", flat=True)) == [
        True
    ]
    assert not TOTPDevice.objects.filter(pk=left.pk).exists()


def test_the_migration_clears_the_devices_left_unconfirmed_and_keeps_the_confirmed(viewer, comms):
    TOTPDevice.objects.create(user=viewer, name="Authenticator app", confirmed=False)
    kept = TOTPDevice.objects.create(user=comms, name="Authenticator app", confirmed=True)
    migration = importlib.import_module("crisis.migrations.0003_clear_unconfirmed_app_devices")

    migration.clear_unconfirmed_app_devices(apps, None)

    assert list(TOTPDevice.objects.all()) == [kept]
