"""Recording who is affected: incidents:party-create and incidents:party-edit."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from incidents.models import AffectedParty, Incident
from tests import factories
from tests.factories import FROZEN_NOTICE

S = Incident.Status
DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 14, 11, 0, tzinfo=UTC)


def create_url(incident):
    return reverse("incidents:party-create", args=[incident.reference])


def edit_url(party):
    return reverse("incidents:party-edit", args=[party.incident.reference, party.pk])


def party_data(**overrides):
    data = {
        "kind": AffectedParty.Kind.CUSTOMERS,
        "description": "Buyers of the 50 ml jar",
        "estimated_count": "800",
        "impact": "Rash after one use.",
        "outreach_status": AffectedParty.Outreach.CONTACTED,
        "outreach_at": "2026-03-14T10:30",
        "outreach_channel": "Email from customer care",
        "is_public": "",
        "once_token": factories.once_token(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def declared(comms):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(comms)


@pytest.fixture
def recorded(declared, comms):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_party(declared, by=comms)


# Adding a party


@pytest.mark.parametrize("role", ["comms", "manager", "admin"])
def test_it_adds_a_party_for_each_role_that_may(role, request, client_as, declared):
    user = request.getfixturevalue(role)

    with time_machine.travel(NOW, tick=False):
        response = client_as(user).post(create_url(declared), party_data(), follow=True)

    party = AffectedParty.objects.get()
    assert response.redirect_chain == [(f"{declared.get_absolute_url()}#parties", 302)]
    assert party.incident == declared
    assert party.kind == AffectedParty.Kind.CUSTOMERS
    assert party.description == "Buyers of the 50 ml jar"
    assert party.estimated_count == 800
    assert party.outreach_status == AffectedParty.Outreach.CONTACTED
    assert party.outreach_at == datetime(2026, 3, 14, 10, 30, tzinfo=UTC)
    assert party.is_public is False
    assert party.created_at == NOW
    row = party.history.get()
    assert (row.history_user, row.history_change_reason) == (user, "Added")
    assert factories.messages_shown(response) == [
        ("success", "Added customers: Buyers of the 50 ml jar.")
    ]
    assert (
        '<strong>Customers</strong>: <span dir="auto">Buyers of the 50 ml jar</span>'
        in factories.page_text(response)
    )


def test_the_add_form_asks_who_is_affected(client_as, comms, declared):
    response = client_as(comms).get(create_url(declared))

    assert "Who is affected?" in factories.page_text(response)
    assert factories.form_values(response, containing="kind")["outreach_status"] == (
        "not_contacted"
    )


def test_outreach_without_a_time_is_refused_by_the_field(client_as, comms, declared):
    response = client_as(comms).post(create_url(declared), party_data(outreach_at=""))

    assert not AffectedParty.objects.exists()
    assert response.context["form"].errors["outreach_at"] == ["Say when they were contacted."]
    assert '<p id="error_1_id_outreach_at"><strong>Say when they were contacted.</strong></p>' in (
        response.content.decode()
    )
    kept = factories.form_values(response, containing="kind")
    assert kept["description"] == "Buyers of the 50 ml jar"
    assert kept["outreach_channel"] == "Email from customer care"


def test_outreach_in_the_future_is_refused(client_as, comms, declared):
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).post(
            create_url(declared), party_data(outreach_at="2026-03-14T11:30")
        )

    assert not AffectedParty.objects.exists()
    assert response.context["form"].errors["outreach_at"] == ["This time is in the future."]


def test_a_missing_description_is_refused(client_as, comms, declared):
    response = client_as(comms).post(create_url(declared), party_data(description=""))

    assert not AffectedParty.objects.exists()
    assert response.context["form"].errors["description"] == ["This field is required."]


def test_it_refuses_the_add_form_to_a_viewer(client_as, viewer, declared):
    response = client_as(viewer).get(create_url(declared))

    assert response.status_code == 403


def test_it_refuses_a_party_from_a_viewer(client_as, viewer, declared):
    response = client_as(viewer).post(create_url(declared), party_data())

    assert response.status_code == 403
    assert not AffectedParty.objects.exists()


def test_a_closed_incident_takes_no_new_party(client_as, manager):
    incident = factories.make_incident(manager, status=S.CLOSED)

    response = client_as(manager).post(create_url(incident), party_data(), follow=True)

    assert not AffectedParty.objects.exists()
    assert factories.messages_shown(response) == [FROZEN_NOTICE]


# Editing a party


def test_the_edit_form_opens_with_the_partys_facts(client_as, comms, recorded):
    values = factories.form_values(client_as(comms).get(edit_url(recorded)), containing="kind")

    assert values["description"] == "Customers in the north"
    assert values["estimated_count"] == "1200"
    assert values["impact"] == "Orders three days late."
    assert values["version"] == "1"


@pytest.mark.parametrize("role", ["comms", "manager", "admin"])
def test_it_saves_a_partys_changes_for_each_role_that_may(role, request, client_as, recorded):
    user = request.getfixturevalue(role)

    with time_machine.travel(NOW, tick=False):
        response = client_as(user).post(
            edit_url(recorded), party_data(version="1", is_public="on"), follow=True
        )

    assert response.redirect_chain == [(f"{recorded.incident.get_absolute_url()}#parties", 302)]
    stored = factories.reload(recorded)
    assert stored.description == "Buyers of the 50 ml jar"
    assert stored.outreach_status == AffectedParty.Outreach.CONTACTED
    assert stored.is_public is True
    assert stored.version == 2
    row = recorded.history.first()
    assert (row.history_user, row.history_change_reason, row.history_date) == (user, "Edited", NOW)
    assert factories.messages_shown(response) == [("success", "Affected party updated.")]
    assert "May be named publicly" in factories.page_text(response)


def test_it_refuses_the_edit_form_to_a_viewer(client_as, viewer, recorded):
    response = client_as(viewer).get(edit_url(recorded))

    assert response.status_code == 403


def test_it_refuses_a_partys_change_by_a_viewer(client_as, viewer, recorded):
    stored = factories.snapshot(recorded)

    response = client_as(viewer).post(edit_url(recorded), party_data(version="1"))

    assert response.status_code == 403
    assert factories.snapshot(recorded) == stored


def test_an_edit_without_an_outreach_time_is_refused_by_the_field(client_as, comms, recorded):
    stored = factories.snapshot(recorded)

    response = client_as(comms).post(edit_url(recorded), party_data(version="1", outreach_at=""))

    assert response.context["form"].errors["outreach_at"] == ["Say when they were contacted."]
    assert factories.snapshot(recorded) == stored


def test_it_refuses_a_stale_party_edit_and_shows_their_version(client_as, comms, manager, recorded):
    theirs = AffectedParty.objects.get(pk=recorded.pk)
    theirs.impact = "Orders five days late; two complaints to the regulator."
    theirs.save_edit(by=manager, expected_version=1, fields=["impact"])
    stored = factories.snapshot(recorded)
    client = client_as(comms)

    response = client.post(edit_url(recorded), party_data(version="1", impact="My own notes"))

    assert factories.snapshot(recorded) == stored
    [(level, text)] = factories.messages_shown(response)
    assert level == "danger"
    assert text.startswith("Someone else saved this affected party after you opened it.")
    html = factories.page_text(response)
    card = html[
        html.index("Saved meanwhile by someone else") : html.index(
            "<form", html.index("Saved meanwhile")
        )
    ]
    assert "Orders five days late; two complaints to the regulator." in card
    kept = factories.form_values(response, containing="kind")
    assert kept["impact"] == "My own notes"
    assert kept["version"] == "2"

    client.post(edit_url(recorded), dict(kept.lists()))

    assert factories.reload(recorded).impact == "My own notes"


def test_a_party_of_another_incident_cannot_be_edited_through_this_one(
    client_as, comms, declared, recorded
):
    other = factories.make_incident(comms, title="Another incident")
    url = reverse("incidents:party-edit", args=[other.reference, recorded.pk])

    response = client_as(comms).post(url, party_data(version="1"))

    assert response.status_code == 404
    assert factories.reload(recorded).description == "Customers in the north"


def test_a_party_of_a_closed_incident_is_frozen(client_as, manager):
    incident = factories.make_incident(manager)
    party = factories.make_party(incident)
    factories.walk_to(incident, S.CLOSED)
    stored = factories.snapshot(party)

    response = client_as(manager).post(edit_url(party), party_data(version="1"), follow=True)

    assert factories.snapshot(party) == stored
    assert factories.messages_shown(response) == [FROZEN_NOTICE]


# Both views


@pytest.mark.parametrize("name", ["party-create", "party-edit"])
def test_they_require_login(name, client, recorded):
    url = create_url(recorded.incident) if name == "party-create" else edit_url(recorded)

    response = client.post(url, party_data(version="1"))

    assert response.url == f"{reverse('login')}?next={url}"
    assert AffectedParty.objects.count() == 1
    assert factories.reload(recorded).version == 1


@pytest.mark.parametrize("name", ["party-create", "party-edit"])
@pytest.mark.parametrize("method", ["put", "delete"])
def test_they_reject_other_methods(name, method, client_as, comms, recorded):
    url = create_url(recorded.incident) if name == "party-create" else edit_url(recorded)

    response = getattr(client_as(comms), method)(url)

    assert response.status_code == 405
    assert AffectedParty.objects.count() == 1
