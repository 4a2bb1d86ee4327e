"""Readable offline (crisis.offline, docs/offline.md): the web app manifest, the worker's script,
each person's list of kept pages, the playbooks page, and sign-out clearing what was kept."""

import json
from datetime import UTC, datetime

import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from crisis import offline, roles
from crisis.auth import SIGNED_IN_AT
from incidents.models import Incident
from tests import factories


def test_the_web_app_manifest_is_installable(client):
    response = client.get(reverse("web-manifest"))

    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == "/"
    assert data["display"] == "standalone"
    assert data["name"] and data["short_name"] and data["theme_color"]
    sizes = {icon["sizes"] for icon in data["icons"] if icon["type"] == "image/png"}
    assert sizes == {"192x192", "512x512"}


def test_every_page_links_the_manifest_and_the_offline_script(client_as, viewer):
    html = client_as(viewer).get(reverse("incidents:dashboard")).content.decode()

    assert f'rel="manifest" href="{reverse("web-manifest")}"' in html
    assert "js/offline.js" in html
    assert "data-offline-sync" in html
    assert "data-offline-banner hidden" in html


def test_a_signed_out_page_registers_no_worker_and_shows_no_banner(client):
    html = client.get(reverse("login")).content.decode()

    assert "data-offline-sync" not in html
    assert "data-offline-banner" not in html


def test_the_worker_is_the_static_file_allowed_the_whole_site(client):
    response = client.get(reverse("service-worker"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/"
    assert response.content.decode() == offline.WORKER_FILE.read_text()
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_lead_keeps_the_playbooks_the_contacts_and_the_open_incidents_they_lead(
    client_as, comms, manager
):
    led = factories.make_incident(comms, lead=comms)
    factories.make_incident(comms, lead=manager)
    closed = factories.make_incident(comms, lead=comms, status=Incident.Status.CANCELLED)

    data = client_as(comms).get(reverse("offline-manifest")).json()

    assert sorted(data["pages"]) == sorted(
        [reverse("responses:playbooks"), reverse("team:contacts"), led.get_absolute_url()]
    )
    assert closed.get_absolute_url() not in data["pages"]
    assert data["cache"] == offline.cache_name(comms)
    assert data["cache"].startswith(f"crisis-offline-{comms.pk}-")


def test_each_person_has_their_own_cache(comms, manager):
    assert offline.cache_name(comms) != offline.cache_name(manager)


def test_someone_removed_from_the_group_no_longer_keeps_their_incidents(client_as, comms):
    led = factories.make_incident(comms, lead=comms)
    client = client_as(comms)
    assert led.get_absolute_url() in client.get(reverse("offline-manifest")).json()["pages"]

    comms.groups.remove(Group.objects.get(name=roles.COMMS))
    pages = client_as(comms).get(reverse("offline-manifest")).json()["pages"]

    assert sorted(pages) == sorted([reverse("responses:playbooks"), reverse("team:contacts")])


def test_the_list_is_never_kept_by_a_browser(client_as, viewer):
    response = client_as(viewer).get(reverse("offline-manifest"))

    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_signing_out_clears_what_the_browser_kept(client_as, viewer):
    response = client_as(viewer).post(reverse("logout"))

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_the_playbooks_page_shows_active_templates_with_items_and_holding_statement(
    client_as, viewer
):
    factories.make_plan_template()
    factories.make_plan_template("Retired playbook", is_active=False)

    text = factories.page_text(client_as(viewer).get(reverse("responses:playbooks")))

    assert "Comment storm playbook" in text
    assert "Answer the top comments" in text
    assert "Review moderation rules" in text
    assert "We see your messages about {public_title}" in text
    assert "Retired playbook" not in text


def test_the_playbooks_page_s_queries_do_not_grow_with_the_playbooks(client_as, viewer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(viewer)
    factories.make_plan_template()
    client.get(reverse("responses:playbooks"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("responses:playbooks"))
    for n in range(4):
        factories.make_plan_template(f"Playbook {n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("responses:playbooks"))

    assert len(many) == len(few)


def test_the_copies_end_with_the_session(client_as, viewer, settings):
    """The worker deletes the copies, unread, once the session they were kept in has ended: idle
    for SESSION_IDLE_TIMEOUT from the last sync, at most SESSION_ABSOLUTE_TIMEOUT after signing
    in (tests/e2e/test_offline.py sees the worker do it)."""
    settings.SESSION_IDLE_TIMEOUT = 8 * 3600
    settings.SESSION_ABSOLUTE_TIMEOUT = 10 * 3600
    with time_machine.travel("2026-03-14 09:00:00Z", tick=False):
        client = client_as(viewer)  # signed in at 09:00
    with time_machine.travel("2026-03-14 10:00:00Z", tick=False):
        idle = client.get(reverse("offline-manifest")).json()["until"]
    with time_machine.travel("2026-03-14 12:00:00Z", tick=False):
        capped = client.get(reverse("offline-manifest")).json()["until"]

    assert idle == int(datetime(2026, 3, 14, 18, tzinfo=UTC).timestamp() * 1000)
    assert capped == int(datetime(2026, 3, 14, 19, tzinfo=UTC).timestamp() * 1000)


def test_a_session_without_its_sign_in_time_ends_when_idle(rf, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    assert offline.session_ends_at({}, now=1_000.0) == 1_600.0
    assert offline.session_ends_at({SIGNED_IN_AT: 0.0}, now=1_000.0) == min(
        1_600.0, settings.SESSION_ABSOLUTE_TIMEOUT
    )


def test_the_workers_copies_leave_the_persons_messages_for_their_next_page(client_as, comms):
    """The worker syncs while the person works: a copy it fetches (marked X-Crisis-Offline) must
    not take the message meant for the page the person is about to see."""
    client = client_as(comms)
    answer = client.post(reverse("account-time-zone"), {"time_zone": "Europe/Paris"})
    assert answer.status_code == 302

    copy = client.get(reverse("responses:playbooks"), headers={"X-Crisis-Offline": "sync"})
    seen = client.get(answer.url)

    assert 'class="messages"' not in copy.content.decode()
    assert 'class="messages"' in seen.content.decode()
