"""The role a person acts in, read from their permissions (the navigation bar) or from their
groups (lists of people): both readings agree for every role."""

import pytest
from django.contrib.auth import get_user_model

from crisis import roles


@pytest.mark.parametrize(
    ("role", "name"),
    [("viewer", "Viewer"), ("comms", "Comms"), ("manager", "Manager"), ("admin", "Admin")],
)
def test_the_groups_name_the_same_role_as_the_permissions(request, role, name):
    person = request.getfixturevalue(role)
    listed = get_user_model().objects.prefetch_related("groups").get(pk=person.pk)

    assert roles.role_name(person) == name
    assert roles.role_name_from_groups(listed) == name


def test_a_manager_also_in_comms_is_a_manager(manager):
    from django.contrib.auth.models import Group

    manager.groups.add(Group.objects.get(name=roles.COMMS))

    assert roles.role_name_from_groups(manager) == "Manager"
