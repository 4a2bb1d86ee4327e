"""The incident page and the dashboard on a laptop and on a phone: nothing overflows, and a
phone shows status, clocks and actions before the long lists.

Set SCREENSHOT_DIR to keep a screenshot of each page at each width.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import AffectedParty, Incident
from responses.models import Statement
from tests import factories

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
