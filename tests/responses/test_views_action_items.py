"""The action plan on the incident page: adding, editing, moving and reordering items."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.models import ActionItem
from tests import factories
from tests.factories import FROZEN_NOTICE

S = ActionItem.Status
DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
ROLES = ["anonymous", "viewer", "comms", "manager", "admin"]
WRITERS = {"comms", "manager", "admin"}
EVERYONE_SIGNED_IN = {"viewer", "comms", "manager", "admin"}


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


def item_data(**overrides):
    data = {
        "title": "Offer a refund to late orders",
        "details": "Ask finance for the code.",
        "kind": ActionItem.Kind.RECTIFY,
        "owner": "",
        "due_at": "2026-03-14T18:00",
        "is_public": "on",
        "once_token": factories.once_token(),
    }
    data.update(overrides)
    return data


def user_for(role, request):
    return None if role == "anonymous" else request.getfixturevalue(role)


def plan_titles(incident):
    return list(incident.action_items.values_list("title", flat=True))


# Who may do what

VIEWS = [
    # name, method, who may, what a permitted request answers
    ("create", "get", WRITERS, 200),
    ("create", "post", WRITERS, 302),
    ("edit", "get", WRITERS, 200),
    ("edit", "post", WRITERS, 302),
    ("history", "get", EVERYONE_SIGNED_IN, 200),
    ("move", "post", WRITERS, 302),
    ("up", "post", WRITERS, 302),
    ("down", "post", WRITERS, 302),
]


def url_for(name, item):
    if name == "create":
        return create_url(item.incident)
    if name == "move":
        return item_url("move", item, "start")
    return item_url(name, item)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "allowed", "answer"), VIEWS)
def test_each_view_lets_in_exactly_the_roles_that_may(
    name, method, allowed, answer, role, request, client_as, item
):
    client = client_as(user_for(role, request))
    before = factories.snapshot(item)

    with time_machine.travel(NOW, tick=False):
        if method == "get":
            response = client.get(url_for(name, item))
        else:
            response = client.post(url_for(name, item), item_data(version="1"))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif role in allowed:
        assert response.status_code == answer
    else:
        assert response.status_code == 403
    if role not in allowed and method == "post":
        assert factories.snapshot(item) == before
        assert ActionItem.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "method"),
    [("move", "get"), ("up", "get"), ("down", "get"), ("create", "put"), ("edit", "delete")],
)
def test_each_view_refuses_the_wrong_method(name, method, client_as, comms, item):
    before = factories.snapshot(item)

    response = getattr(client_as(comms), method)(url_for(name, item))

    assert response.status_code == 405
    assert factories.snapshot(item) == before


def test_an_item_of_another_incident_is_not_found(client_as, comms, item):
    other = factories.make_incident(comms, title="Another")
    url = reverse("responses:action-item-edit", args=[other.reference, item.pk])

    assert client_as(comms).get(url).status_code == 404


# Adding an item


def test_it_adds_an_item_at_the_end_of_the_plan(client_as, comms, manager, declared, item):
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).post(
            create_url(declared), item_data(owner=str(manager.pk)), follow=True
        )

    added = ActionItem.objects.get(title="Offer a refund to late orders")
    assert response.redirect_chain == [(f"{declared.get_absolute_url()}#item-{added.pk}", 302)]
    assert (added.incident, added.owner, added.kind, added.is_public) == (
        declared,
        manager,
        ActionItem.Kind.RECTIFY,
        True,
    )
    assert added.due_at == datetime(2026, 3, 14, 18, 0, tzinfo=UTC)
    assert added.details == "Ask finance for the code."
    assert (added.created_by, added.created_at, added.status) == (comms, NOW, S.OPEN)
    assert plan_titles(declared) == ["Answer every complaint", "Offer a refund to late orders"]
    row = added.history.get()
    assert (row.history_user, row.history_change_reason) == (comms, "Added")
    assert factories.messages_shown(response) == [
        ("success", "Added to the action plan: Offer a refund to late orders")
    ]


def test_the_add_form_offers_the_user_as_owner_and_a_one_time_key(client_as, comms, declared):
    response = client_as(comms).get(create_url(declared))

    values = factories.form_values(response, containing="title")
    assert values["owner"] == str(comms.pk)
    assert values["kind"] == ActionItem.Kind.RECTIFY
    assert len(values["once_token"]) >= 16
    html = factories.page_text(response)
    assert 'for="id_title"' in html and 'for="id_due_at"' in html


def test_a_due_time_in_the_past_is_refused_by_the_field_and_keeps_what_was_typed(
    client_as, comms, declared
):
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).post(create_url(declared), item_data(due_at="2026-03-14T09:59"))

    assert response.status_code == 200
    assert not ActionItem.objects.exists()
    assert response.context["form"].errors["due_at"] == ["A new item cannot be due in the past."]
    assert "A new item cannot be due in the past." in factories.page_text(response)
    kept = factories.form_values(response, containing="title")
    assert kept["title"] == "Offer a refund to late orders"
    assert kept["details"] == "Ask finance for the code."


def test_an_item_without_a_title_is_refused_by_the_field(client_as, comms, declared):
    response = client_as(comms).post(create_url(declared), item_data(title=""))

    assert not ActionItem.objects.exists()
    assert response.context["form"].errors["title"] == ["Say what needs doing."]


def test_sending_the_add_form_twice_adds_one_item(client_as, comms, declared):
    client = client_as(comms)
    data = item_data()

    with time_machine.travel(NOW, tick=False):
        first = client.post(create_url(declared), data, follow=True)
        again = client.post(create_url(declared), data, follow=True)

    added = ActionItem.objects.get()
    assert first.redirect_chain[0][0] == added.get_absolute_url()
    assert again.redirect_chain[0][0] == added.get_absolute_url()
    assert factories.messages_shown(again) == [("info", "This was already saved: here it is.")]


def test_a_closed_incident_takes_no_new_item(client_as, manager):
    incident = factories.make_incident(manager, status=Incident.Status.CLOSED)

    response = client_as(manager).post(create_url(incident), item_data(), follow=True)

    assert not ActionItem.objects.exists()
    assert factories.messages_shown(response) == [FROZEN_NOTICE]


# Editing an item


def test_the_edit_form_opens_with_the_items_facts(client_as, comms, item):
    values = factories.form_values(client_as(comms).get(item_url("edit", item)), "title")

    assert values["title"] == "Answer every complaint"
    assert values["version"] == "1"
    assert "once_token" not in values


def test_it_saves_an_items_changes_with_history(client_as, manager, item):
    with time_machine.travel(NOW, tick=False):
        response = client_as(manager).post(
            item_url("edit", item),
            item_data(version="1", kind=ActionItem.Kind.PREVENT, is_public=""),
            follow=True,
        )

    stored = factories.reload(item)
    assert response.redirect_chain == [(item.get_absolute_url(), 302)]
    assert (stored.title, stored.kind, stored.is_public, stored.version) == (
        "Offer a refund to late orders",
        ActionItem.Kind.PREVENT,
        False,
        2,
    )
    row = stored.history.order_by("-history_id").first()
    assert (row.history_user, row.history_change_reason) == (manager, "Edited")
    assert factories.messages_shown(response) == [("success", "Action item updated.")]


def test_an_edit_may_keep_a_due_time_that_has_passed(client_as, comms, item):
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).post(
            item_url("edit", item), item_data(version="1", due_at="2026-03-14T09:30")
        )

    assert response.status_code == 302
    assert factories.reload(item).due_at == datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def test_a_stale_edit_is_detected_and_keeps_both_versions(client_as, comms, manager, item):
    opened = factories.form_values(client_as(comms).get(item_url("edit", item)), "title")
    with time_machine.travel(NOW, tick=False):
        client_as(manager).post(
            item_url("edit", item), item_data(version="1", title="Manager's wording")
        )
        opened["title"] = "My wording"
        response = client_as(comms).post(item_url("edit", item), dict(opened.lists()))

    assert response.status_code == 200
    assert factories.reload(item).title == "Manager's wording"
    html = factories.page_text(response)
    assert "Saved meanwhile by someone else" in html
    assert "Manager's wording" in html
    assert factories.form_values(response, "title")["title"] == "My wording"
    assert factories.form_values(response, "title")["version"] == "2"
    assert factories.messages_shown(response)[0][0] == "danger"

    client_as(comms).post(item_url("edit", item), dict(factories.form_values(response, "title")))

    assert factories.reload(item).title == "My wording"


def test_an_item_of_a_closed_incident_cannot_be_edited(client_as, manager, item):
    factories.walk_to(item.incident, Incident.Status.CLOSED)
    before = factories.snapshot(item)

    response = client_as(manager).post(item_url("edit", item), item_data(version="1"), follow=True)

    assert factories.snapshot(item) == before
    assert factories.messages_shown(response) == [FROZEN_NOTICE]


# Moving an item through its lifecycle


def test_starting_an_item_from_the_page(client_as, comms, item):
    response = client_as(comms).post(item_url("move", item, "start"), follow=True)

    assert factories.reload(item).status == S.IN_PROGRESS
    assert response.redirect_chain == [(item.get_absolute_url(), 302)]
    assert factories.messages_shown(response) == [("success", "Started: Answer every complaint")]


def test_completing_with_a_note(client_as, comms, item):
    response = client_as(comms).post(
        item_url("move", item, "complete"), {"reason": "All answered."}, follow=True
    )

    stored = factories.reload(item)
    assert stored.status == S.DONE
    assert stored.history.order_by("-history_id").first().history_change_reason == (
        "Done: All answered."
    )
    assert factories.messages_shown(response) == [("success", "Done: Answer every complaint")]


def test_dropping_without_a_reason_is_refused_with_a_message(client_as, comms, item):
    before = factories.snapshot(item)

    response = client_as(comms).post(item_url("move", item, "drop"), {"reason": " "}, follow=True)

    assert factories.snapshot(item) == before
    assert factories.messages_shown(response) == [("danger", "Say why the item is dropped.")]


def test_dropping_with_a_reason(client_as, comms, item):
    client_as(comms).post(item_url("move", item, "drop"), {"reason": "Support does it."})

    stored = factories.reload(item)
    assert (stored.status, stored.drop_reason) == (S.DROPPED, "Support does it.")


def test_reopening_a_done_item(client_as, comms, item):
    item.complete(by=comms)

    client_as(comms).post(item_url("move", item, "reopen"))

    assert factories.reload(item).status == S.OPEN


def test_a_move_the_status_does_not_allow_is_refused_with_a_message(client_as, comms, item):
    item.complete(by=comms)

    response = client_as(comms).post(item_url("move", item, "start"), follow=True)

    assert factories.reload(item).status == S.DONE
    assert factories.messages_shown(response) == [
        ("danger", "“Start” is not possible while the action item is Done.")
    ]


def test_an_unknown_move_is_refused_with_a_message(client_as, comms, item):
    response = client_as(comms).post(item_url("move", item, "delete"), follow=True)

    assert factories.reload(item).status == S.OPEN
    assert factories.messages_shown(response) == [
        ("danger", "That is not a move an action item can make here.")
    ]


def test_completing_an_item_of_a_closed_incident_is_refused(client_as, manager, item):
    factories.walk_to(item.incident, Incident.Status.CLOSED)
    before = factories.snapshot(item)

    response = client_as(manager).post(item_url("move", item, "complete"), follow=True)

    assert factories.snapshot(item) == before
    level, text = factories.messages_shown(response)[0]
    assert level == "danger" and "frozen" in text


# Reordering


def test_reordering_from_the_page(client_as, comms, declared, item):
    second = factories.make_action_item(declared, comms, title="Brief support")

    response = client_as(comms).post(item_url("up", second), follow=True)

    assert plan_titles(declared) == ["Brief support", "Answer every complaint"]
    assert response.redirect_chain == [(second.get_absolute_url(), 302)]

    client_as(comms).post(item_url("down", second))

    assert plan_titles(declared) == ["Answer every complaint", "Brief support"]


def test_moving_the_first_item_up_is_refused_with_a_message(client_as, comms, item):
    response = client_as(comms).post(item_url("up", item), follow=True)

    assert factories.messages_shown(response) == [
        ("danger", "“Answer every complaint” is already first in the plan.")
    ]


# History


def test_the_items_history_lists_every_change(client_as, viewer, comms, item):
    item.start(by=comms)
    item.drop(by=comms, reason="Support does it.")

    html = factories.page_text(client_as(viewer).get(item_url("history", item)))

    assert html.index("Dropped: Support does it.") < html.index("Started") < html.index("Added")
