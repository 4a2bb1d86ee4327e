"""Someone who leaves is deactivated, never deleted: they can no longer sign in, and their name
stays on everything they did (the history, the timeline, the statements)."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from responses.models import Statement
from tests import factories
from tests.incidents.test_incident_history import articles, edited, history_url  # noqa: F401


def test_the_admin_site_cannot_delete_a_person(client, admin, comms):
    client.force_login(admin)
    page = client.get(reverse("admin:auth_user_delete", args=[comms.pk]))
    bulk = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [comms.pk], "post": "yes"},
    )
    listing = client.get(reverse("admin:auth_user_changelist"))

    assert page.status_code == 403
    assert bulk.status_code in (200, 302)
    assert "delete_selected" not in listing.content.decode()
    assert get_user_model().objects.filter(pk=comms.pk).exists()


def test_a_deactivated_person_cannot_sign_in_and_keeps_their_name_on_the_history(
    client, viewer, manager, request
):
    incident = request.getfixturevalue("edited")  # changed by the manager
    statement = factories.make_statement(incident, manager, status=Statement.Status.PUBLISHED)
    client.force_login(factories.make_user("staffer", is_staff=True, is_superuser=True))
    user_page = reverse("admin:auth_user_change", args=[manager.pk])
    form = client.get(user_page).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        is_active="",
        groups=[g.pk for g in manager.groups.all()],
        date_joined_0=manager.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=manager.date_joined.strftime("%H:%M:%S"),
        last_login_0="",
        last_login_1="",
    )
    data.pop("user_permissions", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    saved = client.post(user_page, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert not factories.reload(manager).is_active

    stranger = Client()
    refused = stranger.post(
        reverse("login"), {"username": "manager", "password": factories.PASSWORD}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in stranger.session

    client.force_login(viewer)
    history = client.get(history_url(incident))
    (edit,) = [a for a in articles(history) if "Facts confirmed by logistics" in a]
    assert "Manager Tester" in edit
    page = client.get(statement.get_absolute_url())
    assert "Manager Tester" in page.content.decode()
