"""Odd input from a request ends in a 404 or a message, never in a server error: superscript
digits, NUL bytes (which PostgreSQL refuses in text), numbers too large for any column."""

import pytest
from django.urls import reverse

from crisis.converters import whole_number
from tests import factories


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("12", 12),
        ("2147483647", 2**31 - 1),
        ("2147483648", None),
        ("9" * 5000, None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits: int() would accept them
        ("12\x00", None),
        (" 12", None),
        ("+12", None),
        ("-1", None),
        ("1_000", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_number_accepts_only_plain_ascii_digits_that_fit_a_column(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("version", ["²", "١", "1\x00", "9" * 30, "-1"])
def test_an_odd_version_on_the_statement_page_shows_the_newest_version(
    version, client_as, viewer, comms
):
    statement = factories.make_statement(by=comms)

    response = client_as(viewer).get(statement.get_absolute_url(), {"version": version})

    assert response.status_code == 200
    assert response.context["selected"].version == statement.version


def test_an_odd_version_posted_with_a_submit_does_not_fail(client_as, comms):
    statement = factories.make_statement(by=comms)

    response = client_as(comms).post(
        reverse("responses:statement-submit", args=[statement.pk]), {"version": "²"}
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/incidents/CR-2026-001%00/",
        "/incidents/CR-2026-001%00/edit/",
        "/incidents/CR-2026-001%00/history/",
        "/incidents/%00/parties/new/",
        "/incidents/CR-2026-001%00/statements/new/",
        "/incidents/CR-%D9%A2%D9%A0%D9%A2%D9%A6-001/",  # Arabic-Indic digits
        "/p/abc%00/",
        "/p/abc%00def/",
        "/p/" + "a" * 65 + "/",
        "/statements/99999999999999999999/",
        "/incidents/CR-2026-001/parties/99999999999999999999/edit/",
    ],
)
def test_an_odd_address_is_not_found(path, client_as, manager, incident):
    response = client_as(manager).get(path)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/incidents/CR-2026-001%00/move/respond/", "/incidents/CR-2026-001%00/public-page/open/"],
)
def test_an_odd_address_is_not_found_for_a_post_either(path, client_as, manager, incident):
    response = client_as(manager).post(path)

    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"q": "\x00"},
        {"q": "late\x00"},
        {"status": "\x00"},
        {"lead": "\x00"},
        {"lead": "99999999999999999999"},
        {"platform": "x\x00"},
        {"detected_after": "\x00"},
        {"page": "\x00"},
        {"page": "²"},
    ],
)
def test_odd_values_in_the_incident_filters_do_not_fail(query, client_as, viewer, incident):
    listed = client_as(viewer).get(reverse("incidents:list"), query)
    exported = client_as(viewer).get(reverse("incidents:export"), query)

    assert listed.status_code == 200
    assert exported.status_code == 200
