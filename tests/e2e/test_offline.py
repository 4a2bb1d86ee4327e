"""Readable offline (docs/offline.md), in a real Chromium: the service worker keeps the lead's
playbooks, contact sheet and incident, shows them without a connection as an "Offline copy of",
refuses a form sent offline, and keeps nothing of one person for the next."""

from playwright.sync_api import expect

from crisis import offline
from crisis.models import Profile
from tests.factories import load_playbooks, make_comms, make_incident, make_manager

OFFLINE_CACHES = "caches.keys().then(names => names.filter(n => n.startsWith('crisis-offline-')))"


def synced(page, url):
    """Open ``url`` and wait until the worker has kept this person's pages."""
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-offline-synced", "yes")


def test_a_lead_reads_their_pages_offline_and_the_next_person_finds_none(
    page, live_server, sign_in, sign_out
):
    load_playbooks()
    lead = make_comms("lead")
    Profile.objects.create(user=lead, phone="+44 20 7946 0000")
    incident = make_incident(lead, lead=lead, title="Parcel lockers refuse codes")
    sign_in(page, lead)
    synced(page, f"{live_server.url}/")
    assert page.evaluate(OFFLINE_CACHES) == [offline.cache_name(lead)]

    page.context.set_offline(True)
    for path, content in [
        ("/team/contacts/", "+44 20 7946 0000"),
        ("/playbooks/", "Holding statement"),
        (incident.get_absolute_url(), "Parcel lockers refuse codes"),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_contain_text(content)
        banner = page.locator("[data-offline-banner]")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Offline copy of")
        # The worker marked the copy it served from its cache.
        expect(banner).to_have_attribute("data-served-offline", "")

    # A form sent offline is refused where it is, and nothing is lost.
    form = page.locator("form:has(textarea)").first
    form.locator("textarea").first.fill("Lockers back at 14:00")
    form.locator("button[type=submit]").first.click()
    expect(form.get_by_role("alert")).to_have_text(
        "You are offline: nothing was sent. Your text is still here."
    )
    expect(form.locator("textarea").first).to_have_value("Lockers back at 14:00")

    # The session ends without signing out (the cookie is gone); someone else signs in here.
    page.context.set_offline(False)
    page.context.clear_cookies()
    other = make_manager("other")
    sign_in(page, other)
    synced(page, f"{live_server.url}/")

    assert page.evaluate(OFFLINE_CACHES) == [offline.cache_name(other)]
    page.context.set_offline(True)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    expect(page.locator("body")).to_contain_text("This page has no offline copy")

    # Signing out leaves nothing of anyone.
    page.context.set_offline(False)
    page.goto(f"{live_server.url}/")
    sign_out(page)
    page.wait_for_function(f"{OFFLINE_CACHES}.then(names => names.length === 0)")


def test_the_copies_end_with_the_session_even_without_signing_out(
    page, live_server, sign_in, settings
):
    """A session that simply expires leaves nothing readable: past its end, the worker deletes the
    copies instead of serving them (the idle timeout is cut to seconds here)."""
    settings.SESSION_IDLE_TIMEOUT = 3
    lead = make_comms("lead")
    incident = make_incident(lead, lead=lead, title="Parcel lockers refuse codes")
    sign_in(page, lead)
    synced(page, f"{live_server.url}/")

    page.context.set_offline(True)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Parcel lockers refuse codes")

    page.wait_for_timeout(3500)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    expect(page.locator("body")).to_contain_text("This page has no offline copy")
    page.wait_for_function(f"{OFFLINE_CACHES}.then(names => names.length === 0)")
