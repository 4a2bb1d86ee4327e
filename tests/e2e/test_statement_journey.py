"""From draft to the public page: comms writes a holding statement that must fit X, a manager
sends it back, approves it, sees an edit void the approval, approves again and publishes; the
public page then shows exactly the published words and nothing else."""

from playwright.sync_api import expect

from responses.models import Statement
from tests.factories import make_comms, make_incident, make_manager

FIRST_TRY = (
    "We know that many of you are still waiting for orders placed last week. We are sorry. "
    "A fault in our northern warehouse stopped most parcels from leaving, and our engineers "
    "have been working through the night to fix it. Every delayed order will ship, and we will "
    "refund delivery costs for all of them. We will post our next update here by 18:00."
)
FIXED = (
    "Many orders from last week are late because of a warehouse fault. We are sorry. Every "
    "order will ship and delivery costs will be refunded. Next update here by 18:00."
)
SHARPER = (
    "Many orders from last week are late because of a warehouse fault. We are truly sorry. "
    "Every order will ship and delivery costs will be refunded. Next update here by 18:00."
)
FINAL = (
    "Many orders from last week are late because of a fault in our warehouse. We are truly "
    "sorry. Every order will ship and delivery costs will be refunded. Next update by 18:00."
)


def status_of(page):
    return page.get_by_test_id("statement-status")


def switch_to(page, user, sign_in, sign_out, url):
    sign_out(page)
    sign_in(page, user)
    page.goto(url)


def test_a_statement_goes_from_draft_to_the_public_page(page, live_server, sign_in, sign_out):
    comms = make_comms("chloe", first_name="Chloe", last_name="Martin")
    manager = make_manager("marcus", first_name="Marcus", last_name="Reed")
    incident = make_incident(comms, platforms=["x", "instagram"])

    # Comms drafts a holding statement that is too long for X, sees it while typing, and fixes it.
    sign_in(page, comms)
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    page.get_by_role("link", name="Draft a statement").click()
    page.get_by_label("Kind").select_option(label="Holding statement")
    expect(page.get_by_label("X", exact=True)).to_be_checked()
    page.get_by_label("Body").fill(FIRST_TRY)
    excess = len(FIRST_TRY) - 280
    expect(page.get_by_text(f"X: {excess} too many")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(f"Too long for X by {excess} characters")).to_be_visible()
    assert not Statement.objects.exists()

    page.get_by_label("Body").fill(FIXED)
    expect(page.get_by_text(f"X: {280 - len(FIXED)} left")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    statement = Statement.objects.get()
    statement_url = f"{live_server.url}{statement.get_absolute_url()}"

    page.get_by_role("button", name="Submit for approval").click()
    expect(status_of(page)).to_have_text("In review")
    # The author has no way to approve their own statement.
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Request changes")).to_have_count(0)

    # The manager finds it on the dashboard and asks for changes.
    sign_out(page)
    sign_in(page, manager)
    waiting = page.get_by_role("region", name="Waiting for your approval")
    waiting.get_by_role("link", name=f"Holding statement · {incident.reference}").click()
    page.get_by_label("Comment").fill("Say sorry like you mean it.")
    page.get_by_role("button", name="Request changes").click()
    expect(status_of(page)).to_have_text("Draft")
    expect(page.get_by_role("region", name="Reviews")).to_contain_text(
        "Say sorry like you mean it."
    )

    # Comms edits and resubmits; the manager approves.
    switch_to(page, comms, sign_in, sign_out, statement_url)
    page.get_by_role("link", name="Edit statement").click()
    page.get_by_label("Body").fill(SHARPER)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Statement saved.")).to_be_visible()
    page.get_by_role("button", name="Submit for approval").click()
    expect(status_of(page)).to_have_text("In review")

    switch_to(page, manager, sign_in, sign_out, statement_url)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(status_of(page)).to_have_text("Approved")

    # An edit after approval sends it back to Draft, and the page shows what changed.
    switch_to(page, comms, sign_in, sign_out, statement_url)
    page.get_by_role("link", name="Edit statement").click()
    page.get_by_label("Body").fill(FINAL)
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("the statement is back in Draft")).to_be_visible()
    expect(status_of(page)).to_have_text("Draft")
    versions = page.get_by_role("region", name="Versions")
    expect(versions).to_contain_text("Against the approved version")
    expect(versions.locator("ins").first).to_contain_text("fault in our warehouse.")
    page.get_by_role("button", name="Submit for approval").click()

    # Approved again and published, with the link to the post on X.
    switch_to(page, manager, sign_in, sign_out, statement_url)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(status_of(page)).to_have_text("Approved")
    page.get_by_label("Link on X").fill("https://x.com/brand/status/1")
    page.get_by_role("button", name="Publish").click()
    expect(status_of(page)).to_have_text("Published")
    expect(page.get_by_role("link", name="Edit statement")).to_have_count(0)

    # The manager opens the public page; a reader who is not signed in sees exactly the words.
    page.get_by_role("link", name=incident.reference).first.click()
    page.get_by_role("button", name="Open public page").click()
    public_region = page.get_by_role("region", name="Public page")
    expect(public_region).to_contain_text("Open")
    public_url = public_region.get_by_role("link").get_attribute("href")

    reader = page.context.browser.new_page()
    try:
        reader.goto(public_url)
        expect(reader.get_by_role("heading", level=1)).to_have_text(incident.shown_public_title)
        articles = reader.get_by_role("article")
        expect(articles).to_have_count(1)
        body = articles.first.locator("p").first
        expect(body).to_have_text(FINAL)
        for word in (FIRST_TRY, FIXED, SHARPER, "Say sorry", "Chloe", "Marcus"):
            expect(reader.locator("body")).not_to_contain_text(word)
    finally:
        reader.close()

    statement.refresh_from_db()
    incident.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED
    assert statement.body == FINAL
    assert incident.first_acknowledged_at == statement.published_at


def test_the_live_counter_counts_as_each_platform_does_and_says_when_it_estimates(
    page, live_server, sign_in
):
    comms = make_comms("chloe")
    incident = make_incident(comms, platforms=["x", "bluesky", "instagram"])
    link = "https://example.com/orders/late-deliveries/what-we-are-doing-about-it"
    family = "👨‍👩‍👧‍👦"
    body = f"Orders are late. Read more: {link} {family}"

    sign_in(page, comms)
    page.goto(f"{live_server.url}/incidents/{incident.reference}/statements/new/")
    page.get_by_label("Body").fill(body)

    # X: the link counts 23 and the emoji 2; Bluesky: the family is one character; Instagram
    # counts code points, exactly as the server does, so it needs no "about".
    x_count = 28 + 23 + 1 + 2
    bluesky_count = 28 + len(link) + 1 + 1
    counter = page.locator("#length-counter")
    expect(counter).to_contain_text(f"X: {280 - x_count} left (about {x_count} of 280)")
    expect(counter).to_contain_text(
        f"Bluesky: {300 - bluesky_count} left (about {bluesky_count} of 300)"
    )
    expect(counter).to_contain_text(f"Instagram: {2200 - len(body):,} left ({len(body)} of 2,200)")
