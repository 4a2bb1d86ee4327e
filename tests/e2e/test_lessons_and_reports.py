"""Learning from earlier crises in a browser: the lessons page finds a lesson, a new incident of
the same category suggests it, and the lessons and reports pages pass axe."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident, PostMortem
from responses.models import ActionItem
from tests import factories
from tests.e2e.test_accessibility import PHONE, check_pages

LESSON = "Warn customers before they notice the courier's delay."


@pytest.fixture
def history(db):
    """A manager, and an incident of last month whose submitted post-mortem holds a lesson and
    whose prevention item is still open."""
    factories.default_targets()
    comms = factories.make_comms("chloe", first_name="Chloe", last_name="Martin")
    manager = factories.make_manager("marcus", first_name="Marcus", last_name="Reed")
    earlier = factories.make_incident(
        comms,
        title="Parcels late in the north",
        detected_at=timezone.now() - timedelta(days=30),
        category=Incident.Category.NEGATIVE_COMMENTS,
    )
    factories.make_statement(earlier, comms, status="published")
    factories.make_action_item(
        earlier,
        title="Courier contract: a week's notice of depot changes",
        kind=ActionItem.Kind.PREVENT,
        due_at=timezone.now() + timedelta(days=20),
    )
    factories.walk_to(earlier, Incident.Status.RESOLVED)
    PostMortem.objects.create(
        incident=earlier,
        summary="Parcels were three days late.",
        root_cause="The courier moved depots without notice.",
        lessons_learned=LESSON,
        follow_up="Ask couriers for a week's notice of depot changes.",
        completed_by=manager,
        completed_at=timezone.now(),
    )
    return {"manager": manager, "earlier": earlier}


def test_the_lessons_page_finds_a_lesson_and_a_new_incident_of_its_kind_suggests_it(
    page, live_server, sign_in, history
):
    sign_in(page, history["manager"])

    page.get_by_role("link", name="Lessons").click()
    page.get_by_label("Words").fill("courier's delay")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 post-mortem matches the search.")).to_be_visible()
    expect(page.get_by_text(LESSON)).to_be_visible()
    page.get_by_label("Words").fill('"no such lesson"')
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No lesson matches this search.")).to_be_visible()

    page.get_by_role("link", name="Declare incident").first.click()
    page.get_by_label("Title").first.fill("Angry replies about parcels again")
    page.get_by_label("Category").select_option(label="Negative comments")
    page.get_by_label("Severity").select_option(label="2 – Major")
    page.get_by_role("button", name="Declare incident").click()

    suggestions = page.get_by_role(
        "region", name="Lessons from earlier negative comments incidents"
    )
    expect(suggestions.get_by_text(LESSON)).to_be_visible()
    reference = history["earlier"].reference
    expect(suggestions.get_by_role("link", name=reference, exact=True)).to_be_visible()
    expect(
        suggestions.get_by_role("link", name=f"Read the post-mortem of {reference}")
    ).to_be_visible()
    prevention = page.get_by_role("region", name="Prevention promised after earlier")
    expect(prevention.get_by_text("Courier contract: a week's notice")).to_be_visible()

    suggestions.get_by_role("link", name="All lessons of this category").click()
    expect(page.get_by_label("Category")).to_have_value("negative_comments")
    expect(page.get_by_text(LESSON)).to_be_visible()


def test_the_reports_page_draws_its_charts_and_refuses_a_century(
    page, live_server, sign_in, history
):
    sign_in(page, history["manager"])

    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Incidents per category")).to_be_visible()
    chart = page.get_by_role("img", name="Time to first public acknowledgement, as in the table")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["height"] > 50
    # Every label and value is drawn whole inside its chart: the longest category's name
    # ("Misinformation or miscommunication") once started left of the chart and lost its "M".
    cut = page.eval_on_selector_all(
        "svg.chart text",
        "texts => texts.filter(t => { const b = t.getBBox();"
        " const w = t.ownerSVGElement.viewBox.baseVal.width;"
        " return b.x < 0 || b.x + b.width > w; }).map(t => t.textContent)",
    )
    assert page.locator("svg.chart text").count() > 20
    assert cut == []

    page.get_by_label("From").fill("1926-01-01")
    page.get_by_label("Until").fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Choose a date from 01 Jan 2000 on.")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("1926-01-01")


def test_the_lessons_and_reports_pages_pass_axe(page, live_server, sign_in, history):
    sign_in(page, history["manager"])
    new = factories.make_incident(history["manager"], title="A new storm")
    pages = [
        ("reports", reverse("responses:report")),
        (
            "reports, refused period",
            reverse("responses:report") + "?start=2026-03-01&end=2020-01-01",
        ),
        ("lessons", reverse("incidents:lessons")),
        (
            "lessons, searched",
            reverse("incidents:lessons") + "?q=courier&category=negative_comments",
        ),
        ("lessons, bad input", reverse("incidents:lessons") + "?start=nonsense&severity=9"),
        ("incident page with suggestions", new.get_absolute_url()),
        ("incident list, drills left out", reverse("incidents:list") + "?drill=exclude&show=all"),
    ]
    check_pages(page, live_server.url, pages)
    page.set_viewport_size(PHONE)
    check_pages(page, live_server.url, pages[:1] + pages[2:3])
