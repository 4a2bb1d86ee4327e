"""Browsers and proxies keep no copy of internal pages and exports; the public page may be kept
for a minute at most (tests/responses/test_public_page_cache.py)."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.cache import get_max_age, patch_cache_control

from crisis.middleware import NoStoreMiddleware
from responses.models import Statement
from responses.public import public_page_url
from tests import factories


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


@pytest.fixture
def public_incident(comms, manager):
    incident = factories.make_incident(comms)
    factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    incident.open_public_page(by=manager)
    return incident


def internal_urls(incident):
    statement = incident.statements.get()
    return [
        reverse("incidents:dashboard"),
        reverse("incidents:list"),
        reverse("incidents:export"),
        incident.get_absolute_url(),
        reverse("incidents:history", args=[incident.reference]),
        statement.get_absolute_url(),
        reverse("password_change"),
        reverse("admin:index"),
    ]


def test_internal_pages_and_exports_are_never_stored(client_as, admin, public_incident):
    client = client_as(admin)

    stored = {
        url: directives(response)
        for url in internal_urls(public_incident)
        if "no-store" not in directives(response := client.get(url))
    }

    assert stored == {}


@pytest.mark.parametrize("name", ["incidents:dashboard", "incidents:export"])
def test_the_dashboard_and_the_export_say_no_store(name, client_as, viewer):
    response = client_as(viewer).get(reverse(name))

    assert response.status_code == 200
    assert "no-store" in directives(response)


def test_the_incident_page_says_no_store(client_as, viewer, incident):
    response = client_as(viewer).get(incident.get_absolute_url())

    assert response.status_code == 200
    assert "no-store" in directives(response)


def test_the_login_page_and_redirects_to_it_are_never_stored(client, db):
    assert "no-store" in directives(client.get(reverse("login")))
    assert "no-store" in directives(client.get(reverse("incidents:dashboard")))


def test_the_public_page_may_be_kept_for_a_minute_at_most(client, public_incident):
    response = client.get(public_page_url(public_incident))

    assert response.status_code == 200
    assert "public" in directives(response)
    assert "no-store" not in directives(response)
    assert get_max_age(response) == 30
    assert "stale-while-revalidate=30" in directives(response)


def test_a_closed_public_page_is_never_stored(client, public_incident, manager):
    public_incident.close_public_page(by=manager)

    response = client.get(public_page_url(public_incident))

    assert response.status_code == 404
    assert "no-store" in directives(response)


def test_a_response_that_sets_a_cookie_is_never_stored_even_when_its_view_allows_it():
    def view_allowing_it(request):
        response = HttpResponse("kept?")
        patch_cache_control(response, public=True, max_age=30)
        response.set_cookie("sessionid", "abc")
        return response

    response = NoStoreMiddleware(view_allowing_it)(RequestFactory().get("/"))

    assert directives(response) == {"no-store"}
