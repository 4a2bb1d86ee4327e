"""Editing an incident's facts: incidents:edit."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from tests import factories
from tests.factories import FROZEN_NOTICE

S = Incident.Status
DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
EDITED = datetime(2026, 3, 14, 9, 40, tzinfo=UTC)


def edit_url(incident):
    return reverse("incidents:edit", args=[incident.reference])


def opened_form(client, incident):
    """The edit form's values as the browser holds them after opening the page."""
    return factories.form_values(client.get(edit_url(incident)), containing="title")


def submit(client, values, incident, **changes):
    for name, value in changes.items():
        values.setlist(name, value if isinstance(value, list) else [value])
    return client.post(edit_url(incident), dict(values.lists()), follow=True)


def stale_card(response):
    html = factories.page_text(response)
    start = html.index("Saved meanwhile by someone else")
    return html[start : html.index("<form", start)]


@pytest.fixture
def declared(comms):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(comms)


def test_the_form_opens_with_the_incidents_current_facts(client_as, comms, declared):
    values = opened_form(client_as(comms), declared)

    assert values["title"] == "Angry replies about late deliveries"
    assert values["summary"] == "Orders from the north warehouse are late."
    assert values.getlist("platforms") == ["x", "instagram"]
    assert values["severity"] == "2"
    assert values["lead"] == str(comms.pk)
    assert values["detected_at"] == "2026-03-14T09:00"
    assert values["version"] == "1"


@pytest.mark.parametrize("role", ["comms", "manager", "admin"])
def test_it_saves_the_changes_for_each_role_that_may(role, request, client_as, declared):
    user = request.getfixturevalue(role)
    client = client_as(user)
    values = opened_form(client, declared)

    with time_machine.travel(EDITED, tick=False):
        response = submit(
            client,
            values,
            declared,
            title="Late deliveries: 4,000 orders delayed",
            severity="1",
            platforms=["x"],
            tracking_terms="#WhereIsMyOrder",
        )

    assert response.redirect_chain == [(declared.get_absolute_url(), 302)]
    stored = factories.reload(declared)
    assert stored.title == "Late deliveries: 4,000 orders delayed"
    assert stored.severity == Incident.Severity.CRITICAL
    assert stored.platforms == ["x"]
    assert stored.tracking_terms == "#WhereIsMyOrder"
    assert stored.status == S.TRIAGE
    assert stored.version == 2
    row = declared.history.first()
    assert (row.history_user, row.history_change_reason, row.history_date) == (
        user,
        "Edited",
        EDITED,
    )
    assert factories.messages_shown(response) == [("success", "Incident updated.")]
    assert "Late deliveries: 4,000 orders delayed" in factories.page_text(response)


def test_a_posted_status_is_ignored(client_as, comms, declared):
    client = client_as(comms)
    values = opened_form(client, declared)

    submit(client, values, declared, status="closed", reference="CR-1999-001", version="1")

    stored = factories.reload(declared)
    assert (stored.status, stored.reference) == (S.TRIAGE, "CR-2026-001")


def test_it_requires_login(client, declared):
    response = client.get(edit_url(declared))

    assert response.url == f"{reverse('login')}?next={edit_url(declared)}"


def test_it_refuses_an_anonymous_post(client, declared):
    stored = factories.snapshot(declared)

    response = client.post(edit_url(declared), {"title": "Hijacked"})

    assert response.url.startswith(reverse("login"))
    assert factories.snapshot(declared) == stored


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_rejects_other_methods(method, client_as, comms, declared):
    response = getattr(client_as(comms), method)(edit_url(declared))

    assert response.status_code == 405


def test_it_refuses_the_form_to_a_viewer(client_as, viewer, declared):
    response = client_as(viewer).get(edit_url(declared))

    assert response.status_code == 403


def test_it_refuses_an_edit_by_a_viewer(client_as, viewer, comms, declared):
    values = opened_form(client_as(comms), declared)
    stored = factories.snapshot(declared)

    response = client_as(viewer).post(edit_url(declared), {**dict(values.lists()), "title": "X"})

    assert response.status_code == 403
    assert factories.snapshot(declared) == stored


def test_a_closed_incident_is_frozen(client_as, manager):
    incident = factories.make_incident(manager, status=S.CLOSED)
    stored = factories.snapshot(incident)

    response = client_as(manager).post(
        edit_url(incident), {"title": "Rewriting history", "version": "4"}, follow=True
    )

    assert response.redirect_chain == [(incident.get_absolute_url(), 302)]
    assert factories.messages_shown(response) == [FROZEN_NOTICE]
    assert factories.snapshot(incident) == stored


def test_a_missing_title_is_refused_by_the_field(client_as, comms, declared):
    client = client_as(comms)
    values = opened_form(client, declared)
    stored = factories.snapshot(declared)

    response = submit(client, values, declared, title="", summary="New facts")

    assert response.context["form"].errors["title"] == ["This field is required."]
    assert factories.form_values(response, containing="title")["summary"] == "New facts"
    assert factories.snapshot(declared) == stored


def test_a_detection_after_the_declaration_is_refused(client_as, comms, declared):
    client = client_as(comms)
    values = opened_form(client, declared)

    response = submit(client, values, declared, detected_at="2026-03-14T09:30")

    declared_text = timezone.localtime(declared.declared_at).strftime("%d %b %Y, %H:%M %Z")
    assert response.context["form"].errors["detected_at"] == [
        f"The first signal cannot be later than the declaration ({declared_text})."
    ]
    assert factories.reload(declared).detected_at == DECLARED


def test_it_refuses_a_stale_edit_and_shows_both_versions(client_as, comms, manager, declared):
    client = client_as(comms)
    mine = opened_form(client, declared)
    theirs = Incident.objects.get(pk=declared.pk)
    theirs.title = "Warehouse outage delays 4,000 orders"
    theirs.summary = "Confirmed by logistics at 09:20."
    theirs.save_edit(by=manager, expected_version=1, fields=["title", "summary"])
    stored = factories.snapshot(declared)
    history_before = declared.history.count()

    response = submit(
        client, mine, declared, title="Late deliveries in the north", summary="My own notes"
    )

    assert response.status_code == 200
    assert factories.snapshot(declared) == stored
    assert declared.history.count() == history_before
    [(level, text)] = factories.messages_shown(response)
    assert level == "danger"
    assert text.startswith("Someone else saved this incident after you opened it.")
    card = stale_card(response)
    assert "Warehouse outage delays 4,000 orders" in card
    assert "Confirmed by logistics at 09:20." in card
    kept = factories.form_values(response, containing="title")
    assert kept["title"] == "Late deliveries in the north"
    assert kept["summary"] == "My own notes"
    assert kept["version"] == "2"

    # Having seen their version, saving again is a conscious overwrite.
    again = client.post(edit_url(declared), dict(kept.lists()), follow=True)

    assert again.redirect_chain == [(declared.get_absolute_url(), 302)]
    stored = factories.reload(declared)
    assert (stored.title, stored.summary, stored.version) == (
        "Late deliveries in the north",
        "My own notes",
        3,
    )
    assert declared.history.first().history_user == comms


def test_a_post_without_a_version_changes_nothing_and_says_why(client_as, comms, declared):
    client = client_as(comms)
    values = opened_form(client, declared)
    del values["version"]
    stored = factories.snapshot(declared)

    response = submit(client, values, declared, title="No version")

    assert response.status_code == 200
    assert factories.snapshot(declared) == stored
    assert "This form lost track of the version you opened. Open the page again." in (
        factories.page_text(response)
    )


def test_it_answers_404_for_an_unknown_incident(client_as, comms, db):
    response = client_as(comms).get(reverse("incidents:edit", args=["CR-1999-999"]))

    assert response.status_code == 404
