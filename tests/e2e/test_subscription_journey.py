"""A reader's journey by mail, on a phone: subscribe on the public page, confirm from the mail
that reaches a real SMTP server, hear of the update a manager publishes, leave with one click."""

from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from responses.models import ProgressUpdate, Statement
from subscriptions.models import Subscription
from tests.e2e.test_accessibility import PHONE, serious_violations
from tests.factories import make_comms, make_incident, make_manager, make_statement, make_update
from tests.mail_server import body_of, link_in, smtp  # noqa: F401 - smtp is a fixture
from tests.outbox import deliver

READER = "reader@example.org"
UPDATE = "Half of the late orders have shipped; the rest leave tomorrow."


def test_a_reader_subscribes_confirms_hears_of_an_update_and_unsubscribes(
    page,
    live_server,
    transactional_db,
    smtp,  # noqa: F811 - the fixture
    settings,
    sign_in,
):
    cache.clear()
    settings.SITE_URL = live_server.url
    comms, manager = make_comms("mail-comms"), make_manager("mail-manager")
    incident = make_incident(comms, public_title="Late deliveries")
    make_statement(incident, comms, status=Statement.Status.PUBLISHED, body="We are on it.")
    incident.open_public_page(by=manager)
    incident.refresh_from_db()
    draft = make_update(incident, comms, kind=ProgressUpdate.Kind.PUBLIC, body=UPDATE)
    page.set_viewport_size(PHONE)

    # The reader, on the public page.
    page.goto(live_server.url + reverse("responses:public-page", args=[incident.public_token]))
    page.get_by_role("link", name="Get updates by mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get mail updates")
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.get_by_label("Email address").fill(READER)
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_test_id("subscribe-answer")).to_contain_text("confirmation link")

    deliver()
    (confirmation,) = smtp.to(READER)
    page.goto(link_in(confirmation, "/confirm/"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("confirm-answer")).to_contain_text("Late deliveries")
    assert Subscription.objects.get(email=READER).is_confirmed

    # The manager publishes the public update the comms drafted; the reader hears of it.
    sign_in(page, manager)
    page.goto(live_server.url + incident.get_absolute_url())
    expect(page.get_by_test_id("subscriber-count")).to_contain_text("1")
    row = page.locator(f"#update-{draft.pk}")
    row.get_by_role("button", name="Publish").click()
    expect(row).to_contain_text("Published")
    deliver()
    news = smtp.to(READER)[-1]
    assert news["Subject"] == "New update: Late deliveries"
    assert UPDATE in body_of(news)
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # One click, as a mail client makes it (RFC 8058): a POST with no cookie.
    leave = news["List-Unsubscribe"].strip().strip("<>")
    answer = page.context.browser.new_context().request.post(
        leave,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200
    assert not Subscription.objects.filter(email=READER).exists()


def test_the_subscription_pages_pass_axe_and_fit_a_phone(
    page, live_server, transactional_db, sign_in
):
    from datetime import timedelta

    from crisis import timekeeper
    from tests.factories import make_user

    comms, manager = make_comms("axe-comms"), make_manager("axe-manager")
    admin = make_user("axe-admin", is_staff=True, is_superuser=True)
    incident = make_incident(comms, public_title="Late deliveries")
    incident.open_public_page(by=manager)
    confirmed = Subscription.objects.create(
        email="a-rather-long-address.for-a-phone@example.org",
        incident=incident,
        confirmed_at=timekeeper.now(),
    )
    waiting = Subscription(email="waiting@example.org", incident=incident)
    secret = waiting.new_link()
    waiting.save()
    old = Subscription(email="old@example.org", incident=None)
    old_secret = old.new_link(timekeeper.now() - timedelta(days=30))
    old.save()
    page.set_viewport_size(PHONE)
    pages = [
        ("subscribe, status page", reverse("subscriptions:subscribe-status"), 200),
        ("check your mail", reverse("subscriptions:sent"), 200),
        ("confirm", reverse("subscriptions:confirm", args=[secret]), 200),
        ("confirm, expired", reverse("subscriptions:confirm", args=[old_secret]), 410),
        ("confirm, unknown", reverse("subscriptions:confirm", args=["nope"]), 404),
        ("unsubscribe", reverse("subscriptions:unsubscribe", args=[confirmed.key]), 200),
        ("unsubscribe, unknown", reverse("subscriptions:unsubscribe", args=["nope"]), 200),
    ]
    signed_in = [
        ("addresses", reverse("subscriptions:subscriber-list", args=[incident.reference]), 200),
        ("incident page", incident.get_absolute_url(), 200),
        ("admin list", reverse("admin:subscriptions_subscription_changelist"), 200),
        ("admin form", reverse("admin:subscriptions_subscription_change", args=[old.pk]), 200),
    ]
    wrong = []
    for group in (pages, signed_in):
        if group is signed_in:
            sign_in(page, admin)
        for name, path, status in group:
            response = page.goto(live_server.url + path)
            if response.status != status:
                wrong.append(f"{name}: {response.status}, not {status}")
            if violations := serious_violations(page):
                wrong.append(f"{name}: {violations}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0 and not name.startswith("admin"):
                wrong.append(f"{name}: {overflow} px of sideways scrolling")
    assert not wrong, "\n".join(wrong)
