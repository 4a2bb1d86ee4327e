"""Browser notifications (docs/outbound.md), in a real Chromium, from the Account page's button
to the notification tapped open on the exact page.

What headless Chromium cannot do here: ``pushManager.subscribe`` needs the browser's own push
service (Google's, over the internet); headless Chromium 156 refuses it ("Registration failed -
permission denied") even with the permission granted. So that one browser call, and
``getSubscription``, are stood in for by an init script that answers with a subscription to the
test's local push service (keys made by the test, as a browser makes them) and records the
``applicationServerKey`` the page passed. Everything else is real: the permission asked, the
page's script posting the subscription with its CSRF token, the outbox sending it through
pywebpush to the local service, which verifies the VAPID signature and decrypts the payload with
the browser's private key; that decrypted payload is then handed to the real service worker's
``push`` handler (a ``PushEvent`` dispatched in the worker), whose notification is tapped
(a ``notificationclick`` dispatched with it) and opens the exact page in the desk's window; and
signing out forgets the browser.
"""

import json
import time

from playwright.sync_api import expect

from crisis.models import PushSubscription
from crisis.outbound import push
from crisis.outbound.models import Delivery
from tests.factories import make_comms, make_manager, make_statement
from tests.outbox import deliver

# The browser's subscription, standing in for Chromium's push service (see the module's text).
STAND_IN = """
(() => {
  const info = %s;
  const stored = () => sessionStorage.getItem("test-subscribed") === "yes";
  const subscription = () => ({
    endpoint: info.endpoint,
    toJSON: () => info,
    unsubscribe: () => {
      sessionStorage.removeItem("test-subscribed");
      return Promise.resolve(true);
    },
  });
  PushManager.prototype.subscribe = function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    const b64 = btoa(String.fromCharCode.apply(null, key))
      .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    sessionStorage.setItem("test-application-server-key", b64);
    sessionStorage.setItem("test-user-visible-only", String(options.userVisibleOnly));
    sessionStorage.setItem("test-subscribed", "yes");
    return Promise.resolve(subscription());
  };
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(stored() ? subscription() : null);
  };
})();
"""

NOTIFICATIONS = """async () => (await self.registration.getNotifications())
  .map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url}))"""


def the_worker(context):
    for _ in range(100):
        if context.service_workers:
            return context.service_workers[0]
        time.sleep(0.05)
    raise AssertionError("The service worker did not start")


def turn_on(page, live_server, browser):
    """Turn notifications on from the Account page, the browser's subscription standing in for
    ``browser``."""
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.context.add_init_script(STAND_IN % json.dumps(browser.info()))
    page.goto(f"{live_server.url}/account/")
    expect(page.get_by_role("status")).to_have_text("This browser: notifications are off.")
    page.get_by_role("button", name="Turn on notifications on this browser").click()
    expect(page.get_by_role("status")).to_have_text("This browser: notifications are on.")


def shown(worker):
    """The notifications the worker shows, once it shows any."""
    for _ in range(100):
        notifications = worker.evaluate(NOTIFICATIONS)
        if notifications:
            return notifications
        time.sleep(0.05)
    return []


def test_a_reviewer_turns_notifications_on_and_taps_one_open_on_the_statement(
    page, live_server, sign_in, sign_out, push_service, settings
):
    settings.SITE_URL = live_server.url
    author = make_comms("author")
    reviewer = make_manager("reviewer")
    browser = push_service.subscriber("reviewer-phone")
    sign_in(page, reviewer)

    turn_on(page, live_server, browser)
    expect(page.get_by_test_id("push-browsers")).to_contain_text("Chrome on Linux")
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.endpoint) == (reviewer, browser.endpoint)
    assert page.evaluate("sessionStorage.getItem('test-application-server-key')") == (
        push.public_key()
    )
    assert page.evaluate("sessionStorage.getItem('test-user-visible-only')") == "true"

    # The author asks for a review: the outbox pushes it, signed and encrypted.
    statement = make_statement(by=author, body="We are restoring card payments.")
    statement.submit(by=author)
    deliver()
    assert Delivery.objects.get(channel="push").status == Delivery.Status.SENT
    [received] = push_service.received
    url = f"{live_server.url}{statement.get_absolute_url()}"
    assert received.message["url"] == url

    # The decrypted payload reaches the worker's push handler, which shows the notification.
    worker = the_worker(page.context)
    worker.evaluate(
        'text => { self.dispatchEvent(new PushEvent("push", {data: text})); }',
        json.dumps(received.message),
    )
    assert shown(worker) == [
        {
            "title": received.message["title"],
            "body": received.message["body"],
            "tag": received.message["tag"],
            "url": url,
        }
    ]

    # Tapped, it opens the statement in the desk's window.
    worker.evaluate(
        """async () => {
          const [notification] = await self.registration.getNotifications();
          self.dispatchEvent(new NotificationEvent("notificationclick", {notification}));
        }"""
    )
    page.wait_for_url(url)
    expect(page.locator("main")).to_contain_text("We are restoring card payments.")
    assert worker.evaluate(NOTIFICATIONS) == []

    # A payload naming another site opens the desk's home page instead.
    worker.evaluate(
        """async () => {
          self.dispatchEvent(new PushEvent("push", {data: JSON.stringify(
            {title: "Elsewhere", body: "", url: "https://evil.example/", tag: "x"})}));
        }"""
    )
    assert [n["url"] for n in shown(worker)] == [f"{live_server.url}/"]

    # Signing out of this browser forgets it.
    page.goto(f"{live_server.url}/")
    expect(page.locator("[data-push-endpoint]")).to_have_value(browser.endpoint)
    sign_out(page)
    assert not PushSubscription.objects.exists()


def test_turning_notifications_off_removes_this_browser(page, live_server, sign_in, push_service):
    person = make_comms("person")
    sign_in(page, person)
    turn_on(page, live_server, push_service.subscriber("laptop"))
    assert PushSubscription.objects.filter(user=person).exists()

    page.get_by_role("button", name="Turn off notifications on this browser").click()

    expect(page.get_by_role("status")).to_have_text("This browser: notifications are off.")
    expect(page.locator("main")).to_contain_text("No browser is notified yet.")
    assert not PushSubscription.objects.exists()
