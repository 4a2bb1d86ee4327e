"""A viewer changes their password from the menu, and from then on signs in with the new one."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_account_menu
from tests.factories import make_user

NEW_PASSWORD = "vivid-orange-harbour-42"
NEW_FIELD = re.compile(r"New password\W*$")  # not "New password confirmation"; * marks required


def test_a_viewer_changes_their_password_and_signs_in_with_it(page, live_server, sign_in, sign_out):
    viewer = make_user("viewer")
    sign_in(page, viewer)

    open_account_menu(page)
    page.get_by_role("link", name="Change password").click()
    page.get_by_label("Old password").fill("not-my-password")
    page.get_by_label(NEW_FIELD).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your old password was entered incorrectly.")).to_be_visible()

    page.get_by_label("Old password").fill("correct-horse-battery-staple")
    page.get_by_label(NEW_FIELD).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    sign_out(page)
    page.get_by_label("Username").fill("viewer")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
