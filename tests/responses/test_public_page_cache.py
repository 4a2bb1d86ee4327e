"""The public page under a surge: the same answer for everyone at the same address (no cookie, no
Vary: a language is chosen by the address, tests/audiences/test_public_page_languages.py), kept
by proxies for a short while, and asked again with its validators (ETag, Last-Modified) for a
304 until something the audience sees changes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils.cache import get_max_age

from responses.models import ProgressUpdate, Statement
from responses.public import public_page_url
from tests import factories

START = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)


def at(minutes):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def validators(response):
    return {"If-None-Match": response["ETag"], "If-Modified-Since": response["Last-Modified"]}


@pytest.fixture
def opened(comms, manager):
    with at(0):
        incident = factories.make_incident(comms, public_title="Delayed orders")
        factories.make_statement(
            incident, comms, status=Statement.Status.PUBLISHED, body="FIRST WORD"
        )
        incident.open_public_page(by=manager)
    return incident


def get(client, incident, minutes=1, **headers):
    with at(minutes):
        return client.get(public_page_url(incident), headers=headers)


def test_it_may_be_kept_and_served_stale_while_a_proxy_asks_again(client, opened):
    response = get(client, opened)

    assert response.status_code == 200
    assert directives(response) == {"public", "max-age=30", "stale-while-revalidate=30"}
    assert get_max_age(response) == 30


@pytest.mark.parametrize("signed_in", [False, True])
def test_it_sets_no_cookie_and_varies_on_the_language_only(signed_in, client, opened, comms):
    if signed_in:
        client.force_login(comms)

    response = get(client, opened)

    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert not response.has_header("Vary")


def test_a_signed_in_reader_is_a_reader_like_any_other(client, opened, comms):
    anonymous = get(client, opened)
    client.force_login(comms)

    signed_in = get(client, opened)

    assert signed_in.content == anonymous.content
    assert signed_in["ETag"] == anonymous["ETag"]


def test_an_expired_session_is_not_even_read(client, opened, comms, settings):
    settings.SESSION_ABSOLUTE_TIMEOUT = 1
    client.force_login(comms)
    session = client.session
    session["crisis_signed_in_at"] -= 60  # signed out by the next page that reads the session
    session.save()

    response = get(client, opened)

    assert not response.cookies
    assert "public" in directives(response)
    assert client.session.get("crisis_signed_in_at") is not None


def test_it_answers_with_validators(client, opened):
    response = get(client, opened)

    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert response["Last-Modified"] == "Fri, 02 May 2031 09:00:00 GMT"


@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
def test_asked_again_with_either_validator_it_answers_304(header, client, opened):
    first = get(client, opened)

    again = get(client, opened, 5, **{header: validators(first)[header]})

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert directives(again) == directives(first)
    assert not again.cookies and not again.has_header("Vary")


def test_a_304_costs_one_query(client, opened, comms, django_assert_num_queries):
    first = get(client, opened)
    client.force_login(comms)  # and reads no session: still one

    with django_assert_num_queries(1):
        again = get(client, opened, 5, **validators(first))

    assert again.status_code == 304


@pytest.mark.parametrize("count", [1, 20])
def test_the_full_answer_costs_seven_queries_however_much_it_shows(
    count, client, comms, manager, django_assert_num_queries
):
    with at(0):
        incident = factories.make_incident(comms)
        for _ in range(count):
            factories.make_statement(
                incident, comms, status=Statement.Status.PUBLISHED, target_platforms=["x", "tiktok"]
            )
            factories.make_update(
                incident, comms, kind="public", status=ProgressUpdate.Status.PUBLISHED
            )
            factories.make_action_item(incident, comms, is_public=True)
        incident.open_public_page(by=manager)
    client.force_login(comms)

    # The page's state and validators, the statements, their publications, the public action
    # items, the public updates, the texts in other languages, the rumours' "What is true"
    # (crisis.panels.PublicSection); no session, no user.
    with django_assert_num_queries(7):
        response = get(client, incident)

    assert len(response.context["statements"]) == count
    assert len(response.context["updates"]) == count
    assert len(response.context["action_items"]) == count


def changes_the_page(client, incident, change, *, shows):
    """Whether ``change`` (made ten minutes later) turns a 304 into a new page that shows
    ``shows``, with new validators, for either validator."""
    first = get(client, incident)
    with at(10):
        change()
    answers = [
        get(client, incident, 11, **{header: value}) for header, value in validators(first).items()
    ]
    return (
        all(a.status_code == 200 for a in answers)
        and all(shows in factories.page_text(a) for a in answers)
        and all(a["ETag"] != first["ETag"] for a in answers)
        and all(a["Last-Modified"] == "Fri, 02 May 2031 09:10:00 GMT" for a in answers)
    )


def test_a_new_statement_changes_the_page(client, opened, comms):
    def publish():
        factories.make_statement(opened, comms, status=Statement.Status.PUBLISHED, body="SECOND")

    assert changes_the_page(client, opened, publish, shows="SECOND")


def test_a_new_public_update_changes_the_page(client, opened, comms):
    def publish():
        factories.make_update(
            opened, comms, kind="public", status=ProgressUpdate.Status.PUBLISHED, body="PROGRESS"
        )

    assert changes_the_page(client, opened, publish, shows="PROGRESS")


def test_a_new_public_title_changes_the_page(client, opened, manager):
    def retitle():
        opened.public_title = "Late parcels"
        opened.save_edit(by=manager, expected_version=opened.version, fields=["public_title"])

    assert changes_the_page(client, opened, retitle, shows="Late parcels")


def test_a_new_status_changes_the_page(client, opened, comms):
    def monitor():
        factories.walk_to(opened, "monitoring")

    assert changes_the_page(client, opened, monitor, shows="Monitoring.")


def test_a_link_added_to_a_published_statement_changes_the_page(client, opened, comms):
    def link():
        publication = opened.statements.get().publications.get()
        publication.set_link("https://x.com/brand/status/7", by=comms)

    assert changes_the_page(client, opened, link, shows="https://x.com/brand/status/7")


def test_an_action_item_done_changes_the_page(client, opened, comms):
    with at(0):
        item = factories.make_action_item(opened, comms, is_public=True, title="Refund fees")
        item.start(by=comms)

    def complete():
        item.complete(by=comms)

    assert changes_the_page(client, opened, complete, shows="Done")


def test_drafts_and_internal_updates_leave_the_copies_fresh(client, opened, comms):
    first = get(client, opened)
    with at(10):
        factories.make_statement(opened, comms, body="A DRAFT")
        factories.make_update(opened, comms, body="INTERNAL NOTE")
        factories.make_update(opened, comms, kind="public", body="PUBLIC DRAFT")

    again = get(client, opened, 11, **validators(first))

    assert again.status_code == 304


def test_a_closed_page_answers_404_to_a_reader_holding_a_copy(client, opened, manager):
    first = get(client, opened)
    with at(10):
        opened.close_public_page(by=manager)

    answers = [
        get(client, opened, 11, **{header: value}) for header, value in validators(first).items()
    ]

    assert [a.status_code for a in answers] == [404, 404]
    assert all(directives(a) == {"no-store"} for a in answers)
    assert all(not a.has_header("ETag") for a in answers)


def test_a_page_opened_again_answers_again(client, opened, manager):
    with at(10):
        opened.close_public_page(by=manager)
    with at(20):
        opened.open_public_page(by=manager)

    response = get(client, opened, 21)

    assert response.status_code == 200
    assert "FIRST WORD" in factories.page_text(response)


def test_head_answers_with_the_same_validators(client, opened):
    got = get(client, opened)
    with at(1):
        head = client.head(public_page_url(opened))

    assert head.status_code == 200
    assert (head["ETag"], head["Last-Modified"]) == (got["ETag"], got["Last-Modified"])
