"""Issue 23's journey, in a real Chromium: a severity-1 data breach's statement goes through its
approval chain, Comms lead → Legal (not decided in time, so its backup is told and decides) →
Executive, who approves and publishes; then a customers variant in French appears on the public
page for a French browser, and an employees variant is mailed to the employees' list."""

import re
from datetime import UTC, datetime, timedelta

import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from incidents.models import Incident
from responses.models import Statement
from responses.public import public_page_url
from tests import factories

CORE = (
    "We found a shared file with some customers' names and addresses. We have closed it and are "
    "writing to everyone in it today. No passwords or card numbers were in it."
)
FRENCH = (
    "Nous avons trouvé un fichier partagé avec des noms et adresses de clients. Il est fermé et "
    "nous écrivons aujourd'hui à chaque personne concernée."
)
STAFF = "A shared file exposed customers' addresses. Point customers to the public page."


def status_of(page):
    return page.get_by_test_id("statement-status")


def test_a_data_breach_is_signed_off_by_its_chain_and_said_to_each_audience(
    page, browser, live_server, sign_in, sign_out, mailoutbox
):
    author = factories.make_comms("chloe", first_name="Chloe", last_name="Martin")
    lead = factories.make_member("lena", "Comms leads", first_name="Lena", last_name="Park")
    factories.make_member("luis", "Legal", first_name="Luis", last_name="Ortega")  # stays silent
    backup = factories.make_user("bea", first_name="Bea", last_name="Stone", email="bea@x.example")
    chief = factories.make_manager("erin", first_name="Erin", last_name="Cole")
    chief.groups.add(factories.make_group("Executives"))
    factories.make_chain(category="data_breach", min_severity=1, backups={"Legal": [backup]})
    factories.audience("Customers")  # seeded by a migration: made again after a flush
    factories.audience("Employees", recipients="staff@northwind.example")
    incident = factories.make_incident(
        author, category=Incident.Category.DATA_BREACH, severity=1, title="Shared file exposed"
    )

    # Comms drafts the acknowledgement and submits it: the chain applies.
    sign_in(page, author)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    page.get_by_role("link", name="Draft a statement").click()
    page.get_by_label("Kind").select_option(label="Acknowledgement")
    page.get_by_label("Body").fill(CORE)
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(status_of(page)).to_have_text("In review")
    statement = Statement.objects.get()
    url = f"{live_server.url}{statement.get_absolute_url()}"
    expect(page.get_by_text("Waiting for stage 1 of 3: Comms lead.")).to_be_visible()

    # Stage 1: a member of the Comms leads group (no role of their own) approves.
    sign_out(page)
    sign_in(page, lead)
    page.goto(url)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Waiting for stage 2 of 3: Legal.")).to_be_visible()
    # The stage's own member may not approve a second stage of the same wording (nor is offered).
    page.goto(url)
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)

    # Legal does not decide within its 30 minutes: the reminders tell its backup.
    later = datetime.now(UTC) + timedelta(minutes=31)
    with time_machine.travel(later, tick=True):
        call_command("send_reminders")
        told = [m.subject for m in mailoutbox if "bea@x.example" in m.to]
        # A backup hears when the stage starts (as its group does), and again once it is late.
        assert len([s for s in told if "overdue" in s.lower()]) == 1, told

        sign_out(page)
        sign_in(page, backup)
        page.goto(url)
        chain = page.get_by_role("region", name="Approval chain")
        expect(chain).to_contain_text("Escalated to the backups: Bea Stone")
        page.get_by_role("button", name="Approve", exact=True).click()
        expect(page.get_by_text("Waiting for stage 3 of 3: Executive.")).to_be_visible()

        # Stage 3, the last: the executive approves and publishes in one step.
        sign_out(page)
        sign_in(page, chief)
        page.goto(url)
        page.get_by_role("button", name="Approve and publish").click()
        expect(status_of(page)).to_have_text("Published")
        page.get_by_role("button", name="Open public page").click()

        # Comms says it to customers in French and to employees.
        sign_out(page)
        sign_in(page, author)
        variants = {}
        for audience, language, wording in (
            ("Customers", "Français", FRENCH),
            ("Employees", "English", STAFF),
        ):
            page.goto(url)
            page.get_by_role("link", name="Write a variant").click()
            page.get_by_label("Audience").select_option(label=audience)
            page.get_by_label("Language").select_option(label=language)
            page.get_by_label("Wording").fill(wording)
            page.get_by_role("button", name="Save variant").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(audience)
            variants[audience] = page.url
            # Its author is never the one to approve it.
            expect(page.get_by_role("button", name="Approve")).to_have_count(0)

        # The executive approves both (the customers' at the chain's last stage) and sends them.
        sign_out(page)
        sign_in(page, chief)
        for audience, way_out in (("Customers", "Publish"), ("Employees", "Send to the list")):
            page.goto(variants[audience])
            page.get_by_role("button", name="Approve").click()
            page.get_by_role("button", name=way_out).click()
            expect(page.get_by_text("Published", exact=True).first).to_be_visible()

        call_command("deliver_outbox")  # the worker's job (or the next send_reminders run)
        staff_mail = [m for m in mailoutbox if "staff@northwind.example" in m.to]
        assert len(staff_mail) == 1 and STAFF in staff_mail[0].body

    # A reader whose browser prefers French reads the French variant on the public page.
    reader = browser.new_context(locale="fr-FR").new_page()
    reader.goto(f"{live_server.url}{public_page_url(Incident.objects.get())}")
    expect(reader).to_have_url(re.compile(r"\?lang=fr$"))
    expect(reader.locator("main")).to_contain_text(FRENCH)
    reader.context.close()
