"""The public title is the audience's only name for an incident: never the internal title. A
public page does not open, and a statement is not published, without one."""

import pytest
from django.urls import reverse

from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses import plans
from responses.models import Statement
from tests import factories

MISSING = "Give the incident a public title first"


@pytest.fixture
def untitled(comms):
    return factories.make_incident(
        comms, title="Customer data breach: spreadsheet 181304", public_title=""
    )


def test_the_shown_public_title_is_never_the_internal_title(untitled):
    assert untitled.shown_public_title == "Service notice"
    assert Incident.public_heading("  Late parcels ") == "Late parcels"


def test_the_public_page_does_not_open_without_a_public_title(untitled, manager):
    with pytest.raises(TransitionRefused, match=MISSING):
        untitled.open_public_page(by=manager)

    stored = factories.reload(untitled)
    assert (stored.is_public_page_open, stored.public_token) == (False, None)


def test_the_open_button_says_why_and_links_to_the_field(client_as, manager, untitled):
    client = client_as(manager)

    page = client.get(untitled.get_absolute_url()).content.decode()
    response = client.post(
        reverse("responses:public-page-open", args=[untitled.reference]), follow=True
    )

    assert 'data-testid="public-title-missing"' in page
    assert reverse("incidents:edit", args=[untitled.reference]) + "#id_public_title" in page
    assert MISSING in response.content.decode()
    assert not factories.reload(untitled).is_public_page_open


def test_a_statement_is_not_published_without_a_public_title(client_as, manager, comms, untitled):
    statement = factories.make_statement(untitled, comms, status=Statement.Status.APPROVED)
    client = client_as(manager)

    page = client.get(statement.get_absolute_url()).content.decode()
    response = client.post(reverse("responses:statement-publish", args=[statement.pk]), follow=True)

    assert 'data-testid="public-title-missing"' in page
    assert MISSING in response.content.decode()
    assert factories.reload(statement).status == Statement.Status.APPROVED


def test_with_a_public_title_both_go_ahead(manager, comms):
    incident = factories.make_incident(comms, public_title="Late parcels")
    statement = factories.make_statement(incident, comms, status=Statement.Status.APPROVED)

    statement.publish(by=manager)
    incident.open_public_page(by=manager)

    assert factories.reload(statement).status == Statement.Status.PUBLISHED
    assert factories.reload(incident).is_public_page_open


def test_the_public_title_cannot_be_cleared_while_the_page_is_open(client_as, comms, manager):
    incident = factories.make_incident(comms, public_title="Late parcels")
    incident.open_public_page(by=manager)
    client = client_as(comms)
    url = reverse("incidents:edit", args=[incident.reference])
    data = dict(factories.form_values(client.get(url), "public_title").lists())
    data["public_title"] = "   "

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["public_title"] == [
        "The public page is open: it needs a public title (the audience never sees the "
        "internal title)."
    ]
    assert factories.reload(incident).public_title == "Late parcels"


def test_a_playbook_never_writes_the_internal_title_as_the_public_one(untitled):
    values = plans.placeholder_values(untitled)

    assert values["public_title"] == "Service notice"
    assert "181304" not in values["public_title"]


def test_a_page_opened_before_the_rule_says_what_the_audience_reads(client_as, viewer, manager):
    incident = factories.make_incident(manager, public_title="Late parcels")
    incident.open_public_page(by=manager)
    # As a page opened before this release may be: open, with no public title.
    Incident.objects.filter(pk=incident.pk).update(public_title="")

    page = client_as(viewer).get(incident.get_absolute_url()).content.decode()

    assert "The public page shows “Service notice” until it has one." in page
