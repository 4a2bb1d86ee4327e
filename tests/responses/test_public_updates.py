"""Public updates on the audience's page: published ones only, newest first, with the promise of
the next; the page's "last updated" counts them; nothing internal, no draft."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from responses.models import ProgressUpdate, Statement
from responses.public import public_page_url
from tests import factories

S = ProgressUpdate.Status
K = ProgressUpdate.Kind
FIRST = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)


def visible_text(response):
    body = factories.page_text(response).split("<body", 1)[1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def at(minutes):
    return time_machine.travel(FIRST + timedelta(minutes=minutes), tick=False)


@pytest.fixture
def opened(comms, manager):
    with at(0):
        incident = factories.make_incident(comms, public_title="Delayed orders")
        incident.open_public_page(by=manager)
    return incident


def publish(incident, by, minutes, **fields):
    with at(minutes):
        return factories.make_update(incident, by, kind=K.PUBLIC, status=S.PUBLISHED, **fields)


def test_published_updates_show_newest_first_with_their_promise(client, opened, comms):
    publish(opened, comms, 10, body="FIRST: we found the cause.")
    publish(
        opened,
        comms,
        70,
        body="SECOND: orders ship again.",
        next_update_at=FIRST.replace(hour=14, minute=30),
    )

    with at(80):
        response = client.get(public_page_url(opened))

    text = visible_text(response)
    assert text.index("SECOND: orders ship again.") < text.index("FIRST: we found the cause.")
    assert "Next update by 14:30 UTC on 2 May 2031" in text
    # The first promised the next one two hours after it (severity 2's cadence).
    assert "Next update by 11:10 UTC on 2 May 2031" in text
    assert "Update · 2 May 2031, 10:10 UTC" in text
    assert [u.body[:5] for u in response.context["updates"]] == ["SECON", "FIRST"]


def test_nothing_internal_and_no_draft_reaches_the_public_page(client, opened, comms, manager):
    with at(5):
        factories.make_update(opened, comms, body="INTERNAL: the supplier lied to us.")
        factories.make_update(opened, comms, kind=K.PUBLIC, body="DRAFT: not yet approved.")
        factories.make_update(
            opened, comms, kind=K.PUBLIC, status=S.WITHDRAWN, body="WITHDRAWN: never mind."
        )
    publish(opened, comms, 10, body="PUBLIC: we are on it.")

    with at(20):
        html = factories.page_text(client.get(public_page_url(opened)))

    assert "PUBLIC: we are on it." in html
    for secret in ("INTERNAL", "supplier", "DRAFT", "not yet approved", "WITHDRAWN", "never mind"):
        assert secret not in html
    # Nor who wrote or published it.
    for name in ("Comms Tester", "Factory-Manager Tester", "comms", "factory-manager"):
        assert name not in html


def test_last_updated_counts_the_latest_public_update(client, opened, comms):
    with at(0):
        factories.make_statement(opened, comms, status=Statement.Status.PUBLISHED, body="Sorry.")
    publish(opened, comms, 95, body="Orders ship again.")

    with at(100):
        text = visible_text(client.get(public_page_url(opened)))

    assert "Last updated 2 May 2031, 10:35 UTC" in text


def test_an_update_alone_is_a_public_word(client, opened, comms):
    publish(opened, comms, 30, body="We are on it.")

    with at(40):
        text = visible_text(client.get(public_page_url(opened)))

    assert "No statement has been published yet." not in text
    assert "Last updated 2 May 2031, 09:30 UTC" in text


def test_without_updates_there_is_no_updates_heading(client, opened, comms):
    with at(5):
        factories.make_update(opened, comms, kind=K.PUBLIC, body="Only a draft.")

    html = factories.page_text(client.get(public_page_url(opened)))

    assert 'id="public-updates-heading"' not in html


@pytest.mark.parametrize("count", [1, 20])
def test_the_public_page_queries_do_not_grow_with_updates(
    count, client, opened, comms, django_assert_max_num_queries
):
    for n in range(count):
        publish(opened, comms, n, body=f"Update {n}.")

    # With the texts in other languages (audiences): one more.
    with at(30), django_assert_max_num_queries(6):
        response = client.get(public_page_url(opened))

    assert len(response.context["updates"]) == count
