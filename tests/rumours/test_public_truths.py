"""The public page's "What is true": claims found false or partly true, with their corrections,
shown when Comms choose so and once their response statement is published; and the page's
validators move when what the section shows changes."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from responses.models import Statement
from responses.public import public_page_url
from rumours.models import Rumour
from tests import factories

pytestmark = pytest.mark.django_db

START = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
S = Statement.Status


def at(minutes):
    return time_machine.travel(START + timedelta(minutes=minutes), tick=False)


def get(client, incident, minutes=1, **headers):
    with at(minutes):
        return client.get(public_page_url(incident), headers=headers)


def validators(response):
    return {"If-None-Match": response["ETag"], "If-Modified-Since": response["Last-Modified"]}


@pytest.fixture
def opened(comms, manager):
    with at(0):
        incident = factories.make_incident(comms, public_title="Checkout problems")
        factories.make_statement(incident, comms, status=S.PUBLISHED, body="FIRST WORD")
        incident.open_public_page(by=manager)
    return incident


def correct(incident, comms, *, status=S.PUBLISHED, **overrides):
    """A rumour found false, with its correction, answered by a statement of ``status``."""
    statement = factories.make_statement(
        incident, comms, status=status, kind=Statement.Kind.CORRECTION, body="No data was lost."
    )
    fields = {
        "claim": "Card numbers leaked",
        "verification": Rumour.Verification.FALSE,
        "correction": "Payments failed before any card data reached us.",
        "response": statement,
        "is_public": True,
    }
    fields.update(overrides)
    return factories.make_rumour(incident, comms, **fields)


def edit(rumour, by, **changes):
    rumour = factories.reload(rumour)
    for name, value in changes.items():
        setattr(rumour, name, value)
    return rumour.save_changes(
        by=by, expected_version=rumour.version, fields=list(changes), mentions=[]
    )


def truths(response):
    html = factories.page_text(response)
    if "What is true" not in html:
        return None
    return html.split("What is true", 1)[1]


def test_a_false_claim_shows_with_its_correction(client, opened, comms):
    with at(0):
        correct(opened, comms)
        correct(opened, comms, claim="Stores close", verification="partly_true", correction="Two")

    shown = truths(get(client, opened))

    assert "Card numbers leaked" in shown
    assert "Payments failed before any card data reached us." in shown
    assert "Partly true" in shown and "Stores close" in shown


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": S.APPROVED},
        {"status": S.IN_REVIEW},
        {"is_public": False},
        {"verification": Rumour.Verification.TRUE},
        {"verification": Rumour.Verification.UNVERIFIED},
    ],
)
def test_it_is_not_shown_before_its_statement_is_published_or_unless_chosen(
    overrides, client, opened, comms
):
    with at(0):
        correct(opened, comms, **overrides)

    response = get(client, opened)

    assert truths(response) is None
    assert "Card numbers leaked" not in factories.page_text(response)


def changes_the_page(client, incident, change, *, shows=None, hides=None):
    """Whether ``change`` (made ten minutes later) turns a 304 into a new page, with new
    validators for either of them, that shows ``shows`` or no longer shows ``hides``."""
    first = get(client, incident)
    with at(10):
        change()
    answers = [
        get(client, incident, 11, **{header: value}) for header, value in validators(first).items()
    ]
    texts = [factories.page_text(a) for a in answers]
    return (
        all(a.status_code == 200 for a in answers)
        and all(a["ETag"] != first["ETag"] for a in answers)
        and all(a["Last-Modified"] == "Fri, 02 May 2031 09:10:00 GMT" for a in answers)
        and all(shows is None or shows in text for text in texts)
        and all(hides is None or hides not in text for text in texts)
    )


def test_choosing_a_rumour_for_the_page_changes_it(client, opened, comms):
    with at(0):
        rumour = correct(opened, comms, is_public=False)

    assert changes_the_page(
        client, opened, lambda: edit(rumour, comms, is_public=True), shows="Card numbers leaked"
    )


def test_taking_a_rumour_off_the_page_changes_it(client, opened, comms):
    with at(0):
        rumour = correct(opened, comms)

    assert changes_the_page(
        client, opened, lambda: edit(rumour, comms, is_public=False), hides="Card numbers leaked"
    )


def test_a_new_correction_changes_the_page(client, opened, comms):
    with at(0):
        rumour = correct(opened, comms)

    assert changes_the_page(
        client,
        opened,
        lambda: edit(rumour, comms, correction="NEW CORRECTION"),
        shows="NEW CORRECTION",
    )


def test_publishing_the_response_changes_the_page(client, opened, comms, manager):
    with at(0):
        rumour = correct(opened, comms, status=S.APPROVED)

    assert changes_the_page(
        client, opened, lambda: rumour.response.publish(by=manager), shows="Card numbers leaked"
    )


def test_rumours_never_chosen_for_the_page_leave_the_copies_fresh(client, opened, comms):
    first = get(client, opened)
    with at(10):
        rumour = factories.make_rumour(opened, comms, claim="INTERNAL ONLY")
        edit(rumour, comms, verification="false", correction="Not yet for the public")

    again = get(client, opened, 11, **validators(first))

    assert again.status_code == 304


def test_a_304_still_costs_one_query(client, opened, comms, django_assert_num_queries):
    with at(0):
        correct(opened, comms)
    first = get(client, opened)

    with django_assert_num_queries(1):
        again = get(client, opened, 5, **validators(first))

    assert again.status_code == 304


@pytest.mark.parametrize("count", [1, 20])
def test_the_section_costs_one_query_however_many_it_shows(
    count, client, opened, comms, django_assert_num_queries
):
    with at(0):
        for n in range(count):
            correct(opened, comms, claim=f"Claim {n}")

    with django_assert_num_queries(7):
        response = get(client, opened)

    assert factories.page_text(response).count('data-testid="truth"') == count
