"""Two managers approving one line at once, and an approval racing an edit of its wording: one
outcome, the other told why (tests/races.py; on SQLite and PostgreSQL)."""

import pytest

from lines.models import ApprovedLine
from tests import factories
from tests.races import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_managers_approving_one_line_at_once_approve_it_once():
    line = factories.make_line(factories.make_comms("writer"))
    managers = [factories.make_manager(f"manager-{n}") for n in range(2)]

    successes, refusals = race(
        managers,
        lambda user: ApprovedLine.objects.get(pk=line.pk).approve(by=user, version=line.version),
    )

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(line)
    assert stored.approved_by == successes[0]
    assert stored.history.filter(history_change_reason="Approved").count() == 1


def test_an_approval_racing_an_edit_of_the_wording_never_approves_unread_words():
    writer = factories.make_comms("writer")
    line = factories.make_line(writer)
    editor, manager = factories.make_comms("editor"), factories.make_manager("approver")

    def act(user):
        copy = ApprovedLine.objects.get(pk=line.pk)
        if user == manager:
            copy.approve(by=user, version=line.version)
        else:
            copy.text = "Words the manager never read"
            copy.save_wording(by=user, expected_version=line.version, fields=["text"])

    successes, refusals = race([editor, manager], act)

    assert (len(successes), len(refusals)) == (1, 1)
    stored = factories.reload(line)
    # Whichever came second was refused: the approval stands only on the wording it read.
    assert stored.is_approved == (successes == [manager])
    assert (stored.text == "Words the manager never read") == (successes == [editor])
