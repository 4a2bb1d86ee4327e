"""The admin site's pages that only show (its index, an app's list, "view on site", every
registered model's history) refuse a POST, and its forms still take one (crisis.admin_site)."""

import pytest
from django.contrib import admin as admin_site
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from monitoring.models import ApiToken
from tests import factories


def history_urls():
    """Each registered model's history page, of one id (the refusal comes before any lookup)."""
    return {
        model._meta.label_lower: reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=["1"]
        )
        for model in admin_site.site._registry
    }


def test_every_registered_models_history_refuses_an_unsafe_method(client_as, admin):
    client = client_as(admin)
    urls = history_urls()
    # Ours and third-party ones alike.
    assert {"auth.user", "axes.accessattempt", "otp_totp.totpdevice", "incidents.incident"} <= set(
        urls
    )
    answers = {
        (label, method): getattr(client, method)(url).status_code
        for label, url in urls.items()
        for method in ("post", "put", "patch", "delete")
    }
    assert set(answers.values()) == {405}, answers


def test_a_history_page_opens_and_refuses_a_post(client_as, admin, incident):
    client = client_as(admin)
    url = reverse("admin:incidents_incident_history", args=[incident.pk])

    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    refused = client.post(url, {"anything": "x"})
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"


def test_the_index_the_app_list_and_view_on_site_refuse_a_post(client_as, admin, incident):
    client = client_as(admin)
    content_type = ContentType.objects.get_for_model(incident)
    view_on_site = reverse("admin:view_on_site", args=[content_type.pk, incident.pk])
    index = reverse("admin:index")
    app_list = reverse("admin:app_list", args=["incidents"])

    assert client.get(index).status_code == 200
    assert client.get(app_list).status_code == 200
    assert client.get(view_on_site).status_code == 302
    for url in (index, app_list, view_on_site):
        assert client.post(url).status_code == 405, url


@pytest.mark.parametrize("role", ["anonymous", "viewer"])
def test_someone_not_staff_is_refused_a_post_too_and_sent_to_sign_in_on_a_get(db, client, role):
    if role == "viewer":
        client.force_login(factories.make_user("viewer"))
    url = reverse("admin:auth_group_history", args=["1"])

    assert client.post(url).status_code == 405
    assert client.get(url)["Location"].startswith(reverse("admin:login"))


def test_the_admins_forms_still_take_a_post(client_as, admin):
    client = client_as(admin)
    added = client.post(reverse("admin:auth_group_add"), {"name": "Press office"})
    group = Group.objects.get(name="Press office")
    changed = client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "Press"})
    deleted = client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})
    client.post(reverse("admin:monitoring_apitoken_add"), {"name": "Listener", "expires_at": ""})
    token = ApiToken.objects.get(name="Listener")
    # An action chosen on a changelist.
    acted = client.post(
        reverse("admin:monitoring_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk], "index": "0"},
    )

    assert (added.status_code, changed.status_code, deleted.status_code) == (302, 302, 302)
    assert not Group.objects.filter(pk=group.pk).exists()
    assert acted.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
