"""The public page in the reader's language, in a real Chromium: the server answers one page per
address (no Vary), and static/js/public-language.js sends a browser preferring French to the
French address when the page has a French variant; a reader preferring the desk's own language,
or who chose one with the switch, stays where they are."""

import re

import pytest
from playwright.sync_api import expect

from responses.models import Statement
from responses.public import public_page_url
from tests import factories

CORE = "We know some orders are late. We are on it."
FRENCH = "Nous savons que certaines commandes sont en retard."


@pytest.fixture
def page_with_french(comms, manager):
    incident = factories.make_incident(comms, public_title="Delayed orders")
    core = factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED, body=CORE)
    incident.open_public_page(by=manager)
    variant = factories.make_variant(core, comms, language="fr", body=FRENCH)
    variant.approve(by=manager)
    variant.publish(by=manager)
    return incident


def reader(browser, locale):
    return browser.new_context(locale=locale).new_page()


def test_a_french_browser_reads_the_french_variant_and_may_switch_back(
    browser, live_server, page_with_french
):
    page = reader(browser, "fr-FR")
    page.goto(f"{live_server.url}{public_page_url(page_with_french)}")

    expect(page).to_have_url(re.compile(r"\?lang=fr$"))
    expect(page.locator("main")).to_contain_text(FRENCH)
    page.locator("[data-language-switch] a[hreflang=en]").click()
    expect(page).to_have_url(re.compile(r"\?lang=en$"))
    expect(page.locator("main")).to_contain_text(CORE)
    page.context.close()


def test_an_english_browser_stays_on_the_core(browser, live_server, page_with_french):
    page = reader(browser, "en-GB")
    page.goto(f"{live_server.url}{public_page_url(page_with_french)}")

    expect(page.locator("main")).to_contain_text(CORE)
    assert "lang=" not in page.url
    page.context.close()
