"""Every page of the app, the public page and the admin pages for our records pass axe-core with
no serious or critical violation, on a desktop screen and (for the busiest pages) a phone's.

Each test visits a list of pages and reports every violation of every page at once, named by
page, so one run shows all there is to fix.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from crisis.roles import COMMS
from incidents.models import AffectedParty, Incident
from responses.models import PlanTemplate, ProgressUpdate, ResponseTarget, Statement
from responses.public import public_page_url
from tests.factories import (
    default_targets,
    load_playbooks,
    make_action_item,
    make_comms,
    make_incident,
    make_manager,
    make_party,
    make_update,
    make_user,
)

BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}

_axe = Axe()


def serious_violations(page):
    """axe-core's serious and critical findings on the page as shown now, one line per rule."""
    results = _axe.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(_describe(node) for node in violation["nodes"])
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING
    ]


def _describe(node):
    """The node's selector, with axe's first reason (a contrast ratio says which colours)."""
    target = " ".join(node["target"])
    reasons = [check["message"] for check in node["any"] + node["all"] + node["none"]]
    return f"{target} [{reasons[0]}]" if reasons else target


def check_pages(page, base_url, pages):
    """Visit each (name, path) and fail listing every blocking violation, by page."""
    found = {}
    for name, path in pages:
        response = page.goto(base_url + path)
        assert response.ok, f"{name}: {path} answered {response.status}"
        violations = serious_violations(page)
        if violations:
            found[f"{name} ({path})"] = violations
    report = "\n".join(
        f"{name}:\n" + "\n".join(f"  - {line}" for line in lines) for name, lines in found.items()
    )
    assert not found, f"Serious or critical accessibility violations:\n{report}"


@pytest.fixture
def desk(db):
    """An incident with parties, a published statement with reviews and several versions, a
    draft, an open public page; an incident with nothing under it yet; and an administrator."""
    comms = make_comms("chloe", first_name="Chloe", last_name="Martin")
    manager = make_manager("marcus", first_name="Marcus", last_name="Reed")
    admin = make_user("ada", first_name="Ada", is_staff=True, is_superuser=True)
    incident = make_incident(comms, platforms=["x", "facebook"])
    incident.start_response(by=manager)
    make_party(incident, by=comms)
    contacted = make_party(
        incident,
        by=comms,
        kind=AffectedParty.Kind.MEDIA,
        description="A reporter from the Northern Times",
        estimated_count=None,
        outreach_status=AffectedParty.Outreach.CONTACTED,
        outreach_at=timezone.now() - timedelta(minutes=30),
        outreach_channel="Phone call",
    )
    contacted.impact = "Quoted our first, slow reply."
    contacted.save_edit(
        by=comms,
        expected_version=contacted.version,
        fields=["impact"],
    )

    published = Statement.draft(
        incident=incident,
        by=comms,
        kind=Statement.Kind.HOLDING,
        body="We know some orders are late. Next update here by 18:00.",
        target_platforms=["x", "facebook"],
    )
    published.submit(by=comms)
    published.request_changes(by=manager, comment="Say sorry first.")
    published.body = "We are sorry: some orders are late. Next update here by 18:00."
    published.save_wording(by=comms, expected_version=published.version, fields=["body"])
    published.submit(by=comms)
    published.approve(by=manager, comment="Good.")
    published.publish(by=manager, links={"x": "https://x.com/example/status/1"})
    draft = Statement.draft(
        incident=incident,
        by=comms,
        kind=Statement.Kind.CORRECTION,
        body="Most late orders have now shipped.",
        target_platforms=["x"],
    )
    # Waiting for review: the page offers Approve and publish, with the links' fields.
    in_review = Statement.draft(
        incident=incident,
        by=comms,
        kind=Statement.Kind.APOLOGY,
        body="We are sorry that some orders are late.",
        target_platforms=["x", "facebook"],
    )
    in_review.submit(by=comms)
    incident.open_public_page(by=manager)
    empty = make_incident(comms, title="A quiet false alarm", platforms=["reddit"])
    closed = make_incident(comms, title="Last month's outage", status=Incident.Status.CLOSED)
    return {
        "admin": admin,
        "incident": Incident.objects.get(pk=incident.pk),
        "party": contacted,
        "published": published,
        "draft": draft,
        "in_review": in_review,
        "empty": empty,
        "closed": closed,
    }


def app_pages(desk):
    incident, empty = desk["incident"], desk["empty"]
    party, published, draft = desk["party"], desk["published"], desk["draft"]
    ref = incident.reference
    return [
        ("dashboard", reverse("incidents:dashboard")),
        ("incident list", reverse("incidents:list")),
        (
            "incident list, filtered",
            reverse("incidents:list") + "?q=late&status=responding&severity=3&platform=x",
        ),
        ("incident list, a bad filter", reverse("incidents:list") + "?detected_after=yesterday"),
        ("declare form", reverse("incidents:create")),
        ("incident page", incident.get_absolute_url()),
        ("incident page, nothing under it", empty.get_absolute_url()),
        ("incident edit", reverse("incidents:edit", args=[ref])),
        ("incident history", reverse("incidents:history", args=[ref])),
        ("incident timeline", reverse("incidents:timeline", args=[ref])),
        (
            "incident timeline, filtered with a bad kind",
            reverse("incidents:timeline", args=[ref]) + "?kind=status&kind=nonsense",
        ),
        ("party form, new", reverse("incidents:party-create", args=[ref])),
        ("party form, edit", reverse("incidents:party-edit", args=[ref, party.pk])),
        ("party history", reverse("incidents:party-history", args=[ref, party.pk])),
        ("statement page", published.get_absolute_url()),
        ("statement page, draft", draft.get_absolute_url()),
        ("statement page, in review", desk["in_review"].get_absolute_url()),
        ("statement form, new", reverse("responses:statement-create", args=[ref])),
        ("statement form, edit", reverse("responses:statement-edit", args=[draft.pk])),
        ("statement history", reverse("responses:statement-history", args=[published.pk])),
        ("account page", reverse("account")),
        ("contact sheet", reverse("team:contacts")),
        ("playbooks", reverse("responses:playbooks")),
    ]


def admin_pages(desk):
    incident, party, published = desk["incident"], desk["party"], desk["published"]
    oldest = incident.history.earliest("history_date")
    pages = [("admin index", reverse("admin:index"))]
    for name, model, obj in [
        ("incident", "incidents_incident", incident),
        ("affected party", "incidents_affectedparty", party),
        ("statement", "responses_statement", published),
        ("user", "auth_user", desk["admin"]),
    ]:
        pages += [
            (f"admin {name} list", reverse(f"admin:{model}_changelist")),
            (f"admin {name} form", reverse(f"admin:{model}_change", args=[obj.pk])),
        ]
    comms = Group.objects.get(name=COMMS)
    return pages + [
        ("admin user, new", reverse("admin:auth_user_add")),
        ("admin group list", reverse("admin:auth_group_changelist")),
        ("admin group form", reverse("admin:auth_group_change", args=[comms.pk])),
        ("admin incident history", reverse("admin:incidents_incident_history", args=[incident.pk])),
        (
            "admin incident, one past version",
            reverse("admin:incidents_incident_simple_history", args=[incident.pk, oldest.pk]),
        ),
        (
            "admin statement history",
            reverse("admin:responses_statement_history", args=[published.pk]),
        ),
        (
            "admin statement, one past version",
            reverse(
                "admin:responses_statement_simple_history",
                args=[published.pk, published.history.earliest("history_date").pk],
            ),
        ),
        (
            "admin incident form, closed",
            reverse("admin:incidents_incident_change", args=[desk["closed"].pk]),
        ),
    ]


def test_the_sign_in_page_and_the_public_page_pass_axe(page, live_server, desk):
    check_pages(
        page,
        live_server.url,
        [
            ("sign-in page", reverse("login")),
            ("public page", public_page_url(desk["incident"])),
        ],
    )


def test_every_page_of_the_app_passes_axe(page, live_server, sign_in, desk):
    load_playbooks()
    sign_in(page, desk["admin"])
    check_pages(page, live_server.url, app_pages(desk))


def test_the_admin_pages_for_our_records_pass_axe(page, live_server, sign_in, desk):
    sign_in(page, desk["admin"])
    check_pages(page, live_server.url, admin_pages(desk))


def test_the_busiest_pages_pass_axe_on_a_phone(page, live_server, sign_in, desk):
    load_playbooks()
    page.set_viewport_size(PHONE)
    sign_in(page, desk["admin"])
    check_pages(
        page,
        live_server.url,
        [
            ("dashboard", reverse("incidents:dashboard")),
            ("incident list", reverse("incidents:list")),
            ("incident list, filtered", reverse("incidents:list") + "?show=all&severity=3"),
            ("incident page", desk["incident"].get_absolute_url()),
            ("statement page", desk["published"].get_absolute_url()),
            ("public page", public_page_url(desk["incident"])),
            ("reports", reverse("responses:report")),
            ("mentions inbox", reverse("monitoring:inbox")),
            ("contact sheet", reverse("team:contacts")),
            ("playbooks", reverse("responses:playbooks")),
        ],
    )


@pytest.fixture
def plan(desk):
    """The desk's incident with an action plan (one item overdue, one started, one done, one
    dropped, some public), the team's log, a public update waiting for publication and a published
    one, and the playbooks to apply; the administrator owns items, so the dashboard lists them."""
    load_playbooks()
    default_targets()
    incident, admin = desk["incident"], desk["admin"]
    comms = incident.declared_by
    now = timezone.now()
    overdue = make_action_item(
        incident, comms, title="Call the courier", owner=admin, is_public=True
    )
    overdue.due_at = now - timedelta(hours=2)
    overdue.save()
    started = make_action_item(
        incident, comms, title="Brief support", owner=admin, due_at=now + timedelta(minutes=30)
    )
    started.start(by=comms)
    done = make_action_item(incident, comms, title="Pause posts", kind="prevent", is_public=True)
    done.complete(by=comms, note="Paused until Monday.")
    dropped = make_action_item(incident, comms, title="Press release", owner=None)
    dropped.drop(by=comms, reason="Too early.")
    make_update(incident, comms, body="Support has the approved lines.")
    make_update(
        incident,
        comms,
        kind="public",
        status=ProgressUpdate.Status.PUBLISHED,
        body="Most late orders left the warehouse this morning.",
    )
    make_update(incident, comms, kind="public", body="Every late order has now shipped.")
    return {**desk, "item": started}


def test_the_action_plan_updates_and_their_pages_pass_axe(page, live_server, sign_in, plan):
    incident = plan["incident"]
    ref = incident.reference
    sign_in(page, plan["admin"])
    pages = [
        ("incident page, with a plan and updates", incident.get_absolute_url()),
        ("dashboard, with my items and updates to publish", reverse("incidents:dashboard")),
        (
            "incident timeline, filtered by kind",
            reverse("incidents:timeline", args=[ref]) + "?kind=action_item&kind=update",
        ),
        ("action item form, new", reverse("responses:action-item-create", args=[ref])),
        (
            "action item form, edit",
            reverse("responses:action-item-edit", args=[ref, plan["item"].pk]),
        ),
    ]
    check_pages(page, live_server.url, pages)
    page.set_viewport_size(PHONE)
    check_pages(page, live_server.url, pages[:2])

    # The states checked are there: an overdue item, each kind of update, the template panel.
    page.goto(live_server.url + incident.get_absolute_url())
    expect(page.get_by_role("region", name="Action plan")).to_contain_text("1 overdue")
    updates = page.get_by_role("region", name="Updates")
    for text in ["Support has the approved lines.", "Published", "Draft"]:
        expect(updates).to_contain_text(text)
    expect(page.get_by_role("region", name="Apply plan template")).to_be_visible()
    page.goto(live_server.url + reverse("incidents:dashboard"))
    expect(page.get_by_role("region", name="My action items")).to_contain_text("Call the courier")
    expect(
        page.get_by_role("region", name="Public updates waiting for publication")
    ).to_contain_text("Every late order has now shipped.")


def test_the_public_page_with_updates_and_public_items_passes_axe(page, live_server, plan):
    url = public_page_url(plan["incident"])
    check_pages(page, live_server.url, [("public page, with updates and items", url)])
    page.set_viewport_size(PHONE)
    check_pages(page, live_server.url, [("public page, with updates and items", url)])


def test_the_admin_pages_for_playbooks_and_targets_pass_axe(page, live_server, sign_in, plan):
    breach = PlanTemplate.objects.get(name="Data breach")
    target = ResponseTarget.objects.get(severity=Incident.Severity.CRITICAL)
    sign_in(page, plan["admin"])
    check_pages(
        page,
        live_server.url,
        [
            ("admin plan template list", reverse("admin:responses_plantemplate_changelist")),
            (
                "admin plan template form, with its items",
                reverse("admin:responses_plantemplate_change", args=[breach.pk]),
            ),
            ("admin plan template, new", reverse("admin:responses_plantemplate_add")),
            ("admin response target list", reverse("admin:responses_responsetarget_changelist")),
            (
                "admin response target form",
                reverse("admin:responses_responsetarget_change", args=[target.pk]),
            ),
        ],
    )


def test_the_postmortem_pages_pass_axe(page, live_server, sign_in, desk):
    """The post-mortem form refusing to close (a Rectify item open), the resolved incident's
    panel, the closed incident's report and the post-mortem's history."""
    comms = desk["incident"].declared_by
    resolved = make_incident(comms, title="Refund page down", status=Incident.Status.RESPONDING)
    make_party(resolved, by=comms)
    make_action_item(resolved, comms, title="Refund the late orders")
    resolved.resolve(by=comms)
    closed = desk["closed"]
    sign_in(page, desk["admin"])
    pages = [
        ("incident page, resolved", resolved.get_absolute_url()),
        ("post-mortem form, refusing", reverse("incidents:postmortem", args=[resolved.reference])),
        (
            "post-mortem report",
            reverse("incidents:postmortem-report", args=[closed.reference]),
        ),
        (
            "post-mortem history",
            reverse("incidents:postmortem-history", args=[closed.reference]),
        ),
    ]
    check_pages(page, live_server.url, pages)
    page.set_viewport_size(PHONE)
    check_pages(page, live_server.url, pages[1:3])

    # The states checked are there: the refusal with its link, the report's sections.
    page.goto(live_server.url + pages[1][1])
    expect(page.get_by_test_id("close-refusals")).to_contain_text("Refund the late orders")
    page.goto(live_server.url + pages[2][1])
    expect(page.get_by_role("heading", name="Action plan")).to_be_visible()
