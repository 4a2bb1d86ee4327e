"""A reader's journey on a phone: the company's status page, on to an incident's public page,
its Atom feed found by its link; both pages branded, axe clean and without sideways scrolling."""

from django.urls import reverse
from playwright.sync_api import expect

from responses.models import Statement
from tests.e2e.test_accessibility import PHONE, serious_violations
from tests.factories import (
    make_comms,
    make_incident,
    make_manager,
    make_public_profile,
    make_statement,
)


def overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_reader_goes_from_the_status_page_to_a_public_page_and_finds_its_feed(
    page, live_server, transactional_db
):
    comms, manager = make_comms("status-comms"), make_manager("status-manager")
    # A light accent: the header's text must turn black to stay readable (axe checks contrast).
    make_public_profile(company_name="Northwind Goods", accent_colour="#ffd700")
    incident = make_incident(
        comms, title="INTERNAL: spreadsheet 181304 exposed", public_title="Late deliveries"
    )
    make_statement(incident, comms, status=Statement.Status.PUBLISHED, body="We are on it.")
    incident.open_public_page(by=manager)
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + reverse("responses:status-page"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Service notices")
    expect(page.get_by_text("Northwind Goods").first).to_be_visible()
    expect(page.get_by_role("img", name="Northwind")).to_be_visible()
    assert serious_violations(page) == []
    assert overflow(page) <= 0
    assert page.locator('link[rel="alternate"][type="application/atom+xml"]').count() == 1

    page.get_by_role("link", name="Late deliveries").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Late deliveries")
    expect(page.get_by_text("We are on it.")).to_be_visible()
    assert "INTERNAL" not in page.content()
    assert serious_violations(page) == []
    assert overflow(page) <= 0
    feed_link = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    href = feed_link.get_attribute("href")
    assert href == reverse("responses:public-feed", args=[incident.public_token])
    expect(page.get_by_role("link", name="Follow this page (Atom feed)")).to_have_attribute(
        "href", href
    )
    feed = page.request.get(live_server.url + href)
    assert feed.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert "We are on it." in feed.text()

    page.get_by_role("link", name="Northwind Goods status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service notices")


def test_the_empty_status_page_says_so_and_passes_axe(page, live_server, transactional_db):
    page.set_viewport_size(PHONE)

    page.goto(live_server.url + reverse("responses:status-page"))

    expect(page.get_by_text("No public notices right now.")).to_be_visible()
    assert serious_violations(page) == []
    assert overflow(page) <= 0
