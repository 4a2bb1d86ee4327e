"""Two people at once, with real threads and real database connections.

On PostgreSQL the second waits on the row lock (select_for_update) and then finds the statement
already moved on. On SQLite, IMMEDIATE transactions queue writers on the database lock with the
same result; should SQLite give up waiting ("database is locked"), that attempt counts as
refused: what matters is that exactly one succeeds and the record shows one decision.
"""

import pytest

from crisis.lifecycle import TransitionRefused
from responses.models import Publication, Review, Statement
from tests import factories
from tests.races import race

S = Statement.Status


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_at_once_make_exactly_one_approval():
    author = factories.make_comms("author")
    managers = [factories.make_manager(f"manager-{n}") for n in range(2)]
    statement = factories.make_statement(
        factories.make_incident(author), author, status=S.IN_REVIEW
    )
    version = statement.version

    successes, refusals = race(
        managers,
        lambda user: Statement.objects.get(pk=statement.pk).approve(by=user, version=version),
    )

    assert len(successes) == 1
    assert len(refusals) == 1
    stored = factories.reload(statement)
    assert (stored.status, stored.approved_by) == (S.APPROVED, successes[0])
    assert list(Review.objects.values_list("reviewer", flat=True)) == [successes[0].pk]
    assert stored.history.filter(history_change_reason="Approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_managers_publishing_at_once_publish_once():
    author = factories.make_comms("author")
    managers = [factories.make_manager(f"manager-{n}") for n in range(2)]
    statement = factories.make_statement(
        factories.make_incident(author), author, status=S.APPROVED, target_platforms=["x", "reddit"]
    )

    successes, refusals = race(
        managers, lambda user: Statement.objects.get(pk=statement.pk).publish(by=user)
    )

    assert len(successes) == 1
    assert len(refusals) == 1
    stored = factories.reload(statement)
    assert (stored.status, stored.published_by) == (S.PUBLISHED, successes[0])
    assert sorted(Publication.objects.values_list("platform", flat=True)) == ["reddit", "x"]
    assert stored.incident.first_acknowledged_at == stored.published_at


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_draft_at_once_keep_one_and_refuse_the_other():
    from crisis.lifecycle import StaleEdit

    author = factories.make_comms("author")
    editors = [factories.make_comms(f"editor-{n}") for n in range(2)]
    statement = factories.make_statement(factories.make_incident(author), author)

    def save(user):
        copy = Statement.objects.get(pk=statement.pk)
        copy.body = f"Words of {user.username}"
        try:
            copy.save_wording(by=user, expected_version=1, fields=["body"])
        except StaleEdit as stale:
            raise TransitionRefused(stale.current.body) from None

    successes, refusals = race(editors, save)

    assert len(successes) == 1
    assert factories.reload(statement).body == f"Words of {successes[0].username}"
    assert factories.reload(statement).version == 2
    assert refusals == [f"Words of {successes[0].username}"] or "locked" in refusals[0]
