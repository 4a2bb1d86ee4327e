"""The promise of the next update in a statement (responses.promise): written {next_update}, filled
in when the statement is published, so the words and the incident's clock name the same time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crisis import clocks
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses import plans, promise
from responses.models import Statement
from tests import factories

DETECTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
DRAFTED = DETECTED + timedelta(minutes=20)
PUBLISHED = DRAFTED + timedelta(minutes=75)  # the review took an hour and a quarter


@pytest.fixture
def incident(comms):
    with time_machine.travel(DETECTED + timedelta(minutes=10), tick=False):
        return factories.make_incident(
            comms, detected_at=DETECTED, public_title="Late deliveries", platforms=["x"]
        )


def drafted(incident, by, body):
    with time_machine.travel(DRAFTED, tick=False):
        return Statement.draft(
            incident=incident, by=by, kind="holding", body=body, target_platforms=["x"]
        )


def publish(statement, by, manager):
    statement.submit(by=by)
    with time_machine.travel(PUBLISHED, tick=False):
        statement.approve(by=manager)
        return statement.publish(by=manager)


def test_a_playbook_draft_keeps_the_promise_to_be_filled_when_published(incident, comms):
    template = factories.make_plan_template(
        holding_statement="We are looking into {public_title}. Next update by {next_update}."
    )
    with time_machine.travel(DRAFTED, tick=False):
        applied = plans.apply_template(template, incident, comms)

    assert applied.statement.body == (
        "We are looking into Late deliveries. Next update by {next_update}."
    )


def test_the_published_promise_is_counted_from_publication_and_matches_the_clock(
    incident, comms, manager
):
    statement = drafted(incident, comms, "We are on it. Next update by {next_update}.")

    published = publish(statement, comms, manager)

    # Severity 2's cadence is two hours: from publication, not from the draft.
    assert published.body == "We are on it. Next update by 12:35 UTC on 14 March."
    assert Statement.objects.get(pk=statement.pk).body == published.body
    incident = Incident.objects.get(pk=incident.pk)
    with time_machine.travel(PUBLISHED, tick=False):
        deadline = clocks.response_clock(incident).deadline
    assert deadline.due_at == PUBLISHED + timedelta(hours=2)
    assert promise.public_time(deadline.due_at) in published.body


def test_a_statement_without_the_placeholder_is_published_as_approved(incident, comms, manager):
    statement = drafted(incident, comms, "We are on it; more here soon.")

    assert publish(statement, comms, manager).body == "We are on it; more here soon."


def widest_fitting_x(extra=0):
    return promise.PROMISE + " " + "a" * (280 - len(promise.widest()) - 1 + extra)


def test_the_length_counts_the_promise_at_its_widest_so_it_still_fits_once_filled(
    incident, comms, manager
):
    statement = drafted(incident, comms, widest_fitting_x())

    published = publish(statement, comms, manager)

    assert published.status == Statement.Status.PUBLISHED
    assert len(published.body) <= 280


def test_a_body_that_fits_only_with_the_placeholder_counted_as_written_is_refused(incident, comms):
    statement = drafted(incident, comms, widest_fitting_x(extra=1))

    with pytest.raises(TransitionRefused, match="Too long for X by 1 character"):
        statement.submit(by=comms)

    assert Statement.objects.get(pk=statement.pk).status == Statement.Status.DRAFT


def test_the_statement_page_says_what_the_promise_will_read(client_as, incident, comms):
    statement = drafted(incident, comms, "Next update by {next_update}.")

    with time_machine.travel(PUBLISHED, tick=False):
        page = client_as(comms).get(reverse("responses:statement-detail", args=[statement.pk]))

    note = factories.page_text(page)
    assert "becomes the time of the next public update" in note
    assert "“12:35 UTC on 14 March” if it were published now" in note


def test_the_draft_form_explains_the_placeholder(client_as, incident, comms):
    page = client_as(comms).get(reverse("responses:statement-create", args=[incident.reference]))

    assert "Write {next_update} where the time of the next update goes" in factories.page_text(page)


def test_the_promise_is_in_the_company_zone_whatever_the_publisher_reads(incident, comms, manager):
    from crisis.models import Profile

    Profile.objects.create(user=manager, time_zone="Asia/Tokyo")
    statement = drafted(incident, comms, "Next update by {next_update}.")
    statement.submit(by=comms)

    with time_machine.travel(PUBLISHED, tick=False), timezone.override("Asia/Tokyo"):
        statement.approve(by=manager)
        published = statement.publish(by=manager)

    assert published.body == "Next update by 12:35 UTC on 14 March."
