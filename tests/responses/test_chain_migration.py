"""Statements reviewed before approval chains join the default chain (migration 0015).

The database is made as before the chains: statements written, reviewed and in review, with no
review round; migrated back to 0014 and forward again, every one has the rounds of the default
chain (one stage, the Managers group), each past review its decided stage."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from responses.models import Review, ReviewRound, RoundStage, Statement
from tests import factories

S = Statement.Status
BEFORE = [("responses", "0014_approval_chains")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def as_before_chains():
    """Forget every round, as a database of before the chains had none."""
    Review.objects.update(stage=None)
    RoundStage.objects.all().delete()
    ReviewRound.objects.all().delete()


def test_existing_statements_and_reviews_join_the_default_chain(transactional_db):
    comms = factories.make_comms("migration-comms")
    manager = factories.make_manager("migration-manager")
    incident = factories.make_incident(comms)
    draft = factories.make_statement(incident, comms)
    waiting = factories.make_statement(incident, comms).submit(by=comms)
    sent_back = factories.make_statement(incident, comms).submit(by=comms)
    sent_back.request_changes(by=manager, comment="Warmer, please.")
    sent_back.submit(by=comms)
    published = factories.make_statement(incident, comms, status=S.PUBLISHED)
    as_before_chains()

    migrate(BEFORE)
    migrate(latest())

    assert not ReviewRound.objects.filter(statement=draft).exists()
    managers = Group.objects.get(name="Managers")
    waiting = Statement.objects.get(pk=waiting.pk)
    stage = waiting.current_stage()
    assert (stage.name, stage.group, waiting.open_round().chain) == ("Manager", managers, None)
    assert waiting.may_review(manager)
    sent_back = Statement.objects.get(pk=sent_back.pk)
    rounds = list(sent_back.review_rounds.order_by("number"))
    assert [r.outcome for r in rounds] == ["changes_requested", "open"]
    assert rounds[0].stages.get().comment == "Warmer, please."
    published = Statement.objects.get(pk=published.pk)
    approved = published.latest_round()
    decided = approved.stages.get()
    assert approved.outcome == "approved"
    assert decided.approved_version == published.approved_version
    assert decided.approved_hash == approved.text_hash
    assert Review.objects.get(statement=published).stage == decided
    # The statement in review is approved through its migrated round.
    waiting.approve(by=manager)
    assert Statement.objects.get(pk=waiting.pk).status == S.APPROVED


@pytest.fixture(autouse=True)
def _back_to_latest(transactional_db):
    yield
    migrate(latest())
