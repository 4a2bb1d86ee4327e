"""The demo seeds a desk that already has an approval chain for a demo incident (an admin made
one first, or the tests' world did): the stories' approvals follow it, stage by stage, by the
demo's people in its groups, and never approve in the name of a real person."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.chains import NOTICE
from responses.models import Statement
from responses.models.review_round import RoundStage
from tests import factories

pytestmark = pytest.mark.usefixtures("playbooks")
S = Statement.Status


def seed():
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=StringIO())


def told_under_the_chain():
    """The stories' statements of the drill (a data breach of severity 1), not the chain's own
    notice, that went through a round of the chain."""
    return Statement.objects.exclude(body=NOTICE).filter(
        incident__title__startswith="Drill:", review_rounds__chain__isnull=False
    )


def test_a_chain_on_the_desk_is_followed_stage_by_stage(db):
    factories.make_chain()  # Comms lead, Legal, Executive: the demo's own groups' names

    seed()

    told = told_under_the_chain().distinct()
    assert told.exists()
    for statement in told:
        assert statement.status in (S.APPROVED, S.PUBLISHED)
        stages = RoundStage.objects.filter(round__statement=statement).order_by("position")
        deciders = [stage.decided_by.username for stage in stages]
        assert deciders == ["manager", "viewer", "admin"]
        assert len(set(deciders)) == len(deciders)


def test_a_stage_no_demo_person_decides_leaves_the_statement_in_review(db):
    real = factories.make_member("real-legal", "Outside counsel")
    # The demo's admin, a superuser, may decide one stage (as any superuser may), not two.
    factories.make_chain(
        name="Counsel first",
        stages=(("Counsel", "Outside counsel"), ("Counsel again", "Outside counsel")),
        min_severity=1,
    )

    seed()

    told = told_under_the_chain().distinct()
    assert told.exists()
    assert set(told.values_list("status", flat=True)) == {S.IN_REVIEW}
    assert not RoundStage.objects.filter(decided_by=real).exists()
    assert set(
        RoundStage.objects.filter(round__statement__in=told, decided_by__isnull=False).values_list(
            "decided_by__username", flat=True
        )
    ) == {"admin"}
