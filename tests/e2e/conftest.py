"""Browser tests: real Chromium (the system's, not a Playwright download) against live_server.

On a developer's machine without Chromium they skip with the reason; in CI (CI=true) a missing
browser fails the run instead, so the journeys can never silently stop being tested.
"""

import os
import shutil

import pytest

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from such a
# thread unless told the tests know what they are doing.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium_path():
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.path.exists(configured) else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = _chromium_path()
    if path is None:
        reason = "Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH."
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": path, "args": CHROMIUM_FLAGS}


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def sign_in(live_server):
    """``sign_in(page, user)`` signs in through the real login form."""

    def _sign_in(page, user):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("heading", name="Dashboard").wait_for()

    return _sign_in


def open_account_menu(page):
    """Open the bar's menu of the person signed in (Account, Change password, Sign out), first
    unfolding the bar where it is folded behind its button (narrower than 1200 px)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
    page.locator("[data-account-menu]").click()


@pytest.fixture
def sign_out():
    def _sign_out(page):
        open_account_menu(page)
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in to Crisis Desk").wait_for()

    return _sign_out
