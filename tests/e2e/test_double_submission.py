"""A double click on a creating form's button, or Back and press again, creates one record."""

from playwright.sync_api import expect

from incidents.models import Incident
from tests.factories import make_comms


def fill_declaration(page):
    page.get_by_label("Title").first.fill("Fake giveaway account")
    page.get_by_label("Category").select_option(label="Misinformation or miscommunication")


def test_a_double_click_declares_one_incident(page, live_server, sign_in):
    sign_in(page, make_comms())
    page.goto(f"{live_server.url}/incidents/new/")
    fill_declaration(page)

    page.get_by_role("button", name="Declare incident").dblclick()

    expect(page.get_by_text("declared. Now gather the facts.")).to_be_visible()
    assert Incident.objects.count() == 1


def test_back_and_press_again_declares_one_incident(page, live_server, sign_in):
    sign_in(page, make_comms())
    page.goto(f"{live_server.url}/incidents/new/")
    fill_declaration(page)
    page.get_by_role("button", name="Declare incident").click()
    expect(page.get_by_text("declared. Now gather the facts.")).to_be_visible()

    page.go_back()
    expect(page.get_by_role("button", name="Declare incident")).to_be_enabled()
    page.get_by_role("button", name="Declare incident").click()
    expect(page.get_by_text("This was already saved: here it is.")).to_be_visible()
    assert Incident.objects.count() == 1
