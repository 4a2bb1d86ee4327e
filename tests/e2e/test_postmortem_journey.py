"""Closing an incident with its post-mortem, end to end in a real browser.

A manager resolves an incident, opens Close with post-mortem and submits: the form refuses,
because a Rectify item is still open, and links to it. The manager follows the link, marks the
item done, comes back to the form (pre-filled from what the app knows), writes the root cause
and the lessons, and closes the incident.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from incidents.models import Incident, PostMortem
from responses.models import ActionItem
from tests.factories import (
    default_targets,
    make_action_item,
    make_incident,
    make_manager,
    make_party,
)


def test_a_manager_is_refused_while_a_rectify_item_is_open_then_closes_with_the_postmortem(
    page, live_server, sign_in
):
    default_targets()
    manager = make_manager("marcus", first_name="Marcus", last_name="Reed")
    incident = make_incident(manager, status=Incident.Status.RESPONDING)
    make_party(incident, by=manager)
    item = make_action_item(
        incident,
        manager,
        title="Refund the late orders",
        due_at=timezone.now() + timedelta(hours=2),
    )
    make_action_item(incident, manager, title="Weekly carrier check", kind=ActionItem.Kind.PREVENT)

    # The manager resolves the incident from its page.
    sign_in(page, manager)
    page.goto(live_server.url + incident.get_absolute_url())
    page.get_by_role("button", name="Mark resolved").click()
    expect(page.get_by_text(f"{incident.reference} is now Resolved.")).to_be_visible()

    # Close with post-mortem: the form starts from what the app knows.
    page.get_by_role("link", name="Close with post-mortem").click()
    expect(page.get_by_role("heading", name="Post-mortem")).to_be_visible()
    expect(page.get_by_label("Summary")).to_have_value(incident.summary)
    expect(page.get_by_label("Impact")).to_contain_text("Customers (about 1,200)")
    expect(page.get_by_label("Follow-up prevention")).to_contain_text("Weekly carrier check")
    page.get_by_label("Root cause").fill("A carrier changed its pickup times without notice.")
    page.get_by_label("Lessons learned").fill("Carriers' schedule changes must reach the desk.")
    page.get_by_label("What went well").fill("Customers heard from us quickly.")

    # Submitting is refused while the Rectify item is open; the message links to it.
    page.get_by_role("button", name="Submit and close the incident").click()
    expect(page.get_by_text("Not closed: 1 condition is still unmet")).to_be_visible()
    refusals = page.get_by_test_id("close-refusals")
    link = refusals.get_by_role("link", name="Rectify item “Refund the late orders” is open")
    expect(link).to_be_visible()
    # What was typed is still there.
    expect(page.get_by_label("Root cause")).to_have_value(
        "A carrier changed its pickup times without notice."
    )
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.RESOLVED
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Post-mortem draft saved.")).to_be_visible()

    # The link leads to the item, which the manager marks done.
    page.get_by_test_id("close-refusals").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}{incident.get_absolute_url()}#item-{item.pk}")
    row = (
        page.get_by_role("region", name="Action plan")
        .get_by_role("listitem")
        .filter(has_text="Refund the late orders")
    )
    row.locator("summary", has_text="Mark done").click()
    row.get_by_label("What was done?").fill("Every late order refunded.")
    row.get_by_role("button", name="Mark done", exact=True).click()
    expect(page.get_by_text("Done: Refund the late orders")).to_be_visible()

    # Back to the form: the draft kept the manager's words, and nothing blocks now.
    page.get_by_role("link", name="Close with post-mortem").click()
    expect(page.get_by_label("Root cause")).to_have_value(
        "A carrier changed its pickup times without notice."
    )
    expect(page.get_by_test_id("close-refusals")).to_have_count(0)
    page.get_by_role("button", name="Submit and close the incident").click()

    expect(page.get_by_text(f"{incident.reference} is now Closed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Action plan")).to_be_visible()
    closed = Incident.objects.get(pk=incident.pk)
    assert closed.status == Incident.Status.CLOSED
    postmortem = PostMortem.objects.get(incident=closed)
    assert postmortem.completed_by == manager
    assert postmortem.lessons_learned == "Carriers' schedule changes must reach the desk."
