"""HEAD answers like GET wherever GET is allowed (link checkers and monitors use it), and with no
body."""

import pytest
from django.urls import reverse

from responses.models import Statement
from responses.public import public_page_url
from tests import factories


@pytest.fixture
def pages(comms, manager):
    """Every page that answers GET, by name."""
    incident = factories.make_incident(comms)
    party = factories.make_party(incident, comms)
    statement = factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    incident.open_public_page(by=manager)
    ref = incident.reference
    return {
        "login": reverse("login"),
        "password change": reverse("password_change"),
        "dashboard": reverse("incidents:dashboard"),
        "list": reverse("incidents:list"),
        "export": reverse("incidents:export"),
        "create": reverse("incidents:create"),
        "detail": reverse("incidents:detail", args=[ref]),
        "edit": reverse("incidents:edit", args=[ref]),
        "history": reverse("incidents:history", args=[ref]),
        "timeline": reverse("incidents:timeline", args=[ref]),
        "party create": reverse("incidents:party-create", args=[ref]),
        "party edit": reverse("incidents:party-edit", args=[ref, party.pk]),
        "party history": reverse("incidents:party-history", args=[ref, party.pk]),
        "statement create": reverse("responses:statement-create", args=[ref]),
        "statement": statement.get_absolute_url(),
        "statement edit": reverse("responses:statement-edit", args=[statement.pk]),
        "statement history": reverse("responses:statement-history", args=[statement.pk]),
        "public page": public_page_url(incident),
    }


def test_the_public_page_answers_head_like_get(client, pages):
    url = pages["public page"]

    got = client.get(url)
    head = client.head(url)

    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == got["Content-Type"]
    assert head["Cache-Control"] == got["Cache-Control"]


def test_an_unknown_public_page_answers_head_with_not_found(client, db):
    assert client.head(reverse("responses:public-page", args=["no-such-page"])).status_code == 404


def test_every_page_answers_head_like_get(client_as, manager, pages):
    client = client_as(manager)

    answers = {
        name: (client.head(url).status_code, client.get(url).status_code)
        for name, url in pages.items()
    }

    assert answers == {name: (got, got) for name, (_, got) in answers.items()}
    # Manager may open every one of these pages (the login page sends them on to the dashboard).
    assert {got for _, got in answers.values()} <= {200, 302}


def test_anonymous_head_is_sent_to_the_login_page_like_get(client, pages):
    response = client.head(pages["dashboard"])

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={pages['dashboard']}"


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_still_refused(method, client_as, manager, pages):
    client = client_as(manager)

    refused = {
        name: getattr(client, method)(url).status_code
        for name, url in pages.items()
        # Django's sign-in page sends a signed-in person on to the dashboard whatever the method.
        if name != "login"
    }

    assert set(refused.values()) == {405}
