"""Every statement and public-page view, for every role: who gets in, who is turned away."""

import pytest
from django.urls import reverse

from responses.models import Statement
from responses.public import public_page_url
from tests import factories

S = Statement.Status
ROLES = ["anonymous", "viewer", "comms", "manager", "admin"]
WRITERS = {"comms", "manager", "admin"}
MANAGERS = {"manager", "admin"}
EVERYONE_SIGNED_IN = {"viewer", "comms", "manager", "admin"}

# name, method, status the statement must be in, who may, what a permitted request answers.
VIEWS = [
    ("statement-create", "get", S.DRAFT, WRITERS, 200),
    ("statement-detail", "get", S.DRAFT, EVERYONE_SIGNED_IN, 200),
    ("statement-edit", "get", S.DRAFT, WRITERS, 200),
    ("statement-history", "get", S.DRAFT, EVERYONE_SIGNED_IN, 200),
    ("statement-submit", "post", S.DRAFT, WRITERS, 302),
    # Whoever decides the chain's current stage, whatever their role: the model refuses the
    # others with a message (a redirect), and nothing changes (test_refused_roles_change_nothing).
    ("statement-approve", "post", S.IN_REVIEW, EVERYONE_SIGNED_IN, 302),
    ("statement-request-changes", "post", S.IN_REVIEW, EVERYONE_SIGNED_IN, 302),
    ("statement-publish", "post", S.APPROVED, MANAGERS, 302),
    ("statement-approve-publish", "post", S.IN_REVIEW, MANAGERS, 302),
    ("statement-withdraw", "post", S.DRAFT, WRITERS, 302),
    ("publication-link", "post", S.PUBLISHED, WRITERS, 302),
    ("public-page-open", "post", S.DRAFT, MANAGERS, 302),
    ("public-page-close", "post", S.DRAFT, MANAGERS, 302),
]


@pytest.fixture
def author(db):
    # Not one of the personas, so that the manager and admin may review what it wrote.
    return factories.make_comms("author")


def url_for(name, statement):
    if name in ("statement-create", "public-page-open", "public-page-close"):
        return reverse(f"responses:{name}", args=[statement.incident.reference])
    if name == "publication-link":
        publication = statement.publications.get()
        return reverse(f"responses:{name}", args=[statement.pk, publication.pk])
    return reverse(f"responses:{name}", args=[statement.pk])


def post_data(statement):
    return {
        "version": statement.version,
        "comment": "Please name the date.",
        "url": "https://x.com/brand/status/9",
    }


def user_for(role, request):
    return None if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "status", "allowed", "answer"), VIEWS)
def test_each_view_lets_in_exactly_the_roles_that_may(
    name, method, status, allowed, answer, role, request, client_as, author
):
    statement = factories.make_statement(factories.make_incident(author), author, status=status)
    if name == "public-page-close":
        statement.incident.open_public_page(by=factories.make_manager("opener"))
    client = client_as(user_for(role, request))
    url = url_for(name, statement)

    response = client.get(url) if method == "get" else client.post(url, post_data(statement))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif role in allowed:
        assert response.status_code == answer
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("name", "method", "status", "allowed", "answer"), VIEWS)
def test_each_view_rejects_the_wrong_method(
    name, method, status, allowed, answer, client_as, author, admin
):
    statement = factories.make_statement(factories.make_incident(author), author, status=status)
    client = client_as(admin)
    url = url_for(name, statement)
    before = factories.snapshot(statement)

    # Pages answer GET (forms also POST), so DELETE is never theirs; actions answer only POST.
    response = client.delete(url) if method == "get" else client.get(url)

    assert response.status_code == 405
    assert factories.snapshot(statement) == before


@pytest.mark.parametrize(("name", "status"), [(v[0], v[2]) for v in VIEWS if v[1] == "post"])
def test_refused_roles_change_nothing(name, status, client_as, viewer, comms, author):
    statement = factories.make_statement(factories.make_incident(author), author, status=status)
    before = factories.snapshot(statement)
    incident_before = factories.snapshot(statement.incident)
    rows = statement.history.count()
    allowed = next(v[3] for v in VIEWS if v[0] == name)
    refused = viewer if "comms" in allowed else comms

    client_as(refused).post(url_for(name, statement), post_data(statement))

    assert factories.snapshot(statement) == before
    assert factories.snapshot(statement.incident) == incident_before
    assert statement.history.count() == rows


@pytest.mark.parametrize("role", ROLES)
def test_the_public_page_needs_no_sign_in(role, request, client_as, author, manager):
    incident = factories.make_incident(author)
    incident.open_public_page(by=manager)
    client = client_as(user_for(role, request))

    response = client.get(public_page_url(incident))

    assert response.status_code == 200
    assert incident.public_title in factories.page_text(response)
    assert incident.title not in factories.page_text(response)  # never the internal title


def test_the_admin_site_shows_statements_but_does_not_change_them(client_as, admin, author):
    statement = factories.make_statement(factories.make_incident(author), author)
    client = client_as(admin)
    url = reverse("admin:responses_statement_change", args=[statement.pk])
    before = factories.snapshot(statement)

    shown = client.get(url)
    posted = client.post(url, {"body": "Changed behind the workflow's back"})

    assert shown.status_code == 200
    assert statement.body in factories.page_text(shown)
    assert posted.status_code == 403
    assert factories.snapshot(statement) == before
    assert client.get(reverse("admin:responses_statement_changelist")).status_code == 200
