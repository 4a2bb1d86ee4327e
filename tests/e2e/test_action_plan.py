"""The action plan in a real browser: a comms person lays out the plan and works through it, and
every page that shows action items passes axe-core."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from responses.models import ActionItem
from responses.public import public_page_url
from tests.e2e.test_accessibility import PHONE, check_pages
from tests.factories import make_action_item, make_comms, make_incident, make_manager


def test_comms_adds_items_reorders_them_and_completes_one(page, live_server, sign_in):
    comms = make_comms("chloe", first_name="Chloe", last_name="Martin")
    incident = make_incident(comms)
    make_action_item(incident, comms, title="Answer every complaint")
    sign_in(page, comms)
    page.goto(live_server.url + incident.get_absolute_url())

    page.get_by_role("link", name="Add action item").click()
    page.get_by_label("Title").fill("Review the courier contract")
    page.get_by_label("Prevent").check()
    page.get_by_label("Show on the public page").check()
    page.get_by_role("button", name="Add to the plan").click()
    page.get_by_text("Added to the action plan: Review the courier contract").wait_for()

    page.get_by_role("button", name="Move up: Review the courier contract").click()
    plan = page.locator("#action-plan li[id^=item-] strong")
    expect(plan.first).to_have_text("Review the courier contract")

    page.get_by_role("button", name="Start: Answer every complaint").click()
    page.get_by_text("Started: Answer every complaint").wait_for()
    page.locator("summary", has_text="Mark done").last.click()
    page.get_by_label("What was done?").last.fill("All 212 complaints answered.")
    page.get_by_role("button", name="Mark done", exact=True).last.click()
    page.get_by_text("Done: Answer every complaint").wait_for()

    done = ActionItem.objects.get(title="Answer every complaint")
    assert done.status == ActionItem.Status.DONE
    expect(page.locator(f"#item-{done.pk}")).to_contain_text("Done")
    assert list(incident.action_items.values_list("title", flat=True)) == [
        "Review the courier contract",
        "Answer every complaint",
    ]


def test_the_pages_showing_action_items_pass_axe(page, live_server, sign_in):
    comms = make_comms("chloe", first_name="Chloe", last_name="Martin")
    manager = make_manager("marcus", first_name="Marcus", last_name="Reed")
    incident = make_incident(comms)
    now = timezone.now()
    overdue = make_action_item(incident, comms, title="Call the regulator", is_public=True)
    overdue.due_at = now - timedelta(hours=2)
    overdue.save()
    soon = make_action_item(
        incident, comms, title="Brief support", due_at=now + timedelta(minutes=30)
    )
    soon.start(by=comms)
    done = make_action_item(incident, comms, title="Pause posts", kind="prevent", is_public=True)
    done.complete(by=comms, note="Paused.")
    dropped = make_action_item(incident, comms, title="Press release", owner=None)
    dropped.drop(by=comms, reason="Too early.")
    incident.open_public_page(by=manager)
    ref = incident.reference
    sign_in(page, comms)

    pages = [
        ("incident page", incident.get_absolute_url()),
        ("dashboard", reverse("incidents:dashboard")),
        ("item form, new", reverse("responses:action-item-create", args=[ref])),
        ("item form, edit", reverse("responses:action-item-edit", args=[ref, soon.pk])),
        ("item history", reverse("responses:action-item-history", args=[ref, done.pk])),
        ("public page", public_page_url(incident)),
    ]
    check_pages(page, live_server.url, pages)
    page.set_viewport_size(PHONE)
    check_pages(page, live_server.url, pages[:2])
