"""The rules of a media inquiry: logging it, its deadline, its answer from approved lines or
approved by a second pair of eyes, answering and declining, and what is refused."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crisis import clocks, timekeeper
from crisis.lifecycle import FrozenRecord, StaleEdit, TransitionRefused
from incidents.models import Incident
from press.models import MediaInquiry, contact_refusal, made_of
from tests import factories

pytestmark = pytest.mark.django_db

S = MediaInquiry.Status
NEW_WORDS = "We are still counting and will say more by noon."
LINE = "We hear you, and we are sorry for the wait."


def word(inquiry, by, text):
    inquiry.answer = text
    return inquiry.save_answer(by=by, expected_version=inquiry.version, fields=["answer"])


# Logging


def test_an_inquiry_is_new_until_it_names_a_spokesperson(comms, manager):
    incident = factories.make_incident(comms)

    unassigned = factories.make_inquiry(incident, comms)
    assigned = factories.make_inquiry(incident, comms, spokesperson=manager)

    assert unassigned.status == S.NEW and assigned.status == S.ASSIGNED
    newest = assigned.history.first()
    assert (newest.history_user, newest.history_change_reason) == (comms, "Logged")


def test_naming_a_spokesperson_later_assigns_it_and_removing_them_makes_it_new(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)

    inquiry.spokesperson = manager
    inquiry.save_details(by=comms, expected_version=inquiry.version, fields=["spokesperson"])
    assert MediaInquiry.objects.get().status == S.ASSIGNED
    assert inquiry.history.first().history_change_reason == "Spokesperson assigned"

    inquiry.spokesperson = None
    inquiry.save_details(by=comms, expected_version=inquiry.version, fields=["spokesperson"])
    assert MediaInquiry.objects.get().status == S.NEW


def test_a_viewer_may_not_log_an_inquiry(comms, viewer):
    incident = factories.make_incident(comms)

    with pytest.raises(TransitionRefused, match="Only Comms and managers"):
        factories.make_inquiry(incident, viewer)
    assert not MediaInquiry.objects.exists()


def test_no_inquiry_is_logged_on_a_closed_incident(comms):
    incident = factories.make_incident(comms, status=Incident.Status.CLOSED)

    with pytest.raises(TransitionRefused, match="closed"):
        factories.make_inquiry(incident, comms)


def test_a_deadline_before_the_question_came_is_refused_by_the_field(comms):
    incident = factories.make_incident(comms)
    received = timekeeper.now()

    with pytest.raises(ValidationError) as refused:
        factories.make_inquiry(
            incident, comms, received_at=received, deadline=received - datetime.timedelta(hours=1)
        )
    assert refused.value.message_dict["deadline"] == [
        "The deadline cannot be before the inquiry was received."
    ]


def test_the_database_refuses_a_deadline_before_receipt_too(comms):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)
    inquiry.deadline = inquiry.received_at - datetime.timedelta(minutes=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        inquiry.save()


def test_editing_the_deadline_to_before_receipt_is_refused(comms):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)
    inquiry.deadline = inquiry.received_at - datetime.timedelta(days=1)

    with pytest.raises(TransitionRefused, match="cannot be before"):
        inquiry.save_details(by=comms, expected_version=inquiry.version, fields=["deadline"])


@pytest.mark.parametrize(
    "contact, refused",
    [
        ("ana@courier.example", False),
        ("+44 20 7946 0958", False),
        ("(030) 123-456", False),
        ("ana@", True),
        ("call me", True),
        ("12", True),
        ("<script>@x", True),
    ],
)
def test_a_contact_is_a_mail_address_or_a_phone_number(contact, refused):
    assert bool(contact_refusal(contact)) == refused


def test_a_spokesperson_who_left_is_refused(comms):
    gone = factories.make_user("gone", is_active=False)

    with pytest.raises(ValidationError) as refused:
        factories.make_inquiry(factories.make_incident(comms), comms, spokesperson=gone)
    assert "spokesperson" in refused.value.message_dict


def test_a_stale_edit_is_refused(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)
    opened = inquiry.version
    other = MediaInquiry.objects.get()
    other.outlet = "Evening Post"
    other.save_details(by=manager, expected_version=opened, fields=["outlet"])

    inquiry.outlet = "Morning Star"
    with pytest.raises(StaleEdit):
        inquiry.save_details(by=comms, expected_version=opened, fields=["outlet"])
    assert MediaInquiry.objects.get().outlet == "Evening Post"


# The answer: new wording approved by a second pair of eyes


def test_a_manager_approves_an_answer_written_by_someone_else(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)

    inquiry.approve_answer(by=manager, version=inquiry.version)

    inquiry.refresh_from_db()
    assert (inquiry.answer_approved_by, inquiry.is_answer_approved) == (manager, True)
    assert inquiry.history.first().history_change_reason == "Answer approved"


def test_nobody_approves_an_answer_they_wrote(manager):
    inquiry = factories.make_inquiry(factories.make_incident(manager), manager, answer=NEW_WORDS)

    with pytest.raises(TransitionRefused, match="You wrote this answer"):
        inquiry.approve_answer(by=manager, version=inquiry.version)
    assert not MediaInquiry.objects.get().is_answer_approved


def test_nobody_approves_an_answer_they_changed_before_someone_else_did(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)
    word(inquiry, manager, "The manager's words.")
    word(inquiry, comms, NEW_WORDS)

    with pytest.raises(TransitionRefused, match="You changed this answer"):
        inquiry.approve_answer(by=manager, version=inquiry.version)


def test_comms_may_not_approve_an_answer(comms):
    inquiry = factories.make_inquiry(
        factories.make_incident(comms), factories.make_comms("writer"), answer=NEW_WORDS
    )

    with pytest.raises(TransitionRefused, match="Only a manager"):
        inquiry.approve_answer(by=comms, version=inquiry.version)


def test_there_is_nothing_to_approve_without_an_answer(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)

    with pytest.raises(TransitionRefused, match="no answer to approve"):
        inquiry.approve_answer(by=manager, version=inquiry.version)


def test_an_approval_of_a_wording_since_changed_is_refused(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)
    read = inquiry.version
    word(inquiry, comms, NEW_WORDS + " Sorry.")

    with pytest.raises(TransitionRefused, match="changed after you opened it"):
        inquiry.approve_answer(by=manager, version=read)


def test_rewording_an_approved_answer_clears_the_approval(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)
    inquiry.approve_answer(by=manager, version=inquiry.version)

    word(inquiry, comms, "Different words.")

    inquiry.refresh_from_db()
    assert not inquiry.is_answer_approved and inquiry.answer_approved_by is None
    assert inquiry.history.first().history_change_reason == "Answer reworded: approval cleared"


def test_saving_the_same_answer_keeps_the_approval(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)
    inquiry.approve_answer(by=manager, version=inquiry.version)

    word(inquiry, comms, f"  {NEW_WORDS}\r\n")

    assert MediaInquiry.objects.get().is_answer_approved


# Answering


def test_new_wording_is_not_answered_before_a_manager_approves_it(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)

    with pytest.raises(TransitionRefused, match="new wording"):
        inquiry.mark_answered(by=comms, version=inquiry.version)
    assert MediaInquiry.objects.get().status == S.NEW

    inquiry.approve_answer(by=manager, version=inquiry.version)
    inquiry.mark_answered(by=comms, version=inquiry.version)

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.answered_by, inquiry.is_answer_from_lines) == (
        S.ANSWERED,
        comms,
        False,
    )
    assert inquiry.answered_at is not None


def test_an_answer_made_of_approved_lines_needs_no_approval(comms, manager):
    incident = factories.make_incident(comms)
    factories.make_line(comms, category=incident.category, approved_by=manager)
    factories.make_line(comms, category="any", approved_by=manager, text="More soon.")
    inquiry = factories.make_inquiry(incident, comms, answer=f"{LINE}\n\nMore soon.")

    inquiry.mark_answered(by=comms, version=inquiry.version)

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.is_answer_from_lines) == (S.ANSWERED, True)


def test_a_line_not_approved_or_with_words_added_is_new_wording(comms, manager):
    incident = factories.make_incident(comms)
    factories.make_line(comms, category=incident.category)  # not approved
    factories.make_line(comms, category="any", approved_by=manager, text="More soon.")

    for answer in (LINE, "More soon. And sorry."):
        inquiry = factories.make_inquiry(incident, comms, answer=answer)
        with pytest.raises(TransitionRefused, match="new wording"):
            inquiry.mark_answered(by=comms, version=inquiry.version)


def test_a_line_of_another_category_is_new_wording(comms, manager):
    incident = factories.make_incident(comms)
    factories.make_line(comms, category="data_breach", approved_by=manager)
    inquiry = factories.make_inquiry(incident, comms, answer=LINE)

    assert not inquiry.is_made_of_lines()


@pytest.mark.parametrize(
    "text, made",
    [
        ("A.", True),
        ("A. B c.", True),
        ("  B c.\n\nA.  A. ", True),
        ("A. B", False),
        ("A.B c.", False),
        ("", False),
        ("Z.", False),
    ],
)
def test_an_answer_is_made_of_lines_one_after_the_other(text, made):
    assert made_of(text, ["A.", "B c."]) is made


def test_there_is_no_answer_to_mark_without_one(comms):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)

    with pytest.raises(TransitionRefused, match="Write the answer first"):
        inquiry.mark_answered(by=comms, version=inquiry.version)


def test_a_viewer_may_not_mark_an_inquiry_answered(comms, manager, viewer):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)
    inquiry.approve_answer(by=manager, version=inquiry.version)

    with pytest.raises(TransitionRefused, match="Only Comms and managers"):
        inquiry.mark_answered(by=viewer, version=inquiry.version)


def test_an_answered_inquiry_no_longer_changes(comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)
    inquiry.approve_answer(by=manager, version=inquiry.version)
    inquiry.mark_answered(by=comms, version=inquiry.version)

    with pytest.raises(TransitionRefused, match="answered"):
        word(inquiry, comms, "Later words")
    with pytest.raises(TransitionRefused, match="answered"):
        inquiry.decline(by=comms, version=inquiry.version)
    with pytest.raises(TransitionRefused, match="answered"):
        inquiry.mark_answered(by=comms, version=inquiry.version)


def test_declining_closes_the_inquiry_with_its_reason(comms):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)

    inquiry.decline(by=comms, version=inquiry.version, reason="Not commenting on rumours")

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.decline_reason) == (S.DECLINED, "Not commenting on rumours")
    assert inquiry.clock() is None
    assert inquiry.history.first().history_change_reason == "Declined: Not commenting on rumours"


def test_an_inquiry_of_a_closed_incident_is_frozen(comms, manager):
    incident = factories.make_incident(comms)
    inquiry = factories.make_inquiry(incident, comms, answer=NEW_WORDS)
    factories.walk_to(incident, Incident.Status.CLOSED)
    inquiry = MediaInquiry.objects.select_related("incident").get()

    with pytest.raises(TransitionRefused, match="closed"):
        inquiry.approve_answer(by=manager, version=inquiry.version)
    with pytest.raises(FrozenRecord):
        inquiry.save()


# The deadline's clock


def test_the_deadline_clock_counts_down_turns_due_and_overdue(comms):
    received = timekeeper.now()
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, received_at=received)
    deadline = inquiry.deadline

    assert inquiry.clock(deadline - datetime.timedelta(hours=1)).state == clocks.OK
    assert inquiry.clock(deadline - datetime.timedelta(minutes=30)).state == clocks.DUE
    late = inquiry.clock(deadline + datetime.timedelta(minutes=5))
    assert (late.state, late.duration) == (clocks.OVERDUE, datetime.timedelta(minutes=5))


def test_an_answer_at_the_deadline_is_in_time_and_one_after_is_not(comms, manager):
    incident = factories.make_incident(comms)
    received = timekeeper.now()
    on_time = factories.make_inquiry(incident, comms, answer=NEW_WORDS, received_at=received)
    late = factories.make_inquiry(incident, comms, answer=NEW_WORDS, received_at=received)
    for inquiry in (on_time, late):
        inquiry.approve_answer(by=manager, version=inquiry.version)

    with time_machine.travel(on_time.deadline, tick=False):
        on_time.mark_answered(by=comms, version=on_time.version)
    with time_machine.travel(late.deadline + datetime.timedelta(seconds=1), tick=False):
        late.mark_answered(by=comms, version=late.version)

    assert on_time.answered_in_time is True and not on_time.clock().is_late
    assert late.answered_in_time is False and late.clock().is_late
