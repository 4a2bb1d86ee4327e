"""After the first public word an incident still in Triage is offered the move to Responding, at
the top of its page, to those who may make it."""

import pytest
from django.urls import reverse

from incidents.models import Incident
from responses.models import Statement
from tests import factories


@pytest.fixture
def heard(incident, comms):
    """In Triage, with its first statement published."""
    factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    return factories.reload(incident)


def offer(client, incident):
    html = factories.page_text(client.get(incident.get_absolute_url()))
    return 'data-testid="triage-offer"' in html, html


@pytest.mark.parametrize(
    ("role", "offered"), [("viewer", False), ("comms", True), ("manager", True), ("admin", True)]
)
def test_the_offer_is_made_to_those_who_may_move_the_incident(
    request, client_as, heard, role, offered
):
    shown, html = offer(client_as(request.getfixturevalue(role)), heard)

    assert shown is offered
    if offered:
        assert "The audience has heard from you" in html
        assert reverse("incidents:move", args=[heard.reference, "respond"]) in html


def test_no_offer_before_the_first_public_word(client_as, comms, incident):
    shown, _html = offer(client_as(comms), incident)

    assert incident.status == Incident.Status.TRIAGE
    assert shown is False


def test_no_offer_once_responding(client_as, comms, heard):
    factories.walk_to(heard, Incident.Status.RESPONDING)

    shown, _html = offer(client_as(comms), factories.reload(heard))

    assert shown is False


def test_taking_the_offer_moves_the_incident_to_responding(client_as, comms, heard):
    client = client_as(comms)

    response = client.post(reverse("incidents:move", args=[heard.reference, "respond"]))

    assert response.status_code == 302
    assert factories.reload(heard).status == Incident.Status.RESPONDING
    assert offer(client, heard)[0] is False
