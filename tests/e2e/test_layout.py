"""Every page on a laptop and on a phone: nothing scrolls the page sideways, a phone shows status,
clocks and what needs doing before the long lists, lists read as cards, filters fold behind a
button and the charts' labels stay readable.

Set SCREENSHOT_DIR to keep a screenshot of each page at each width.
"""

import os
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import AffectedParty, Incident
from responses.models import Statement
from tests import factories
from tests.access_policy import POLICY, ROLES, admin_model_of, url_patterns
from tests.access_world import url_for, world  # noqa: F401 - world is a fixture

LONG_WORD = "Unbrokenhashtag" * 9  # fits the 200-character title, overflows a phone
LONG_LINK = "https://example.com/" + "a-very-long-path-segment" * 8


@pytest.fixture
def desk(db):
    comms = factories.make_comms("chloe", first_name="Chloe", last_name="Martin")
    manager = factories.make_manager("marcus", first_name="Marcus", last_name="Webb")
    incident = factories.make_incident(
        comms,
        title=f"Influencer video claims our cream burns skin {LONG_WORD}",
        summary=f"A video with 2 million views. Source: {LONG_LINK}",
        severity=Incident.Severity.CRITICAL,
        detected_at=timezone.now() - timedelta(minutes=50),
        tracking_terms=f"#burncream, {LONG_WORD}",
    )
    incident.start_response(by=manager)
    for n in range(6):
        factories.make_party(
            incident,
            comms,
            description=f"Buyers of the 50 ml jar, batch {n} {LONG_WORD}",
            impact="Worried about their skin; some asked for refunds.",
            outreach_status=AffectedParty.Outreach.CONTACTED,
            outreach_at=timezone.now(),
            outreach_channel="Email from customer care",
        )
    for n in range(4):
        factories.make_statement(
            incident, comms, body=f"We are looking into it ({n}). {LONG_LINK}", status="in_review"
        )
    factories.make_incident(comms, title="Typo in the newsletter", severity=Incident.Severity.MINOR)
    acknowledged = factories.make_incident(comms, title="Late parcels in the north")
    factories.make_statement(acknowledged, comms, status=Statement.Status.PUBLISHED)
    return incident, manager


def _overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _top(page, name):
    return page.get_by_role("heading", name=name, exact=True).bounding_box()


def _keep(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)
        page.screenshot(path=os.path.join(folder, f"{name}-first-screen.png"))


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_incident_page_fits_and_puts_facts_first_on_a_phone(
    width, height, desk, page, live_server, sign_in
):
    incident, manager = desk
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, manager)

    page.goto(live_server.url + incident.get_absolute_url())
    _keep(page, f"incident-{width}")

    assert _overflow(page) <= 0
    facts, statements = _top(page, "Facts"), _top(page, "Statements")
    if width < 992:
        # One column: the facts and clocks come before the long lists.
        assert facts["y"] < statements["y"]
        assert _top(page, "Move the incident")["y"] < facts["y"]
    else:
        # Two columns: the facts sit to the right of the lists.
        assert facts["x"] > statements["x"]
    clock = page.get_by_text("Acknowledgement overdue by")
    assert clock.is_visible()


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_dashboard_fits(width, height, desk, page, live_server, sign_in):
    incident, manager = desk
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, manager)
    _keep(page, f"dashboard-{width}")

    assert _overflow(page) <= 0
    assert page.get_by_text("Acknowledgement overdue by").first.is_visible()
    assert page.get_by_text("after detection").first.is_visible()


# Every page, for every role, on a phone

# The narrowest phone the pages are made for (the issue: "every page usable from 360 px"); the
# incident page and the dashboard are also checked at 390 × 844 above.
PHONE = {"width": 360, "height": 800}
# Readable chart labels: the smallest size of text the charts draw, as shown on the screen.
SMALLEST_LABEL_PX = 11
# Routes that answer a file or a feed, not a page.
NOT_PAGES = (".csv", ".css", ".png", ".md", "feed/", "markdown/", "export/")


@pytest.fixture
def seeded(world):  # noqa: F811 - the fixture
    """The access matrix's world (a record of every kind, every address filled) with the demo's
    incidents beside it: the busiest one has hundreds of mentions, a playbook's action plan and a
    statement in review. The demo's users are the world's (same names), with their passwords."""
    call_command("seed_demo", "--password", factories.PASSWORD, stdout=StringIO())
    busiest = Incident.objects.annotate(n=Count("mentions")).order_by("-n").first()
    return {**world, "busiest": busiest}


def pages_for(role, seeded):
    """Every HTML page ``role`` may open (the access policy's GETs that answer 200, outside the
    admin site and the API), filled from the world, and the demo's busiest incident's pages."""
    urls = []
    for key, route, _pattern in url_patterns():
        model, _view = admin_model_of(key)
        if model is not None or key.startswith(("admin", "api")) or key not in POLICY:
            continue
        if key == "healthz" or route.endswith(NOT_PAGES):
            continue
        if POLICY[key][role][0] == 200:
            urls.append(url_for(key, route, seeded))
    if role != "anonymous":
        reference = seeded["busiest"].reference
        closed = Incident.objects.filter(status=Incident.Status.CLOSED).first()
        urls += [
            reverse("incidents:detail", args=[reference]),
            reverse("monitoring:mentions", args=[reference]),
            reverse("incidents:timeline", args=[reference]),
            reverse("incidents:list") + "?show=all",
            reverse("incidents:postmortem-report", args=[closed.reference]),
        ]
    return urls


def _is_page(response, page):
    """A whole page (not a feed, a file, or a fragment that a page fetches into itself)."""
    html = "text/html" in response.headers.get("content-type", "")
    return html and page.locator("meta[name=viewport]").count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_on_a_phone_for_any_role(role, seeded, page, live_server, sign_in):
    page.set_viewport_size(PHONE)
    user = seeded["users"][role]
    if user is not None:
        sign_in(page, user)
    wide, seen = {}, []
    for url in pages_for(role, seeded):
        # Layout, not speed, is checked here: a page of the sweep (30 or more a role) may take
        # longer than the usual 10 s to load on a machine shared with other test runs.
        response = page.goto(live_server.url + url, timeout=30_000)
        assert response.ok, f"{url} answered {response.status} to {role}"
        if not _is_page(response, page):
            continue
        seen.append(url)
        over = _overflow(page)
        if over > 0:
            wide[url] = over
    report = ", ".join(f"{url} (+{px} px)" for url, px in wide.items())
    assert not wide, f"Pages wider than the phone for {role}: {report}"
    # The list is the policy's: a page that stopped being checked would shrink it.
    assert len(seen) >= {"anonymous": 3, "viewer": 20}.get(role, 30), seen


def _chart_label_sizes(page):
    """Each chart text's font size as drawn on the screen (the SVG scales with its box)."""
    return page.eval_on_selector_all(
        "svg.chart text",
        "texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)",
    )


def test_on_a_phone_charts_stay_readable_filters_fold_and_lists_are_cards(
    seeded, page, live_server, sign_in
):
    page.set_viewport_size(PHONE)
    sign_in(page, seeded["users"]["manager"])
    busiest = seeded["busiest"]

    page.goto(live_server.url + reverse("responses:report"))
    _keep(page, "reports-360")
    sizes = _chart_label_sizes(page)
    assert len(sizes) > 20 and min(sizes) >= SMALLEST_LABEL_PX, sizes
    # Not even a table scrolls in its own box: a wide one reads a row under the other.
    scrolled = page.eval_on_selector_all(
        ".table-responsive", "boxes => boxes.filter(b => b.scrollWidth > b.clientWidth).length"
    )
    assert scrolled == 0

    page.goto(live_server.url + busiest.get_absolute_url())
    _keep(page, "busiest-incident-360")
    sizes = _chart_label_sizes(page)
    assert sizes and min(sizes) >= SMALLEST_LABEL_PX, sizes
    # What needs doing first: the statements, the action plan, then the conversation.
    statements, plan, mentions = (
        _top(page, name) for name in ("Statements", "Action plan", "Mentions")
    )
    assert statements["y"] < plan["y"] < mentions["y"]
    hourly = page.get_by_test_id("mention-table")
    assert hourly.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")

    page.goto(live_server.url + reverse("incidents:list") + "?show=all&severity=1&q=a")
    _keep(page, "incident-list-360")
    filters = page.get_by_role("search", name="Filter incidents")
    expect(filters).to_be_hidden()
    toggle = page.get_by_role("button", name="Filters 2 in use")
    toggle.click()
    expect(filters).to_be_visible()
    expect(page.get_by_label("Severity")).to_have_value("1")
    # Each incident is a card whose cells say what they are, the table's head out of sight.
    # (read by a screen reader, one pixel on the screen)
    assert page.locator("thead").bounding_box()["height"] <= 1
    card = page.locator("tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"
    labels = card.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert labels == ['"Category: "', '"Lead: "', '"Detected: "']
    expect(card.locator("td[data-label=Lead]")).to_be_visible()

    page.goto(live_server.url + reverse("monitoring:inbox"))
    expect(page.get_by_role("search", name="Filter mentions")).to_be_hidden()


def test_on_a_laptop_the_filters_are_open_and_the_list_is_a_table(
    seeded, page, live_server, sign_in
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, seeded["users"]["manager"])

    page.goto(live_server.url + reverse("incidents:list") + "?show=all")
    _keep(page, "incident-list-1280")
    expect(page.get_by_role("search", name="Filter incidents")).to_be_visible()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Lead")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Category")).to_be_visible()
    assert _overflow(page) <= 0

    page.goto(live_server.url + reverse("responses:report"))
    _keep(page, "reports-1280")
    sizes = _chart_label_sizes(page)
    assert min(sizes) >= SMALLEST_LABEL_PX and max(sizes) <= 18, sizes
    assert _overflow(page) <= 0

    page.goto(live_server.url + seeded["busiest"].get_absolute_url())
    _keep(page, "busiest-incident-1280")
    assert _overflow(page) <= 0
