"""``VersionedModel.may_edit``: the one answer to "may this user change this record now", per role,
on an open incident and on a frozen one."""

import pytest

from incidents.models import Incident
from tests import factories


@pytest.fixture
def closed(manager):
    return factories.make_incident(manager, status=Incident.Status.CLOSED)


@pytest.mark.parametrize(
    ("role", "allowed"), [("comms", True), ("manager", True), ("admin", True), ("viewer", False)]
)
def test_the_change_permission_decides_on_an_open_incident(request, incident, role, allowed):
    user = request.getfixturevalue(role)
    assert incident.may_edit(user) is allowed


@pytest.mark.parametrize("role", ["comms", "manager", "admin", "viewer"])
def test_nobody_may_edit_a_frozen_incident(request, closed, role):
    assert closed.may_edit(request.getfixturevalue(role)) is False


def test_a_named_permission_replaces_the_change_permission(incident, comms, manager):
    # Comms may change the incident but not publish an update on it.
    assert incident.may_edit(comms, "responses.publish_progressupdate") is False
    assert incident.may_edit(manager, "responses.publish_progressupdate") is True


def test_a_record_that_narrows_is_editable_is_refused_when_it_says_no(incident, comms, viewer):
    draft = factories.make_statement(incident, comms)
    assert (draft.may_edit(comms), draft.may_edit(viewer)) == (True, False)
    withdrawn = factories.make_statement(incident, comms, status="withdrawn")
    # Comms holds responses.change_statement; a withdrawn statement is never edited.
    assert withdrawn.may_edit(comms) is False


def test_a_record_without_is_editable_follows_its_incident(comms, viewer):
    incident = factories.make_incident(comms)
    item = factories.make_action_item(incident, comms)
    assert (item.may_edit(comms), item.may_edit(viewer)) == (True, False)
    factories.walk_to(incident, Incident.Status.CANCELLED)
    item = factories.reload(item)
    assert item.may_edit(comms) is False


@pytest.mark.parametrize(
    ("role", "allowed"), [("comms", True), ("manager", True), ("viewer", False)]
)
def test_a_move_is_allowed_from_its_sources_with_its_permission(request, incident, role, allowed):
    draft = factories.make_statement(incident, factories.make_comms("writer"))
    assert draft.may_move(request.getfixturevalue(role), "submit") is allowed


def test_a_move_is_refused_from_a_status_outside_its_sources(incident, comms):
    withdrawn = factories.make_statement(incident, comms, status="withdrawn")
    assert withdrawn.may_move(comms, "submit") is False


def test_on_a_frozen_incident_only_a_way_back_is_allowed(comms, manager):
    incident = factories.make_incident(comms)
    draft = factories.make_statement(incident, comms)
    factories.walk_to(incident, Incident.Status.CANCELLED)
    incident, draft = factories.reload(incident), factories.reload(draft)
    # The draft is still a draft, and Comms still holds the permission: the freeze refuses.
    assert draft.may_move(comms, "submit") is False
    assert (
        incident.may_move(manager, "reopen_frozen"),
        incident.may_move(comms, "reopen_frozen"),
    ) == (
        True,
        False,
    )
