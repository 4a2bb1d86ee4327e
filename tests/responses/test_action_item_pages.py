"""Action items beyond their panel: "My action items" on the dashboard, the public page's action
plan, and the incident timeline."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.models import ActionItem
from responses.public import public_page_url
from tests import factories

IS = Incident.Status
DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DASHBOARD = reverse("incidents:dashboard")


def declare(by, title="Angry replies about late deliveries"):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(by, title=title)


def add(incident, by, title, **fields):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_action_item(incident, by, title=title, **fields)


def my_items_panel(response):
    html = factories.page_text(response)
    start = html.index('id="my-action-items"')
    return html[start : html.index("</section>", start)]


# The dashboard


def test_my_items_come_overdue_first_then_soonest_due_then_undated(client_as, comms):
    incident = declare(comms)
    other = declare(comms, title="Fake coupon going round")
    add(incident, comms, "Undated")
    add(incident, comms, "Due in three hours", due_at=DECLARED + 5 * HOUR)
    add(other, comms, "Overdue", due_at=DECLARED + HOUR)
    add(incident, comms, "Due in half an hour", due_at=DECLARED + 2.5 * HOUR)

    with time_machine.travel(DECLARED + 2 * HOUR, tick=False):
        response = client_as(comms).get(DASHBOARD)

    titles = [item.title for item, _clock in response.context["my_items"]]
    assert titles == ["Overdue", "Due in half an hour", "Due in three hours", "Undated"]
    panel = my_items_panel(response)
    assert panel.index("Overdue") < panel.index("Due in half an hour")
    assert '<span class="clock-icon" aria-hidden="true">⚠</span> Overdue by 1 h' in panel
    assert "⏱</span> Due soon, in 30 min" in panel
    assert "◷</span> Due in 3 h" in panel
    assert "No due time" in panel
    assert f"· {other.reference}</a>" in panel
    overdue = ActionItem.objects.get(title="Overdue")
    assert f'href="{overdue.get_absolute_url()}"' in panel


def test_only_my_unfinished_items_on_open_incidents_are_listed(client_as, comms, manager):
    incident = declare(comms)
    add(incident, comms, "Mine, open")
    started = add(incident, comms, "Mine, started")
    started.start(by=comms)
    add(incident, manager, "Someone else's", owner=manager)
    add(incident, comms, "Nobody's", owner=None)
    add(incident, comms, "Mine, done").complete(by=comms)
    add(incident, comms, "Mine, dropped").drop(by=comms, reason="Not needed.")
    resolved = declare(comms, title="Resolved one")
    add(resolved, comms, "Mine, on a resolved incident")
    factories.walk_to(resolved, IS.RESOLVED)

    response = client_as(comms).get(DASHBOARD)

    titles = [item.title for item, _clock in response.context["my_items"]]
    assert sorted(titles) == ["Mine, open", "Mine, started"]


def test_nothing_on_my_plate_says_so(client_as, viewer):
    panel = my_items_panel(client_as(viewer).get(DASHBOARD))

    assert "Nothing on your plate: no open action item is yours." in panel


@pytest.mark.parametrize("count", [1, 20])
def test_the_dashboard_queries_do_not_grow_with_my_items(
    count, client_as, comms, django_assert_max_num_queries
):
    for n in range(count):
        incident = factories.make_incident(comms, title=f"Open {n}")
        factories.make_action_item(incident, comms, title=f"Item {n}", due_at=None)
    client = client_as(comms)

    with django_assert_max_num_queries(factories.DASHBOARD_QUERIES):
        response = client.get(DASHBOARD)

    assert len(response.context["my_items"]) == count
    assert my_items_panel(response).count("data-item=") == count


# The public page


@pytest.fixture
def public_incident(comms, manager):
    incident = declare(comms)
    incident.open_public_page(by=manager)
    return incident


def public_text(client, incident):
    return factories.page_text(client.get(public_page_url(incident)))


def test_the_public_page_shows_only_public_items_in_plain_words(
    client, comms, manager, public_incident
):
    add(
        public_incident,
        comms,
        "Refund every late order",
        details="Finance code RF-7, ask Dana.",
        is_public=True,
        due_at=DECLARED + 9 * HOUR,
        owner=manager,
    )
    started = add(public_incident, comms, "Review the courier contract", is_public=True)
    started.start(by=comms)
    started.complete(by=comms, note="Signed with the new courier.")
    dropped = add(public_incident, comms, "Pause scheduled posts", is_public=True, kind="prevent")
    dropped.drop(by=comms, reason="The intern says so.")
    add(public_incident, comms, "Talk to the warehouse lead", is_public=False)

    html = public_text(client, public_incident)

    assert "Refund every late order" in html
    assert "Fixing the problem" in html and "Preventing a repeat" in html
    assert "<strong>Planned</strong>, expected by 14 Mar 2026, 18:00 UTC" in html
    assert "<strong>Done</strong> on " in html
    assert "<strong>No longer planned</strong>" in html
    # Nothing internal: the private item, owners, details, notes and reasons stay inside.
    for internal in (
        "Talk to the warehouse lead",
        "Finance code",
        "Manager Tester",
        "Comms Tester",
        "The intern says so.",
        "Signed with the new courier.",
        "Rectify",
    ):
        assert internal not in html


def test_the_public_action_plan_comes_before_the_statements(
    client, comms, manager, public_incident
):
    factories.make_statement(public_incident, comms, status="published", body="We are on it.")
    add(public_incident, comms, "Refund every late order", is_public=True)

    html = public_text(client, public_incident)

    assert html.index("What we are doing about it") < html.index("We are on it.")


def test_without_public_items_the_public_page_has_no_action_plan(client, comms, public_incident):
    add(public_incident, comms, "Talk to the warehouse lead")

    assert "What we are doing about it" not in public_text(client, public_incident)


@pytest.mark.parametrize("count", [1, 20])
def test_the_public_page_queries_do_not_grow_with_items(
    count, client, comms, public_incident, django_assert_max_num_queries
):
    for n in range(count):
        factories.make_action_item(public_incident, comms, title=f"Step {n}", is_public=True)

    # The page's queries whatever the items (the texts in other languages and the rumours'
    # section included).
    with django_assert_max_num_queries(6):
        response = client.get(public_page_url(public_incident))

    assert len(response.context["action_items"]) == count


# The timeline


def timeline_text(response):
    html = factories.page_text(response)
    return html[html.index('id="timeline-heading"') :]


def test_the_timeline_tells_what_happened_to_each_item(client_as, viewer, comms):
    incident = declare(comms)
    item = add(incident, comms, "Answer every complaint")
    item.start(by=comms)
    item.complete(by=comms, note="All 212 answered.")
    other = add(incident, comms, "Pause scheduled posts")
    other.drop(by=comms, reason="Nothing is scheduled.")

    timeline = timeline_text(client_as(viewer).get(incident.get_absolute_url()))

    assert "Action item: Answer every complaint" in timeline
    assert "Done: All 212 answered." in timeline
    assert "Dropped: Nothing is scheduled." in timeline
    assert "Action item: Pause scheduled posts" in timeline
    assert timeline.index("Dropped: Nothing is scheduled.") < timeline.index(
        "Done: All 212 answered."
    )


@pytest.mark.parametrize("count", [1, 20])
def test_the_incident_page_queries_do_not_grow_with_items_and_their_changes(
    count, client_as, manager, comms, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    for n in range(count):
        item = factories.make_action_item(
            incident, comms, title=f"Step {n}", owner=factories.make_comms(f"owner-{n}")
        )
        item.start(by=comms)
        item.complete(by=comms)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(incident.get_absolute_url())

    html = factories.page_text(response)
    assert html.count('data-status="done"') == count
    timeline = client.get(reverse("incidents:timeline", args=[incident.reference]))
    assert factories.page_text(timeline).count('data-kind="action_item"') == 3 * count
