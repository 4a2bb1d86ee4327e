"""The action plan and the update cadence, end to end in a real browser.

A comms person declares a data breach found three hours ago, choosing the data-breach playbook on
the Declare form (so the plan and a draft holding statement exist at once), completes a Rectify
item, sends the holding statement for approval and drafts a public update promising the next one
in 90 minutes. A manager sees the acknowledgement overdue on the dashboard, publishes the
statement, then the update from the dashboard's waiting list, and the dashboard's clock counts to
the update's promise.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident
from responses.models import ActionItem, ProgressUpdate, Statement
from tests.factories import default_targets, load_playbooks, make_comms, make_manager

UPDATE = "We have contained the exposure. Affected customers will hear from us by email today."


def local_input(moment):
    """A time as a datetime-local field takes it (the app's time zone is UTC in tests)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_comms_runs_the_plan_and_a_manager_publishes_the_update_from_the_dashboard(
    page, live_server, sign_in, sign_out
):
    load_playbooks()
    default_targets()
    comms = make_comms("chloe", first_name="Chloe", last_name="Martin")
    manager = make_manager("marcus", first_name="Marcus", last_name="Reed")
    detected = timezone.now() - timedelta(hours=3)

    # Comms declares with the data-breach playbook: the plan and the draft come with it.
    sign_in(page, comms)
    page.get_by_role("link", name="Declare incident").first.click()
    page.get_by_label("Title").first.fill("Customer emails exposed in a shared file")
    page.get_by_label("Public title").fill("Some customer email addresses exposed")
    page.get_by_label("Category").select_option(label="Data breach or security")
    page.get_by_label("Severity").select_option(label="2 – Major")
    page.get_by_label("X", exact=True).check()
    page.get_by_label("Detected").fill(local_input(detected))
    page.get_by_label("Plan template").select_option(label="Data breach")
    page.get_by_role("button", name="Declare incident").click()
    expect(page.get_by_text("declared. Now gather the facts.")).to_be_visible()
    expect(page.get_by_text("Plan template “Data breach” applied")).to_be_visible()
    incident = Incident.objects.get()
    # A major incident is acknowledged within the hour: detected three hours ago, it is late.
    expect(page.get_by_text("Acknowledgement overdue by 2 h")).to_be_visible()

    # Comms completes a Rectify item of the plan.
    plan = page.get_by_role("region", name="Action plan")
    scope = plan.get_by_role("listitem").filter(has_text="Confirm scope with security")
    expect(scope.get_by_test_id("item-kind")).to_have_text("Rectify")
    scope.get_by_role("button", name="Start: Confirm scope with security").click()
    expect(page.get_by_text("Started: Confirm scope with security")).to_be_visible()
    scope.locator("summary", has_text="Mark done").click()
    scope.get_by_label("What was done?").fill("412 customers' emails; the file is private now.")
    scope.get_by_role("button", name="Mark done", exact=True).click()
    expect(page.get_by_text("Done: Confirm scope with security")).to_be_visible()
    expect(scope.get_by_text("Done", exact=True)).to_be_visible()

    # Comms sends the playbook's holding statement for approval, as drafted.
    page.get_by_role("link", name="Holding statement", exact=True).click()
    expect(page.get_by_test_id("statement-body")).to_contain_text("security incident")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_test_id("statement-status")).to_have_text("In review")

    # Comms drafts a public update promising the next one in 90 minutes.
    page.goto(live_server.url + incident.get_absolute_url())
    updates = page.get_by_role("region", name="Updates")
    updates.get_by_label("Public update").fill(UPDATE)
    promise = timezone.now() + timedelta(minutes=90)
    updates.get_by_label("Next update by").fill(local_input(promise))
    updates.get_by_role("button", name="Send for publication").click()
    expect(page.get_by_text(UPDATE)).to_be_visible()
    sign_out(page)

    # The manager: the dashboard says the acknowledgement is late and what waits.
    sign_in(page, manager)
    clocks = page.get_by_role("region", name="Open incidents by severity")
    expect(clocks).to_contain_text("Acknowledgement overdue by 2 h")
    page.get_by_role("region", name="Waiting for your approval").get_by_role(
        "link", name=f"Holding statement · {incident.reference}"
    ).click()
    page.get_by_label("Link on X").fill("https://x.com/brand/status/7")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.get_by_test_id("statement-status")).to_have_text("Published")

    page.get_by_role("link", name="Dashboard").first.click()
    # The statement's own promise: the severity's cadence, two hours.
    # The cadence of severity 2 is 2 h; a slow machine may take a few minutes to get here, but
    # never long enough to reach the update's 90-minute promise below.
    expect(clocks).to_contain_text(re.compile(r"Next update due in (1 h [4-5]\d min|2 h)"))
    expect(clocks).not_to_contain_text("overdue")
    waiting = page.get_by_role("region", name="Public updates waiting for publication")
    expect(waiting).to_contain_text(UPDATE)
    waiting.get_by_role("link", name=f"Public update · {incident.reference}").click()

    # The link lands on the update, on the incident page, with its Publish button.
    update = ProgressUpdate.objects.get()
    row = page.locator(f"#update-{update.pk}")
    expect(row).to_be_in_viewport()
    row.get_by_role("button", name="Publish").click()
    expect(row).to_contain_text("Published")

    page.get_by_role("link", name="Dashboard").first.click()
    # The update's own promise (90 min), not the statement's 2-hour cadence, sets the clock.
    expect(clocks).to_contain_text(re.compile(r"Next update due in 1 h ([12]\d|30) min"))
    expect(clocks).not_to_contain_text("overdue")
    expect(waiting).to_contain_text("No public update waits for you.")

    update.refresh_from_db()
    assert update.status == ProgressUpdate.Status.PUBLISHED
    assert update.author == comms and update.published_by == manager
    assert Statement.objects.get().status == Statement.Status.PUBLISHED
    done = ActionItem.objects.get(title="Confirm scope with security")
    assert done.status == ActionItem.Status.DONE and done.kind == ActionItem.Kind.RECTIFY
