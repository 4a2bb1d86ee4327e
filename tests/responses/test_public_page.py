"""The audience's page: opened and closed by a manager, readable by anyone, nothing internal."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from crisis.lifecycle import TransitionRefused
from responses.models import Statement
from responses.public import public_page_url
from tests import factories

S = Statement.Status
FIRST = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
SECOND = datetime(2031, 5, 2, 13, 30, tzinfo=UTC)


@pytest.fixture
def crisis(db):
    """An incident full of internal detail, with one statement in every status."""
    lead = factories.make_comms("lead", first_name="Priya", last_name="Internal-Lead")
    reviewer = factories.make_manager("reviewer", first_name="Oskar", last_name="Secret-Reviewer")
    incident = factories.make_incident(
        lead,
        title="Internal: warehouse robot fault in Leeds",
        public_title="Delayed orders",
        summary="INTERNAL SUMMARY: the vendor patch broke picking.",
        tracking_terms="#robotfail",
    )
    factories.make_party(
        incident,
        lead,
        kind="individual",
        description="Jane Doe, the customer who posted first",
        impact="INTERNAL IMPACT NOTE",
    )
    with time_machine.travel(FIRST, tick=False):
        factories.make_statement(
            incident, lead, status=S.PUBLISHED, body="PUBLIC ONE: we are on it."
        )
    with time_machine.travel(SECOND, tick=False):
        later = factories.make_statement(
            incident,
            lead,
            status=S.PUBLISHED,
            kind="apology",
            body="PUBLIC TWO: we are sorry.",
            target_platforms=["x", "linkedin"],
        )
    later.publications.filter(platform="x").get().set_link("https://x.com/brand/1", by=lead)
    factories.make_statement(incident, lead, body="DRAFT WORDS never approved")
    factories.make_statement(incident, lead, status=S.IN_REVIEW, body="IN REVIEW WORDS")
    factories.make_statement(incident, lead, status=S.APPROVED, body="APPROVED BUT UNPUBLISHED")
    factories.make_statement(incident, lead, status=S.WITHDRAWN, body="WITHDRAWN WORDS")
    Statement.objects.get(body="IN REVIEW WORDS").request_changes(
        by=reviewer, comment="INTERNAL REVIEW COMMENT"
    )
    incident.open_public_page(by=reviewer)
    return incident


def visible_text(response):
    """What a reader sees: the page without tags, attributes or the head."""
    html = factories.page_text(response)
    body = html.split("<body", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_it_shows_the_public_title_and_published_statements_newest_first(client, crisis):
    response = client.get(public_page_url(crisis))

    text = visible_text(response)
    assert response.status_code == 200
    assert "Delayed orders" in text
    assert text.index("PUBLIC TWO") < text.index("PUBLIC ONE")
    assert "Last updated" in text and "2 May 2031, 13:30" in text
    assert 'href="https://x.com/brand/1"' in factories.page_text(response)


def test_it_leaks_nothing_internal(client, crisis):
    response = client.get(public_page_url(crisis))

    html = factories.page_text(response)
    text = visible_text(response)
    for secret in [
        "Internal: warehouse robot fault",
        "INTERNAL SUMMARY",
        "#robotfail",
        "Jane Doe",
        "INTERNAL IMPACT NOTE",
        "DRAFT WORDS",
        "IN REVIEW WORDS",
        "APPROVED BUT UNPUBLISHED",
        "WITHDRAWN WORDS",
        "INTERNAL REVIEW COMMENT",
        "Priya",
        "Internal-Lead",
        "Oskar",
        "Secret-Reviewer",
        "factory-manager",
        crisis.reference,
    ]:
        assert secret not in html, secret
    assert "Sign out" not in text and "Dashboard" not in text
    assert "<script" not in html and "style=" not in html


def test_it_is_laid_out_for_a_phone(client, crisis):
    html = factories.page_text(client.get(public_page_url(crisis)))

    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_a_closed_page_is_not_found_and_its_link_works_again_when_reopened(client, crisis, manager):
    url = public_page_url(crisis)
    crisis.close_public_page(by=manager)

    closed = client.get(url)
    crisis.open_public_page(by=manager)
    reopened = client.get(url)

    assert closed.status_code == 404
    assert reopened.status_code == 200


@pytest.mark.parametrize("token", ["nothing-here", "a" * 32])
def test_an_unknown_token_is_not_found(token, client, crisis):
    response = client.get(reverse("responses:public-page", args=[token]))

    assert response.status_code == 404


def test_a_page_never_opened_has_no_address(comms):
    incident = factories.make_incident(comms)

    assert public_page_url(incident) is None


def test_the_page_says_when_nothing_is_published_yet(client, comms, manager):
    incident = factories.make_incident(comms)
    factories.make_statement(incident, comms, body="DRAFT ONLY")
    incident.open_public_page(by=manager)

    text = visible_text(client.get(public_page_url(incident)))

    assert "No statement has been published yet." in text
    assert "DRAFT ONLY" not in text


def test_a_manager_opens_and_closes_it_from_the_incident_page(client_as, manager, comms):
    incident = factories.make_incident(comms)
    client = client_as(manager)

    opened = client.post(
        reverse("responses:public-page-open", args=[incident.reference]), follow=True
    )
    url = public_page_url(factories.reload(incident))
    closed = client.post(
        reverse("responses:public-page-close", args=[incident.reference]), follow=True
    )
    again = client.post(
        reverse("responses:public-page-close", args=[incident.reference]), follow=True
    )

    assert factories.messages_shown(opened) == [
        ("success", "The public page is open. Anyone with its link can read it, signed in or not.")
    ]
    assert url in factories.page_text(opened)
    assert factories.messages_shown(closed) == [
        ("success", "The public page is closed. Its link now answers “not found”.")
    ]
    assert factories.messages_shown(again) == [("danger", "The public page is already closed.")]
    assert factories.reload(incident).is_public_page_open is False
    row = incident.history.first()
    assert (row.history_user, row.history_change_reason) == (manager, "Public page closed")


def test_comms_sees_the_state_but_no_button(client_as, comms, manager):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)

    html = factories.page_text(client_as(comms).get(incident.get_absolute_url()))

    assert public_page_url(incident) in html
    assert "Close public page" not in html and "Open public page" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_the_public_page_query_count_does_not_grow_with_statements(
    count, client, comms, manager, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    for n in range(count):
        factories.make_statement(incident, comms, status=S.PUBLISHED, body=f"Update {n}.")
    incident.open_public_page(by=manager)

    # The incident, the statements, their publications, the public action items and updates,
    # the texts in other languages, and the other apps' sections (rumours' "What is true").
    with django_assert_max_num_queries(7):
        response = client.get(public_page_url(incident))

    assert len(response.context["statements"]) == count


# The model's verbs behind the page


def test_opening_the_public_page_makes_a_token_once_and_keeps_it(comms, manager):
    incident = factories.make_incident(comms)

    incident.open_public_page(by=manager)
    token = factories.reload(incident).public_token
    incident.close_public_page(by=manager)
    incident.open_public_page(by=manager)

    stored = factories.reload(incident)
    assert len(token) >= 32
    assert (stored.public_token, stored.is_public_page_open) == (token, True)
    reasons = [r.history_change_reason for r in incident.history.all()[:3]]
    assert reasons == ["Public page opened", "Public page closed", "Public page opened"]
    assert incident.history.first().history_user == manager


def test_only_a_manager_opens_the_public_page(comms):
    incident = factories.make_incident(comms)

    with pytest.raises(TransitionRefused, match="Only a manager"):
        incident.open_public_page(by=comms)

    stored = factories.reload(incident)
    assert (stored.public_token, stored.is_public_page_open) == (None, False)
