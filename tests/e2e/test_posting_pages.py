"""Posting for real, in the browser: a manager reads why a post to Mastodon failed and retries
it with the keyboard-reachable button, on the statement page and by a public update on the
incident page; those pages and the admin's account pages pass axe, on a desktop and on a
phone."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from connectors.models import PostAttempt
from responses.models import Statement
from tests.e2e.test_accessibility import PHONE, check_pages
from tests.factories import (
    make_comms,
    make_incident,
    make_manager,
    make_platform_account,
    make_statement,
    make_update,
    make_user,
)


@pytest.fixture
def posts(db):
    comms = make_comms("chloe")
    manager = make_manager("marcus")
    admin = make_user("ada", is_staff=True, is_superuser=True)
    incident = make_incident(comms, platforms=["mastodon", "bluesky"])
    statement = make_statement(
        incident,
        comms,
        status=Statement.Status.APPROVED,
        target_platforms=["mastodon", "bluesky"],
    )
    mastodon = make_platform_account()
    bluesky = make_platform_account(
        "acme.bsky.example", platform="bluesky", handle="acme.bsky.example"
    )
    # Publishing queues a post to each account; nothing answers at their servers, so the rows
    # are set here as the job would leave them: one failed, one posted.
    statement.publish(by=manager)
    PostAttempt.objects.filter(account=mastodon).update(
        status=PostAttempt.Status.FAILED,
        attempts=1,
        last_error="Mastodon refused the access token (401): it was revoked or mistyped.",
    )
    PostAttempt.objects.filter(account=bluesky).update(
        status=PostAttempt.Status.POSTED,
        attempts=1,
        post_url="https://bsky.app/profile/acme.bsky.example/post/3kposted00001",
        posted_at=statement.published_at,
    )
    # A public update whose post failed for good, and a draft whose Publish says where it goes.
    update = make_update(
        incident, comms, kind="public", target_platforms=["mastodon"], body="Parcels move again."
    )
    update.publish(by=manager)
    PostAttempt.objects.filter(update=update).update(
        status=PostAttempt.Status.FAILED,
        attempts=3,
        last_error="Mastodon answered with a server error (500); it will be tried again. "
        "Gave up after 3 tries.",
    )
    make_update(incident, comms, kind="public", target_platforms=["mastodon", "x"])
    return {
        "manager": manager,
        "admin": admin,
        "statement": statement,
        "account": mastodon,
        "update": update,
    }


def test_a_manager_reads_the_failure_and_retries(page, live_server, sign_in, posts):
    sign_in(page, posts["manager"])
    page.goto(live_server.url + posts["statement"].get_absolute_url())

    section = page.get_by_role("region", name="Posted by Crisis Desk")
    expect(section).to_contain_text("refused the access token (401)")
    expect(section).to_contain_text("Posted")
    section.get_by_role("button", name="Retry the post to Mastodon: @acme@mastodon.example").click()

    expect(page.get_by_text("Queued again for Mastodon")).to_be_visible()
    post = PostAttempt.objects.get(account=posts["account"], statement=posts["statement"])
    assert post.status == PostAttempt.Status.QUEUED


def test_a_manager_retries_a_public_updates_post_on_the_incident_page(
    page, live_server, sign_in, posts
):
    sign_in(page, posts["manager"])
    update = posts["update"]
    page.goto(live_server.url + update.incident.get_absolute_url())

    row = page.locator(f"#update-{update.pk}")
    expect(row).to_contain_text("Gave up after 3 tries")
    expect(page.get_by_text("Crisis Desk posts it itself to Mastodon")).to_be_visible()
    row.get_by_role("button", name="Retry the post to Mastodon: @acme@mastodon.example").click()

    expect(page.get_by_text("Queued again for Mastodon")).to_be_visible()
    assert PostAttempt.objects.get(update=update).status == PostAttempt.Status.QUEUED


def test_the_posting_pages_pass_axe(page, live_server, sign_in, posts):
    sign_in(page, posts["admin"])
    account = posts["account"]
    pages = [
        ("statement page with posts", posts["statement"].get_absolute_url()),
        ("incident page with an update's posts", posts["update"].incident.get_absolute_url()),
        ("admin accounts", reverse("admin:connectors_platformaccount_changelist")),
        ("admin account, new", reverse("admin:connectors_platformaccount_add")),
        ("admin account", reverse("admin:connectors_platformaccount_change", args=[account.pk])),
        ("admin posts", reverse("admin:connectors_postattempt_changelist")),
    ]
    check_pages(page, live_server.url, pages)
    page.set_viewport_size(PHONE)
    check_pages(page, live_server.url, pages[:2])
