"""The action plan's panel on the incident page: each item with its facts and clock, and the
moves and reordering offered to each role."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.models import ActionItem
from tests import factories

DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def declared(comms):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(comms)


@pytest.fixture
def item(declared, comms):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_action_item(declared, comms, title="Answer every complaint")


def create_url(incident):
    return reverse("responses:action-item-create", args=[incident.reference])


def item_url(name, item, *extra):
    return reverse(f"responses:action-item-{name}", args=[item.incident.reference, item.pk, *extra])


def plan_panel(response):
    html = factories.page_text(response)
    return html[html.index('id="action-plan"') : html.index('id="timeline-heading"')]


def test_the_panel_shows_each_item_with_kind_owner_status_due_and_visibility(
    client_as, viewer, comms, declared, item
):
    with time_machine.travel(DECLARED, tick=False):
        factories.make_action_item(
            declared,
            comms,
            title="Review the posting policy",
            kind=ActionItem.Kind.PREVENT,
            owner=None,
            due_at=DECLARED + timedelta(days=3),
            is_public=True,
        )

    with time_machine.travel(DECLARED + timedelta(hours=1), tick=False):
        panel = plan_panel(client_as(viewer).get(declared.get_absolute_url()))

    assert panel.index("Answer every complaint") < panel.index("Review the posting policy")
    assert ">Rectify<" in panel and ">Prevent<" in panel
    assert "Owner: Comms Tester" in panel and "Owner: nobody yet" in panel
    assert ">Open<" in panel
    assert "Public" in panel and "internal only" in panel
    assert "Due in 2 days 23 h" in panel
    assert "17 Mar 2026, 09:00 UTC" in panel
    assert "Due: no date" in panel
    # The clock says how long is left; the date beside it does not say it again.
    assert panel.count("2 days 23 h") == 1


def test_the_panel_offers_a_writer_the_allowed_moves(client_as, comms, declared, item):
    panel = plan_panel(client_as(comms).get(declared.get_absolute_url()))

    assert item_url("move", item, "start") in panel
    assert item_url("move", item, "complete") in panel
    assert item_url("move", item, "drop") in panel
    assert item_url("move", item, "reopen") not in panel
    assert item_url("edit", item) in panel
    assert create_url(declared) in panel
    assert f'for="item-{item.pk}-drop-reason"' in panel
    # A single item has nowhere to move.
    assert item_url("up", item) not in panel and item_url("down", item) not in panel


def test_the_panel_offers_reordering_within_the_plan(client_as, comms, declared, item):
    second = factories.make_action_item(declared, comms, title="Brief support")

    panel = plan_panel(client_as(comms).get(declared.get_absolute_url()))

    assert item_url("down", item) in panel and item_url("up", item) not in panel
    assert item_url("up", second) in panel and item_url("down", second) not in panel


def test_the_panel_offers_a_viewer_nothing_to_change(client_as, viewer, declared, item):
    panel = plan_panel(client_as(viewer).get(declared.get_absolute_url()))

    assert "Answer every complaint" in panel
    assert "<form" not in panel
    assert create_url(declared) not in panel and item_url("edit", item) not in panel


def test_the_panel_of_a_closed_incident_offers_no_action(client_as, manager, declared, item):
    done = factories.make_action_item(declared, manager, title="Done already")
    done.complete(by=manager)
    factories.walk_to(declared, Incident.Status.CLOSED)

    panel = plan_panel(client_as(manager).get(declared.get_absolute_url()))

    assert "Answer every complaint" in panel and "Done already" in panel
    assert "<form" not in panel
    assert create_url(declared) not in panel and item_url("edit", item) not in panel
    assert item_url("history", item) in panel


def test_an_overdue_item_says_so_in_words_and_an_icon(client_as, viewer, comms, declared):
    with time_machine.travel(DECLARED, tick=False):
        factories.make_action_item(
            declared, comms, title="Call the regulator", due_at=DECLARED + timedelta(hours=1)
        )

    with time_machine.travel(DECLARED + timedelta(hours=3), tick=False):
        panel = plan_panel(client_as(viewer).get(declared.get_absolute_url()))

    assert (
        '<span class="clock clock-overdue" data-clock="overdue"><span class="clock-icon" '
        'aria-hidden="true">⚠</span> Overdue by 2 h</span>'
    ) in panel
    assert "⚠</span> 1 overdue" in panel


def test_an_item_due_within_the_hour_says_due_soon(client_as, viewer, comms, declared):
    with time_machine.travel(DECLARED, tick=False):
        factories.make_action_item(
            declared, comms, title="Call the regulator", due_at=DECLARED + timedelta(hours=1)
        )

    with time_machine.travel(DECLARED + timedelta(minutes=20), tick=False):
        panel = plan_panel(client_as(viewer).get(declared.get_absolute_url()))

    assert "⏱</span> Due soon, in 40 min" in panel
    assert "overdue" not in panel.lower()


@pytest.mark.parametrize(
    ("done_after", "expected"),
    [
        (
            30,
            '<span class="clock clock-done" data-clock="done"><span class="clock-icon" '
            'aria-hidden="true">✓</span> Done on time</span>',
        ),
        # Late: a warning mark, not the green tick of a timely one.
        (
            90,
            '<span class="clock clock-late" data-clock="late"><span class="clock-icon" '
            'aria-hidden="true">⚠</span> Done after its due time</span>',
        ),
    ],
)
def test_a_done_item_says_whether_it_was_on_time_by_its_mark(
    client_as, viewer, comms, declared, done_after, expected
):
    with time_machine.travel(DECLARED, tick=False):
        item = factories.make_action_item(
            declared, comms, title="Call the regulator", due_at=DECLARED + timedelta(hours=1)
        )
    with time_machine.travel(DECLARED + timedelta(minutes=done_after), tick=False):
        item.complete(by=comms, note="Called.")

    panel = plan_panel(client_as(viewer).get(declared.get_absolute_url()))

    assert expected in panel


def test_an_empty_plan_invites_the_first_item(client_as, comms, declared):
    panel = plan_panel(client_as(comms).get(declared.get_absolute_url()))

    assert "No action items yet." in panel
    assert "Add action item" in panel
