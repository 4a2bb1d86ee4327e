"""The first hour, counted: from signing in to a published holding statement.

Comms declares the incident with its category's plan template (which drafts the holding
statement), edits that draft and sends it with **Save and submit for review**; a manager opens it
from the dashboard and uses **Approve and publish**. The test counts what each person does and
pins it, so a change that adds a step fails here; issue 8 asks for at most 6 interactions for
comms and 2 for the manager.
"""

from playwright.sync_api import expect

from incidents.models import Incident
from responses.models import Statement
from tests.factories import load_playbooks, make_comms, make_manager

BODY = (
    "Some of you cannot sign in to your account since this morning. We are sorry. Our team is "
    "on it and we will post an update here by 12:00."
)


class Interactions:
    """What a person does on the pages, counted honestly.

    An *interaction* is a click that loads a page: following a link, or sending a form. A field
    typed in, ticked or chosen is an *edit*, counted apart. Every counted click must load exactly
    one page, and the browser's own record of page loads (main-frame navigations) must match
    the count, so a page reached without a counted click (a ``goto``, a redirect chain that
    reloads) would fail :meth:`totals` rather than go unseen.
    """

    def __init__(self, page):
        self.page = page
        self.clicks = 0
        self.edits = 0
        self.loads = 0
        page.on("framenavigated", self._loaded)

    def _loaded(self, frame):
        if frame == self.page.main_frame:
            self.loads += 1

    def start(self):
        """Count from here (after signing in, which is not part of the task)."""
        self.clicks = self.edits = self.loads = 0

    def click(self, locator):
        loads_before = self.loads
        with self.page.expect_navigation():
            locator.click()
        self.page.wait_for_load_state()
        self.clicks += 1
        assert self.loads == loads_before + 1, "A counted click loaded more than one page."

    def fill(self, locator, text):
        locator.fill(text)
        self.edits += 1

    def select(self, locator, label):
        locator.select_option(label=label)
        self.edits += 1

    def check(self, locator):
        locator.check()
        self.edits += 1

    def totals(self):
        assert self.loads == self.clicks, "A page loaded without a counted click."
        return {"interactions": self.clicks, "edits": self.edits}


COMMS_AT_MOST, MANAGER_AT_MOST = 6, 2


def test_the_first_hour_takes_five_interactions_for_comms_and_two_for_the_manager(
    page, live_server, sign_in, sign_out
):
    load_playbooks()
    comms = make_comms("chloe", first_name="Chloe", last_name="Martin")
    manager = make_manager("marcus", first_name="Marcus", last_name="Reed")
    count = Interactions(page)

    # Comms: declare with the plan template, open its draft, edit it, save and submit.
    sign_in(page, comms)
    count.start()
    count.click(page.get_by_role("link", name="Declare incident").first)
    count.fill(page.get_by_label("Title").first, "Customers locked out of their accounts")
    count.fill(page.get_by_label("Public title"), "Problems signing in")
    count.select(page.get_by_label("Category"), "Product or service failure")
    count.select(page.get_by_label("Severity"), "1 – Critical")
    count.check(page.get_by_label("X", exact=True))
    count.select(page.get_by_label("Plan template"), "Product or service failure")
    count.click(page.get_by_role("button", name="Declare incident"))
    expect(page.get_by_text("declared. Now gather the facts.")).to_be_visible()
    expect(page.get_by_text("Plan template “Product or service failure” applied")).to_be_visible()
    count.click(page.get_by_role("link", name="Holding statement", exact=True))
    # The playbook's wording, its placeholders filled.
    expect(page.get_by_test_id("statement-body")).to_contain_text(
        "We know about Problems signing in"
    )
    count.click(page.get_by_role("link", name="Edit statement"))
    expect(page.get_by_label("X", exact=True)).to_be_checked()  # the incident's platforms
    count.fill(page.get_by_label("Body"), BODY)
    count.click(page.get_by_role("button", name="Save and submit for review"))
    expect(page.get_by_text("Saved and submitted for approval.")).to_be_visible()
    expect(page.get_by_test_id("statement-status")).to_have_text("In review")
    # The author is offered no way to approve their own words, in one step or two.
    expect(page.get_by_role("button", name="Approve and publish")).to_have_count(0)

    totals = count.totals()
    assert totals == {"interactions": 5, "edits": 7}
    assert totals["interactions"] <= COMMS_AT_MOST

    incident = Incident.objects.get()
    statement = Statement.objects.get()
    assert incident.action_items.exists()  # the playbook's plan came with the declaration
    assert statement.status == Statement.Status.IN_REVIEW
    assert incident.first_acknowledged_at is None

    # The manager: open it from the dashboard, approve and publish with the link on X.
    sign_out(page)
    sign_in(page, manager)
    count.start()
    waiting = page.get_by_role("region", name="Waiting for your approval")
    count.click(waiting.get_by_role("link", name=f"Holding statement · {incident.reference}"))
    expect(page.get_by_test_id("statement-body")).to_have_text(BODY)
    count.fill(page.get_by_label("Link on X"), "https://x.com/brand/status/1")
    count.click(page.get_by_role("button", name="Approve and publish"))
    expect(page.get_by_text("Approved and published to X.")).to_be_visible()
    expect(page.get_by_test_id("statement-status")).to_have_text("Published")

    totals = count.totals()
    assert totals == {"interactions": 2, "edits": 1}
    assert totals["interactions"] <= MANAGER_AT_MOST
    statement.refresh_from_db()
    incident.refresh_from_db()
    assert statement.status == Statement.Status.PUBLISHED
    assert statement.approved_by == manager and statement.published_by == manager
    assert statement.publications.get().url == "https://x.com/brand/status/1"
    assert incident.first_acknowledged_at == statement.published_at
