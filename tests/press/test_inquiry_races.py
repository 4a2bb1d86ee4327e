"""Two people acting on one inquiry at once: one outcome, the other told why (tests/races.py;
on SQLite and PostgreSQL)."""

import pytest

from press.models import MediaInquiry
from tests import factories
from tests.races import race

pytestmark = pytest.mark.django_db(transaction=True)

NEW_WORDS = "We are still counting and will say more by noon."


def test_two_managers_approving_one_answer_at_once_approve_it_once():
    writer = factories.make_comms("writer")
    inquiry = factories.make_inquiry(factories.make_incident(writer), writer, answer=NEW_WORDS)
    managers = [factories.make_manager(f"manager-{n}") for n in range(2)]

    successes, refusals = race(
        managers,
        lambda user: MediaInquiry.objects.get(pk=inquiry.pk).approve_answer(
            by=user, version=inquiry.version
        ),
    )

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(inquiry)
    assert stored.answer_approved_by == successes[0]
    assert stored.history.filter(history_change_reason="Answer approved").count() == 1


def test_an_approval_racing_a_rewording_never_approves_unread_words():
    writer = factories.make_comms("writer")
    inquiry = factories.make_inquiry(factories.make_incident(writer), writer, answer=NEW_WORDS)
    editor, manager = factories.make_comms("editor"), factories.make_manager("approver")

    def act(user):
        copy = MediaInquiry.objects.get(pk=inquiry.pk)
        if user == manager:
            copy.approve_answer(by=user, version=inquiry.version)
        else:
            copy.answer = "Words the manager never read"
            copy.save_answer(by=user, expected_version=inquiry.version, fields=["answer"])

    successes, refusals = race([editor, manager], act)

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(inquiry)
    assert stored.is_answer_approved == (successes == [manager])
    assert (stored.answer == "Words the manager never read") == (successes == [editor])


def test_answering_and_declining_at_once_leave_one_outcome():
    writer = factories.make_comms("writer")
    manager = factories.make_manager("approver")
    inquiry = factories.make_inquiry(factories.make_incident(writer), writer, answer=NEW_WORDS)
    inquiry.approve_answer(by=manager, version=inquiry.version)
    people = [writer, factories.make_comms("other")]

    def act(user):
        copy = MediaInquiry.objects.get(pk=inquiry.pk)
        if user == writer:
            copy.mark_answered(by=user, version=inquiry.version)
        else:
            copy.decline(by=user, version=inquiry.version)

    successes, refusals = race(people, act)

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(inquiry)
    expected = "answered" if successes == [writer] else "declined"
    assert stored.status == expected
