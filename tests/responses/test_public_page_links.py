"""After publishing, the way to the public page is obvious, and the first public word offers to
open it."""

import pytest
from django.urls import reverse

from responses.models import Statement
from responses.public import public_page_url
from tests import factories

S = Statement.Status


@pytest.fixture
def published(comms):
    incident = factories.make_incident(comms)
    return factories.make_statement(incident, comms, status=S.PUBLISHED)


def open_url(incident):
    return reverse("responses:public-page-open", args=[incident.reference])


def test_the_statement_page_links_to_the_open_public_page(client_as, viewer, published, manager):
    published.incident.open_public_page(by=manager)
    public_url = public_page_url(factories.reload(published.incident))

    html = factories.page_text(client_as(viewer).get(published.get_absolute_url()))

    assert f'<a class="alert-link" href="{public_url}"' in html
    assert "View the public page" in html
    assert 'id="public-page-prompt"' not in html


def test_a_manager_is_prompted_to_open_the_public_page(client_as, manager, published):
    response = client_as(manager).get(published.get_absolute_url())

    html = factories.page_text(response)
    assert "The incident’s public page is not open" in html
    form = factories.form_values(response, "next")
    assert form["next"] == published.get_absolute_url()
    assert f'action="{open_url(published.incident)}"' in html
    assert "View the public page" not in html


def test_opening_from_the_prompt_returns_to_the_statement_with_its_link(
    client_as, manager, published
):
    client = client_as(manager)
    values = factories.form_values(client.get(published.get_absolute_url()), "next")

    response = client.post(open_url(published.incident), dict(values.lists()), follow=True)

    assert response.redirect_chain[-1][0] == published.get_absolute_url()
    assert factories.reload(published.incident).is_public_page_open
    assert "View the public page" in factories.page_text(response)


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", ""])
def test_opening_never_sends_the_manager_elsewhere(next_url, client_as, manager, published):
    response = client_as(manager).post(open_url(published.incident), {"next": next_url})

    assert response.url == published.incident.get_absolute_url() + "#public-page"


@pytest.mark.parametrize("role", ["viewer", "comms"])
def test_those_who_cannot_open_it_are_told_who_can(role, request, client_as, published):
    response = client_as(request.getfixturevalue(role)).get(published.get_absolute_url())

    html = factories.page_text(response)
    assert "The incident’s public page is not open" in html and "A manager can open it." in html
    assert f'action="{open_url(published.incident)}"' not in html


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW, S.APPROVED, S.WITHDRAWN])
def test_an_unpublished_statement_says_nothing_of_the_public_page(
    status, client_as, manager, comms
):
    statement = factories.make_statement(factories.make_incident(comms), comms, status=status)

    html = factories.page_text(client_as(manager).get(statement.get_absolute_url()))

    assert "public page" not in html.lower()


def test_the_first_publish_offers_to_open_the_public_page(client_as, manager, comms):
    statement = factories.make_statement(factories.make_incident(comms), comms, status=S.APPROVED)

    response = client_as(manager).post(
        reverse("responses:statement-publish", args=[statement.pk]), follow=True
    )

    [(level, text)] = factories.messages_shown(response)
    assert level == "success" and "first public word: open its public page" in text
    # The button to open it is right there.
    assert factories.form_values(response, "next")["next"] == statement.get_absolute_url()


def test_a_later_publish_does_not_offer_again(client_as, manager, comms, published):
    later = factories.make_statement(published.incident, comms, status=S.APPROVED)

    response = client_as(manager).post(
        reverse("responses:statement-publish", args=[later.pk]), follow=True
    )

    assert factories.messages_shown(response) == [
        ("success", "Published to X. Add links as posts go up.")
    ]


def test_the_first_publish_with_the_page_already_open_does_not_offer_it(client_as, manager, comms):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)
    statement = factories.make_statement(incident, comms, status=S.APPROVED)

    response = client_as(manager).post(
        reverse("responses:statement-publish", args=[statement.pk]), follow=True
    )

    assert factories.messages_shown(response) == [
        ("success", "Published to X. Add links as posts go up.")
    ]
    assert "View the public page" in factories.page_text(response)


def test_the_incident_page_has_an_obvious_link_to_the_open_public_page(
    client_as, viewer, published, manager
):
    published.incident.open_public_page(by=manager)
    public_url = public_page_url(factories.reload(published.incident))

    html = factories.page_text(client_as(viewer).get(published.incident.get_absolute_url()))

    assert f'href="http://testserver{public_url}"' in html
    assert "View the public page" in html
    assert f'value="http://testserver{public_url}" readonly' in html


def test_the_incident_page_prompts_a_manager_when_published_words_have_no_public_page(
    client_as, manager, published
):
    html = factories.page_text(client_as(manager).get(published.incident.get_absolute_url()))

    assert "Statements are published, but there is no public page yet" in html
    assert ">Open public page</button>" in html


def test_the_incident_page_tells_comms_who_can_open_it(client_as, comms, published):
    html = factories.page_text(client_as(comms).get(published.incident.get_absolute_url()))

    assert "Statements are published, but there is no public page yet" in html
    assert "A manager can open it." in html and "Open public page" not in html


def test_before_anything_is_published_the_incident_page_just_says_not_opened(client_as, manager):
    incident = factories.make_incident(manager)

    html = factories.page_text(client_as(manager).get(incident.get_absolute_url()))

    assert "Not opened yet." in html and "Statements are published" not in html
