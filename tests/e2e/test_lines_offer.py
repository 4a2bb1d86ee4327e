"""Comms drafting a statement inserts an approved line at the cursor, and saves it."""

from playwright.sync_api import expect

from responses.models import Statement
from tests.factories import make_comms, make_incident, make_line, make_manager

LINE = "We are sorry, and we are fixing it now."


def test_comms_inserts_an_approved_line_into_a_statement(page, live_server, sign_in):
    comms = make_comms("chloe", first_name="Chloe", last_name="Martin")
    incident = make_incident(comms, category="data_breach")
    make_line(make_comms("writer"), category="data_breach", text=LINE, approved_by=make_manager())

    sign_in(page, comms)
    page.goto(f"{live_server.url}/incidents/{incident.reference}/statements/new/")
    body = page.get_by_label("Body")
    body.fill("Update: . More by 18:00.")
    # The cursor after "Update: ", where the line goes.
    body.evaluate("field => field.setSelectionRange(8, 8)")
    page.get_by_role("button", name="Insert").click()

    expected = f"Update: {LINE}. More by 18:00."
    expect(body).to_have_value(expected)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert Statement.objects.get().body == expected
