"""A manager whose role requires two-factor sign-in sets up the authenticator app at the first
sign-in and keeps the recovery codes; at the next sign-in a wrong code is refused and a recovery
code lets them in. Every page of the journey passes axe."""

import base64

from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.e2e.conftest import open_account_menu
from tests.e2e.test_accessibility import serious_violations
from tests.factories import PASSWORD, make_manager


def password_step(page, live_server, user):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@override_settings(TWO_FACTOR_REQUIRED_FOR=["managers", "staff"])
def test_a_manager_sets_up_two_factor_sign_in_then_signs_in_with_a_code(page, live_server):
    manager = make_manager()
    password_step(page, live_server, manager)

    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan")).to_be_visible()
    assert serious_violations(page) == []
    # Opening the page stored nothing: the app's key is on the page, as a person would type it.
    assert not TOTPDevice.objects.filter(user=manager).exists()
    key = page.locator("code").first.inner_text()
    page.get_by_label("Code").fill(f"{totp(base64.b32decode(key.replace(' ', ''))):06d}")
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    recovery_code = page.locator(".recovery-codes li").first.inner_text()
    assert serious_violations(page) == []
    page.get_by_role("link", name="I have kept them, go on").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    open_account_menu(page)
    page.get_by_role("button", name="Sign out").click()
    password_step(page, live_server, manager)
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()

    page.wait_for_timeout(2_500)  # a wrong code makes the next attempt wait a second or two
    page.get_by_label("Code").fill(recovery_code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()
