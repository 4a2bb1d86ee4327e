"""The incident record's other rules: references, guarded edits, constraints (its parties'
included), platforms, the open list and search, and the frozen guard."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from crisis.lifecycle import StaleEdit, TransitionRefused
from incidents.models import AffectedParty, Incident, ReferenceCounter
from tests import factories

S = Incident.Status

DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MOVED = datetime(2026, 3, 14, 11, 45, tzinfo=UTC)


def incident_in(status, by):
    with time_machine.travel(DECLARED, tick=False):
        return factories.make_incident(by, status=status)


# References


def test_declare_gives_references_in_the_form_cr_year_number(comms):
    with time_machine.travel(DECLARED, tick=False):
        first = Incident.declare(by=comms, title="First", category="other")
        second = Incident.declare(by=comms, title="Second", category="other")

    assert first.reference == "CR-2026-001"
    assert second.reference == "CR-2026-002"


def test_declare_records_who_and_when_in_triage(comms):
    with time_machine.travel(DECLARED, tick=False):
        incident = Incident.declare(by=comms, title="First", category="other")

    stored = factories.reload(incident)
    assert stored.status == S.TRIAGE
    assert stored.declared_by == comms
    assert stored.declared_at == DECLARED
    assert stored.detected_at == DECLARED
    assert stored.version == 1
    row = incident.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "+",
        comms,
        "Declared",
    )


def test_declare_moves_a_future_detection_time_back_to_now(comms):
    with time_machine.travel(DECLARED, tick=False):
        incident = Incident.declare(
            by=comms, title="First", category="other", detected_at=datetime(2026, 3, 15, tzinfo=UTC)
        )

    assert factories.reload(incident).detected_at == DECLARED


def test_each_year_starts_numbering_again(comms):
    with time_machine.travel(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), tick=False):
        Incident.declare(by=comms, title="Late in the year", category="other")
    with time_machine.travel(datetime(2027, 1, 1, 8, 0, tzinfo=UTC), tick=False):
        new_year = Incident.declare(by=comms, title="New year", category="other")

    assert new_year.reference == "CR-2027-001"


def test_an_incident_is_never_deleted_and_its_reference_never_reused(comms):
    with time_machine.travel(DECLARED, tick=False):
        Incident.declare(by=comms, title="Kept", category="other")
        mistake = Incident.declare(by=comms, title="Declared by mistake", category="other")
        with pytest.raises(TransitionRefused, match="never deleted"):
            mistake.delete()
        after = Incident.declare(by=comms, title="Next", category="other")

    assert Incident.objects.filter(pk=mistake.pk).exists()
    assert after.reference == "CR-2026-003"
    assert ReferenceCounter.objects.get(year=2026).last_number == 3


@pytest.mark.django_db(transaction=True)
def test_two_declarations_at_the_same_moment_get_different_references():
    comms = factories.make_comms()
    year = timezone.localdate().year
    count = 8
    start = threading.Barrier(count)
    references, errors = [], []

    def declare(n):
        try:
            start.wait(timeout=10)
            incident = Incident.declare(by=comms, title=f"Report {n}", category="other")
            references.append(incident.reference)
        except Exception as error:  # reported below, with every thread's result
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=declare, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(references) == [f"CR-{year}-{n:03d}" for n in range(1, count + 1)]
    assert Incident.objects.count() == count


# Guarded edits


def test_save_edit_saves_the_listed_fields_with_who_and_why(comms, manager):
    incident = incident_in(S.TRIAGE, comms)
    form_copy = Incident.objects.get(pk=incident.pk)
    form_copy.title = "Checkout outage: payments failing"
    form_copy.summary = "Not part of this edit"

    with time_machine.travel(MOVED, tick=False):
        form_copy.save_edit(
            by=manager, expected_version=1, fields=["title"], reason="Sharper title"
        )

    stored = factories.reload(incident)
    assert stored.title == "Checkout outage: payments failing"
    assert stored.summary == "Orders from the north warehouse are late."
    assert stored.version == 2
    row = incident.history.first()
    assert (row.history_user, row.history_change_reason, row.history_date) == (
        manager,
        "Sharper title",
        MOVED,
    )
    assert row.title == "Checkout outage: payments failing"


def test_save_edit_records_edited_when_no_reason_is_given(comms):
    incident = incident_in(S.TRIAGE, comms)
    incident.title = "A better title"

    incident.save_edit(by=comms, expected_version=1, fields=["title"])

    assert incident.history.first().history_change_reason == "Edited"
    assert incident.version == 2


def test_save_edit_refuses_a_stale_version_and_changes_nothing(comms, manager):
    incident = incident_in(S.TRIAGE, comms)
    theirs = Incident.objects.get(pk=incident.pk)
    theirs.title = "Their title"
    theirs.save_edit(by=manager, expected_version=1, fields=["title"])
    stored = factories.snapshot(incident)
    history_before = incident.history.count()

    incident.title = "My title"
    with pytest.raises(StaleEdit) as stale:
        incident.save_edit(by=comms, expected_version=1, fields=["title"])

    assert stale.value.current.title == "Their title"
    assert stale.value.current.version == 2
    assert factories.snapshot(incident) == stored
    assert incident.history.count() == history_before


def test_save_edit_lets_a_hook_see_the_changed_fields_and_name_the_reason(comms):
    incident = incident_in(S.TRIAGE, comms)
    incident.title = "A better title"
    seen = []

    def before_save(row, changed):
        seen.append(changed)
        return "Title rewritten"

    incident.save_edit(
        by=comms, expected_version=1, fields=["title", "summary"], before_save=before_save
    )

    assert seen == [["title"]]
    assert incident.history.first().history_change_reason == "Title rewritten"


# Constraints


def _force_save(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_the_database_refuses_a_cancelled_incident_without_a_reason(comms):
    incident = incident_in(S.TRIAGE, comms)
    incident.status = S.CANCELLED
    incident.cancelled_at = DECLARED
    incident.cancel_reason = ""

    _force_save(incident)

    assert factories.reload(incident).status == S.TRIAGE


def test_the_database_refuses_a_resolved_incident_without_its_time(comms):
    incident = incident_in(S.RESPONDING, comms)
    incident.status = S.RESOLVED

    _force_save(incident)


def test_the_database_refuses_a_closed_incident_without_its_time(comms):
    incident = incident_in(S.RESOLVED, comms)
    incident.status = S.CLOSED

    _force_save(incident)


def test_the_database_refuses_a_detection_after_the_declaration(comms):
    incident = incident_in(S.TRIAGE, comms)
    incident.detected_at = datetime(2026, 3, 14, 9, 1, tzinfo=UTC)

    _force_save(incident)


def test_the_form_check_explains_a_detection_after_the_declaration(comms):
    incident = incident_in(S.TRIAGE, comms)
    incident.detected_at = datetime(2026, 3, 14, 9, 1, tzinfo=UTC)

    with pytest.raises(ValidationError) as invalid:
        incident.full_clean()

    assert "cannot be later than the declaration" in invalid.value.message_dict["detected_at"][0]


def test_the_database_refuses_party_outreach_without_a_time(incident):
    party = AffectedParty(
        incident=incident,
        kind=AffectedParty.Kind.CUSTOMERS,
        description="Customers in the north",
        outreach_status=AffectedParty.Outreach.CONTACTED,
        outreach_at=None,
    )

    _force_save(party)

    assert not AffectedParty.objects.exists()


def test_party_clean_explains_outreach_without_a_time(incident):
    party = AffectedParty(
        incident=incident,
        kind=AffectedParty.Kind.CUSTOMERS,
        description="Customers in the north",
        outreach_status=AffectedParty.Outreach.RESPONDED,
    )

    with pytest.raises(ValidationError) as invalid:
        party.full_clean()

    assert invalid.value.message_dict["outreach_at"] == ["Say when they were contacted."]


def test_party_clean_refuses_outreach_in_the_future(incident):
    with time_machine.travel(DECLARED, tick=False):
        party = AffectedParty(
            incident=incident,
            kind=AffectedParty.Kind.CUSTOMERS,
            description="Customers in the north",
            outreach_status=AffectedParty.Outreach.CONTACTED,
            outreach_at=datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
        )
        with pytest.raises(ValidationError) as invalid:
            party.full_clean()

    assert invalid.value.message_dict["outreach_at"] == ["This time is in the future."]


def test_a_party_is_added_with_who_in_its_history(incident, manager):
    party = factories.make_party(incident, by=manager)

    row = party.history.get()
    assert (row.history_user, row.history_change_reason) == (manager, "Added")


# The platforms field


def test_platforms_survive_a_round_trip_through_the_database(comms):
    incident = factories.make_incident(comms, platforms=["x", "tiktok"])

    assert factories.reload(incident).platforms == ["x", "tiktok"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT platforms FROM incidents_incident WHERE id = %s", [incident.pk])
        assert cursor.fetchone()[0] == ",x,tiktok,"
    assert incident.history.first().platforms == ["x", "tiktok"]


def test_no_platforms_is_stored_as_an_empty_list(comms):
    incident = factories.make_incident(comms, platforms=[])

    assert factories.reload(incident).platforms == []


def test_platform_labels_read_as_words(comms):
    incident = factories.make_incident(comms, platforms=["linkedin", "youtube"])

    assert incident.platform_labels == ["LinkedIn", "YouTube"]


def test_an_unknown_platform_fails_validation(comms):
    incident = factories.make_incident(comms, platforms=["x", "myspace"])

    with pytest.raises(ValidationError) as invalid:
        incident.full_clean()

    assert "“myspace” is not one of the choices." in invalid.value.message_dict["platforms"]


def test_on_platform_finds_exactly_the_incidents_on_that_platform(comms):
    only_x = factories.make_incident(comms, title="Only X", platforms=["x"])
    x_among_others = factories.make_incident(comms, title="Several", platforms=["facebook", "x"])
    factories.make_incident(comms, title="Lookalike code", platforms=["xyz"])
    factories.make_incident(comms, title="Elsewhere", platforms=["tiktok"])
    factories.make_incident(comms, title="Nowhere", platforms=[])

    found = Incident.objects.on_platform("x")

    assert set(found) == {only_x, x_among_others}
    assert list(Incident.objects.on_platform("tok")) == []


def test_open_lists_triage_responding_and_monitoring_only(comms):
    wanted = {
        factories.make_incident(comms, status=status)
        for status in (S.TRIAGE, S.RESPONDING, S.MONITORING)
    }
    for status in (S.RESOLVED, S.CLOSED, S.CANCELLED):
        factories.make_incident(comms, status=status)

    assert set(Incident.objects.open()) == wanted


def test_search_matches_reference_title_summary_and_tracking_terms(comms):
    with time_machine.travel(DECLARED, tick=False):
        by_title = factories.make_incident(
            comms, title="Influencer video", summary="", tracking_terms=""
        )
        by_summary = factories.make_incident(
            comms, title="B", summary="a burning cream", tracking_terms=""
        )
        by_terms = factories.make_incident(
            comms, title="C", summary="", tracking_terms="#burncream"
        )
        factories.make_incident(comms, title="Unrelated", summary="", tracking_terms="")

    assert set(Incident.objects.search("influencer")) == {by_title}
    assert set(Incident.objects.search("BURN")) == {by_summary, by_terms}
    assert set(Incident.objects.search("CR-2026-002")) == {by_summary}
    assert Incident.objects.search("  ").count() == 4


def test_a_closed_incident_refuses_edits_even_from_the_shell(comms):
    incident = factories.make_incident(comms, status=Incident.Status.CLOSED)
    before = factories.snapshot(incident)
    incident.title = "Rewritten after the fact"

    with pytest.raises(TransitionRefused, match="incident is closed: it and everything"):
        incident.save_edit(by=comms, expected_version=incident.version, fields=["title"])
    with pytest.raises(TransitionRefused, match="incident is closed: it and everything"):
        AffectedParty(incident=incident, kind="media", description="Press").add(by=comms)

    assert factories.snapshot(incident) == before
    assert not incident.affected_parties.exists()
