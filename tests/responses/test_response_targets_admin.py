"""The response targets in the admin site: the four severities' rows, changed there with history,
never deleted, and read by the clocks."""

from datetime import timedelta

import pytest
from django.urls import reverse

from crisis import clocks
from responses.models import ResponseTarget
from tests import factories
from tests.test_admin import admin_url, post_back

LIST_URL = reverse("admin:responses_responsetarget_changelist")
ADD_URL = reverse("admin:responses_responsetarget_add")


@pytest.fixture
def critical(db):
    return factories.default_targets()[1]


def test_the_list_shows_the_four_severities_with_their_targets_in_words(client_as, admin, critical):
    html = factories.page_text(client_as(admin).get(LIST_URL))

    for label in ("1 – Critical", "2 – Major", "3 – Moderate", "4 – Minor"):
        assert label in html
    assert "First acknowledgement within" in html and "Public update every" in html
    assert "30 min" in html and "8 h" in html and "1 day" in html


def test_an_admin_changes_a_target_and_the_clocks_follow(client_as, admin, critical):
    response = post_back(
        client_as(admin),
        admin_url(critical, "change"),
        "acknowledgement_minutes",
        {"acknowledgement_minutes": "15", "update_cadence_minutes": "45"},
    )

    assert response.status_code == 302, factories.page_text(response)
    saved = factories.reload(critical)
    assert (saved.acknowledgement_minutes, saved.update_cadence_minutes) == (15, 45)
    assert clocks.acknowledgement_target(1) == timedelta(minutes=15)
    assert clocks.update_cadence(1) == timedelta(minutes=45)
    latest = saved.history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (
        admin,
        "Changed in the admin site",
    )
    assert latest.acknowledgement_minutes == 15


@pytest.mark.parametrize("minutes", ["0", "-5", "soon"])
def test_a_target_under_a_minute_is_refused_next_to_the_field(minutes, client_as, admin, critical):
    response = post_back(
        client_as(admin),
        admin_url(critical, "change"),
        "acknowledgement_minutes",
        {"acknowledgement_minutes": minutes},
    )

    assert response.status_code == 200
    html = factories.page_text(response)
    assert 'id="id_acknowledgement_minutes_error"' in html
    assert "acknowledgement_minutes" in response.context["adminform"].form.errors
    assert factories.reload(critical).acknowledgement_minutes == 30


def test_the_fields_are_labelled_and_the_severity_is_not_changed(client_as, admin, critical):
    html = factories.page_text(client_as(admin).get(admin_url(critical, "change")))

    assert '<label class="required" for="id_acknowledgement_minutes">' in html
    assert '<label class="required" for="id_update_cadence_minutes">' in html
    assert 'name="severity"' not in html
    assert "1 – Critical" in html


def test_no_severity_is_added_beyond_the_four(client_as, admin, critical):
    client = client_as(admin)

    assert client.get(ADD_URL).status_code == 403
    assert ADD_URL not in factories.page_text(client.get(LIST_URL))


def test_a_missing_severity_may_be_added_back(client_as, admin, critical):
    ResponseTarget.objects.filter(severity=4).delete()
    client = client_as(admin)

    response = client.post(
        ADD_URL,
        {"severity": "4", "acknowledgement_minutes": "600", "update_cadence_minutes": "720"},
    )

    assert response.status_code == 302, factories.page_text(response)
    assert clocks.acknowledgement_target(4) == timedelta(hours=10)
    assert client.get(ADD_URL).status_code == 403


def test_a_target_is_never_deleted(client_as, admin, critical):
    client = client_as(admin)

    assert client.get(admin_url(critical, "delete")).status_code == 403
    client.post(admin_url(critical, "delete"), {"post": "yes"})

    assert ResponseTarget.objects.count() == 4


def test_its_history_is_readable_without_a_revert(client_as, admin, critical):
    client = client_as(admin)
    for minutes in ("20", "25"):
        post_back(
            client,
            admin_url(critical, "change"),
            "acknowledgement_minutes",
            {"acknowledgement_minutes": minutes},
        )
    first = critical.history.earliest("history_date")

    assert client.get(admin_url(critical, "history")).status_code == 200
    assert client.get(admin_url(critical, "simple_history", first.pk)).status_code == 200
    refused = client.post(
        admin_url(critical, "simple_history", first.pk),
        {"acknowledgement_minutes": "30", "update_cadence_minutes": "60"},
    )
    assert refused.status_code == 403
    assert factories.reload(critical).acknowledgement_minutes == 25


@pytest.mark.parametrize("role", ["comms", "manager", "viewer"])
def test_only_staff_change_the_targets(role, request, client_as, critical):
    client = client_as(request.getfixturevalue(role))

    response = client.post(
        admin_url(critical, "change"),
        {"acknowledgement_minutes": "1", "update_cadence_minutes": "1"},
    )

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert factories.reload(critical).acknowledgement_minutes == 30
