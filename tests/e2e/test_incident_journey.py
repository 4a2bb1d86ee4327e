"""A comms officer declares an incident, records who is affected, starts the response, and the
change shows in the history; a viewer can read it all but finds no button to change it."""

import re

from playwright.sync_api import expect

from incidents.models import AffectedParty, Incident
from tests.factories import make_comms, make_incident, make_user


def test_comms_declares_an_incident_and_moves_it_to_responding(page, live_server, sign_in):
    comms = make_comms()
    sign_in(page, comms)

    page.get_by_role("link", name="Declare incident").first.click()
    page.get_by_label("Title").first.fill("Influencer video claims our cream burns skin")
    page.get_by_label("Category").select_option(label="Misinformation or miscommunication")
    page.get_by_label("Severity").select_option(label="2 – Major")
    page.get_by_label("TikTok").check()
    page.get_by_label("Instagram").check()
    page.get_by_label("Tracking terms").fill("#burncream, skin cream")
    page.get_by_role("button", name="Declare incident").click()

    expect(page.get_by_text("declared. Now gather the facts.")).to_be_visible()
    incident = Incident.objects.get(title="Influencer video claims our cream burns skin")
    expect(page.get_by_role("heading", level=1)).to_have_text(incident.title)
    expect(page.locator("main")).to_contain_text("Triage")

    page.get_by_role("link", name="Add affected party").click()
    page.get_by_label("Kind").select_option(label="Customers")
    page.get_by_label("Description").fill("Buyers of the 50 ml jar")
    page.get_by_label("Estimated number").fill("800")
    page.get_by_label("Outreach").select_option(label="Contacted")
    page.get_by_label("Contacted at").fill("2026-01-05T10:30")
    page.get_by_label("Contacted how").fill("Email from customer care")
    page.get_by_role("button", name="Add affected party").click()

    parties = page.get_by_role("region", name="Affected parties")
    expect(parties).to_contain_text("Buyers of the 50 ml jar")
    expect(parties).to_contain_text("Contacted")
    assert AffectedParty.objects.get(incident=incident).estimated_count == 800

    page.get_by_role("button", name="Start responding").click()
    expect(page.get_by_text(f"{incident.reference} is now Responding.")).to_be_visible()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESPONDING

    page.get_by_role("link", name="History", exact=True).click()
    history = page.locator("main")
    expect(history).to_contain_text("Start responding")
    expect(history).to_contain_text("Triage")
    expect(history).to_contain_text("Responding")
    expect(history).to_contain_text(comms.get_full_name())


def test_a_viewer_sees_no_action_buttons(page, live_server, sign_in):
    incident = make_incident()
    viewer = make_user("vera")
    sign_in(page, viewer)

    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(incident.title)
    expect(
        page.get_by_role("button", name=re.compile("responding|monitoring|resolved|cancel", re.I))
    ).to_have_count(0)
    expect(page.get_by_role("link", name="Edit incident")).to_have_count(0)
    expect(page.get_by_role("link", name="Add affected party")).to_have_count(0)
    expect(page.get_by_role("link", name="Declare incident")).to_have_count(0)
    # Reading is allowed: the history is there.
    expect(page.get_by_role("link", name="History", exact=True)).to_be_visible()
