"""crisis.backends.PermissionsInOneQuery answers as Django's ModelBackend does, in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crisis.backends import PermissionsInOneQuery
from tests import factories


def _fresh(user):
    """The same person as a new object: nothing cached from an earlier check."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_every_role_gets_what_modelbackend_gives_in_one_query(role, request):
    user = request.getfixturevalue(role)
    expected = ModelBackend().get_all_permissions(_fresh(user))

    person = _fresh(user)
    with CaptureQueriesContext(connection) as queries:
        found = PermissionsInOneQuery().get_all_permissions(person)
        again = PermissionsInOneQuery().get_all_permissions(person)

    assert found == expected and again == expected
    assert len(queries) == 1  # read once, then cached on the user for the request
    assert (role == "viewer") == (found == set())


def test_own_permissions_and_the_groups_are_both_counted(db):
    user = factories.make_comms()
    own = Permission.objects.get(codename="cancel_incident")
    user.user_permissions.add(own)
    found = PermissionsInOneQuery().get_all_permissions(_fresh(user))

    assert "incidents.cancel_incident" in found  # their own
    assert "incidents.add_incident" in found  # their group's
    assert found == ModelBackend().get_all_permissions(_fresh(user))


def test_an_inactive_person_and_questions_about_an_object_get_nothing(db):
    user = factories.make_comms()
    incident = factories.make_incident(user)
    assert PermissionsInOneQuery().get_all_permissions(_fresh(user), obj=incident) == set()

    user.is_active = False
    user.save()
    inactive = _fresh(user)
    assert PermissionsInOneQuery().get_all_permissions(inactive) == set()
    assert not inactive.has_perm("incidents.add_incident")


def test_a_page_reads_the_permissions_once(client_as, comms):
    """The settings name it: a page's navigation (role, buttons) costs one permissions query,
    where ModelBackend asks two (the person's own, then their groups')."""
    client = client_as(comms)
    client.get("/incidents/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/incidents/")

    assert "Declare incident" in response.content.decode()
    asked = [q["sql"] for q in queries.captured_queries if '"auth_permission"' in q["sql"]]
    assert len(asked) == 1, asked
