"""Approval chains under races (issue 23): two people deciding at once make exactly one
outcome, nothing is lost, and the loser is told why. Meant for PostgreSQL (row locks); SQLite
queues the writers and gives the same answers."""

import pytest
from django.contrib.auth import get_user_model

from incidents.models import Incident
from responses.models import Statement
from tests import factories
from tests.races import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    factories.make_chain(
        backups={"Legal": [factories.make_user("backup")]},
    )
    return {
        "author": factories.make_comms("author"),
        "lead": factories.make_member("lead", "Comms leads"),
        "lawyer": factories.make_member("lawyer", "Legal"),
        "boss": factories.make_member("boss", "Executives"),
    }


def submitted(people):
    incident = factories.make_incident(
        people["author"], category=Incident.Category.DATA_BREACH, severity=1
    )
    return factories.make_statement(incident, people["author"]).submit(by=people["author"])


def read(statement):
    """What a person's page holds: the version read and the stage decided."""
    statement = Statement.objects.get(pk=statement.pk)
    return statement.version, statement.current_stage().pk


def test_the_backup_and_the_main_approver_decide_one_stage_once(people):
    statement = submitted(people)
    statement.approve(by=people["lead"])
    version, stage = read(statement)
    deciders = [people["lawyer"], get_user_model().objects.get(username="backup")]

    successes, refusals = race(
        deciders,
        lambda user: Statement.objects.get(pk=statement.pk).approve(
            by=user, version=version, stage=stage
        ),
    )

    assert len(successes) == 1 and len(refusals) == 1
    assert "was already decided by" in refusals[0] or "locked" in refusals[0]
    statement = Statement.objects.get(pk=statement.pk)
    assert statement.current_stage().name == "Executive"
    legal = statement.latest_round().stages.get(position=2)
    assert legal.decided_by == successes[0]
    assert statement.reviews.count() == 2


def test_two_approvers_of_different_stages_at_once_make_one_outcome(people):
    statement = submitted(people)
    version, stage = read(statement)
    acts = {
        people["lead"]: lambda: Statement.objects.get(pk=statement.pk).approve(
            by=people["lead"], version=version, stage=stage
        ),
        # Legal presses on the page they opened while Comms lead was still deciding.
        people["lawyer"]: lambda: Statement.objects.get(pk=statement.pk).request_changes(
            by=people["lawyer"], comment="Not yet.", version=version, stage=stage
        ),
    }

    successes, refusals = race(list(acts), lambda user: acts[user]())

    assert successes == [people["lead"]] and len(refusals) == 1
    statement = Statement.objects.get(pk=statement.pk)
    assert statement.status == Statement.Status.IN_REVIEW
    assert statement.current_stage().name == "Legal"


def test_an_edit_landing_during_a_decision_makes_one_outcome(people):
    statement = submitted(people)
    version, stage = read(statement)

    def act(user):
        fresh = Statement.objects.get(pk=statement.pk)
        if user == people["author"]:
            fresh.body = "We found an intrusion on Friday night."
            fresh.save_wording(by=user, expected_version=version, fields=["body"])
        else:
            fresh.approve(by=user, version=version, stage=stage)

    successes, refusals = race([people["author"], people["lead"]], act)

    assert len(successes) == 1 and len(refusals) == 1
    statement = Statement.objects.get(pk=statement.pk)
    if successes == [people["author"]]:
        assert statement.status == Statement.Status.DRAFT
        assert statement.body == "We found an intrusion on Friday night."
        assert statement.latest_round().outcome == "reworded"
        assert "wording was edited after you opened it" in refusals[0] or "locked" in refusals[0]
    else:
        assert statement.current_stage().name == "Legal"
        assert statement.body != "We found an intrusion on Friday night."
