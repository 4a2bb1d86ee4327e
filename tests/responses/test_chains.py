"""Approval chains (issue 23, part 1): each rule at the model level, refused cases included.

A data breach from severity 2 is signed off by Comms lead → Legal → Executive; each stage
approves the exact wording; an edit sends it back to the first stage; the stage's backups hear
when it is late.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from crisis.lifecycle import TransitionRefused
from crisis.outbound import EventKind
from crisis.outbound.models import Delivery
from incidents.models import Incident
from responses.models import ApprovalChain, ReviewRound, RoundStage, Statement
from responses.reminders import send_due_reminders
from tests import factories

S = Statement.Status
START = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def people(db):
    return {
        "author": factories.make_comms("author"),
        "lead": factories.make_member("lead", "Comms leads"),
        "lawyer": factories.make_member("lawyer", "Legal"),
        "backup": factories.make_user("backup"),
        "boss": factories.make_member("boss", "Executives"),
        "manager": factories.make_manager("chain-manager"),
    }


@pytest.fixture
def chain(people):
    return factories.make_chain(backups={"Legal": [people["backup"]]})


def breach_statement(people, severity=1, **overrides):
    incident = factories.make_incident(
        people["author"], category=Incident.Category.DATA_BREACH, severity=severity
    )
    return factories.make_statement(incident, people["author"], **overrides)


def submitted(people, **overrides):
    statement = breach_statement(people, **overrides)
    return statement.submit(by=people["author"])


def overdue_deliveries():
    return list(Delivery.objects.filter(event=EventKind.STAGE_OVERDUE, channel="mail"))


def stage_names(statement):
    return [s.name for s in statement.latest_round().stages.all()]


def test_the_chain_of_the_category_applies_from_its_severity(chain, people):
    serious = submitted(people)
    minor = breach_statement(people, severity=3).submit(by=people["author"])

    assert serious.open_round().chain == chain
    assert stage_names(serious) == ["Comms lead", "Legal", "Executive"]
    assert serious.current_stage().name == "Comms lead"
    assert minor.open_round().chain is None
    assert stage_names(minor) == ["Manager"]


def test_the_strictest_matching_chain_applies(chain, people):
    factories.make_chain(
        "Any breach", min_severity=4, stages=(("Comms lead", "Comms leads"),), backups={}
    )

    assert submitted(people).open_round().chain == chain


def test_a_chain_edited_later_does_not_change_a_running_round(chain, people):
    statement = submitted(people)
    legal = chain.stages.get(name="Legal")
    legal.name = "Legal (new)"
    legal.save()
    legal.backups.clear()

    statement = factories.reload(statement)
    assert stage_names(statement) == ["Comms lead", "Legal", "Executive"]
    assert [u.username for u in statement.latest_round().stages.get(position=2).backups.all()] == [
        "backup"
    ]


def test_each_stage_approves_the_exact_wording_in_order(chain, people):
    statement = submitted(people)
    read = statement.version

    statement.approve(by=people["lead"], version=read)
    assert statement.status == S.IN_REVIEW
    assert statement.current_stage().name == "Legal"
    statement.approve(by=people["lawyer"], version=statement.version)
    statement.approve(by=people["boss"], version=statement.version, comment="Go.")

    statement = factories.reload(statement)
    assert statement.status == S.APPROVED
    assert statement.approved_by == people["boss"]
    stages = list(statement.latest_round().stages.all())
    assert [(s.decided_by.username, s.decision) for s in stages] == [
        ("lead", "approve"),
        ("lawyer", "approve"),
        ("boss", "approve"),
    ]
    assert stages[0].approved_version == read
    assert {s.approved_hash for s in stages} == {statement.wording_hash()}
    assert statement.latest_round().outcome == ReviewRound.Outcome.APPROVED
    assert [r.stage.name for r in statement.reviews.all()] == ["Comms lead", "Legal", "Executive"]


def test_a_backup_decides_their_stage(chain, people):
    statement = submitted(people)
    statement.approve(by=people["lead"])

    statement.approve(by=people["backup"])

    assert statement.current_stage().name == "Executive"


@pytest.mark.parametrize("who", ["author", "lawyer", "boss", "manager"])
def test_only_the_stage_s_group_or_backups_decide_it(chain, people, who):
    statement = submitted(people)
    before = statement.version

    with pytest.raises(TransitionRefused, match="decided by the Comms leads group|wrote"):
        statement.approve(by=people[who])
    with pytest.raises(TransitionRefused):
        statement.request_changes(by=people[who], comment="No.")

    statement = factories.reload(statement)
    assert statement.version == before
    assert statement.current_stage().name == "Comms lead"


def test_no_author_or_writer_approves_any_stage(chain, people):
    statement = breach_statement(people)
    # The lawyer changes the wording: a writer now.
    people["lawyer"].groups.add(factories.make_group("Comms"))
    copy = factories.reload(statement)
    copy.body = "We found an intrusion and are telling everyone affected."
    copy.save_wording(by=people["lawyer"], expected_version=copy.version, fields=["body"])
    statement = factories.reload(copy).submit(by=people["author"])
    people["author"].groups.add(factories.make_group("Comms leads"))
    statement.approve(by=people["lead"])

    with pytest.raises(TransitionRefused, match="You changed this statement’s wording"):
        statement.approve(by=people["lawyer"])
    people["author"].groups.add(factories.make_group("Legal"))
    author = factories.reload(people["author"])
    with pytest.raises(TransitionRefused, match="You wrote this statement"):
        statement.approve(by=author)


def test_no_one_approves_two_stages_of_the_same_wording(chain, people):
    lead = people["lead"]
    lead.groups.add(factories.make_group("Legal"))
    statement = submitted(people)
    statement.approve(by=lead)

    lead = factories.reload(lead)
    assert "You approved this wording at the stage “Comms lead”" in statement.review_refusal(lead)
    with pytest.raises(TransitionRefused, match="someone else decides the stage “Legal”"):
        statement.approve(by=lead)


def test_approve_and_publish_exists_only_at_the_last_stage(chain, people):
    people["boss"].groups.add(factories.make_group("Managers"))
    people["lead"].groups.add(factories.make_group("Managers"))
    statement = submitted(people)
    lead = factories.reload(people["lead"])

    assert not statement.may_approve_and_publish(lead)
    with pytest.raises(TransitionRefused, match="only for the chain’s last stage"):
        statement.approve_and_publish(by=lead)
    assert factories.reload(statement).current_stage().name == "Comms lead"

    statement.approve(by=lead)
    statement.approve(by=people["lawyer"])
    boss = factories.reload(people["boss"])
    assert statement.may_approve_and_publish(boss)
    statement.approve_and_publish(by=boss)
    assert factories.reload(statement).status == S.PUBLISHED


def test_request_changes_at_any_stage_ends_the_round(chain, people):
    statement = submitted(people)
    statement.approve(by=people["lead"])

    statement.request_changes(by=people["lawyer"], comment="Say when we found it.")

    statement = factories.reload(statement)
    assert statement.status == S.DRAFT
    ended = statement.latest_round()
    assert ended.outcome == ReviewRound.Outcome.CHANGES_REQUESTED
    assert ended.stages.get(position=2).comment == "Say when we found it."


def test_an_edit_after_a_stage_approved_sends_it_back_to_the_first_stage(chain, people):
    statement = submitted(people)
    statement.approve(by=people["lead"])
    approved_by_lead = statement.version - 1

    copy = factories.reload(statement)
    copy.body = "We found an intrusion on Friday."
    copy.save_wording(by=people["author"], expected_version=copy.version, fields=["body"])
    statement = factories.reload(copy)
    assert statement.status == S.DRAFT
    assert statement.latest_round().outcome == ReviewRound.Outcome.REWORDED

    statement.submit(by=people["author"])
    statement = factories.reload(statement)
    assert statement.latest_round().number == 2
    assert statement.current_stage().name == "Comms lead"
    # The lead may approve the new wording, and reads what changed since theirs.
    assert statement.may_review(people["lead"])
    assert statement.last_approved_version_by(people["lead"]) == approved_by_lead
    comparisons = statement.versions(yours=approved_by_lead).comparisons()
    assert any("what you approved" in c["name"] and c["body_changed"] for c in comparisons)


def test_a_decision_on_a_stage_already_decided_says_by_whom(chain, people):
    statement = submitted(people)
    read, stage = statement.version, statement.current_stage().pk
    factories.reload(statement).approve(by=people["lead"], version=read, stage=stage)
    people["backup"].groups.add(factories.make_group("Comms leads"))
    backup = factories.reload(people["backup"])

    with pytest.raises(TransitionRefused, match="“Comms lead” was already decided by Lead"):
        statement.approve(by=backup, version=read, stage=stage)


def test_the_last_stage_refusal_is_public_for_variants(chain, people):
    statement = submitted(people)

    assert statement.final_stage_refusal(people["boss"]) is None
    assert statement.final_stage_refusal(people["author"]).startswith("You wrote")
    assert "Executives" in statement.final_stage_refusal(people["lawyer"])
    never_submitted = breach_statement(people)
    assert never_submitted.final_stage_refusal(people["boss"]) is None
    assert never_submitted.final_stage_refusal(people["lead"]) is not None
    default = factories.make_statement(by=people["author"])
    assert default.final_stage_refusal(people["manager"]) is None
    assert default.final_stage_refusal(people["boss"]) == "Only a manager may review a statement."


def test_a_late_stage_tells_its_backups_once(chain, people):
    with time_machine.travel(START, tick=False):
        statement = submitted(people)
        statement.approve(by=people["lead"])
    legal = RoundStage.objects.get(round__statement=statement, position=2)
    assert legal.due_at == START + timedelta(minutes=30)

    with time_machine.travel(START + timedelta(minutes=29), tick=False):
        send_due_reminders()
        assert not overdue_deliveries()
        assert not legal.is_escalated()
    with time_machine.travel(START + timedelta(minutes=31), tick=False):
        send_due_reminders()
        send_due_reminders()
        assert legal.is_escalated()
    assert [d.recipient for d in overdue_deliveries()] == ["backup@example.com"]


def test_a_late_stage_without_backups_tells_its_group_s_active_members_once(chain, people):
    factories.make_member("gone-lead", "Comms leads", is_active=False)
    factories.make_member("other-lead", "Comms leads")
    with time_machine.travel(START, tick=False):
        statement = submitted(people)

    with time_machine.travel(START + timedelta(minutes=29), tick=False):
        send_due_reminders()
        assert not overdue_deliveries()
    with time_machine.travel(START + timedelta(minutes=31), tick=False):
        send_due_reminders()
        send_due_reminders()

    deliveries = overdue_deliveries()
    assert sorted(d.recipient for d in deliveries) == [
        "lead@example.com",
        "other-lead@example.com",
    ]
    assert "It names no backup, and you are in its group, Comms leads" in deliveries[0].text
    assert statement.current_stage().name == "Comms lead"


def test_a_decided_or_ended_stage_tells_nobody(chain, people):
    with time_machine.travel(START, tick=False):
        statement = submitted(people)
        statement.request_changes(by=people["lead"], comment="Too vague.")
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        send_due_reminders()
    assert not overdue_deliveries()


def test_an_inactive_chain_is_never_chosen(chain, people):
    chain.is_active = False
    chain.save()

    assert submitted(people).open_round().chain is None
    assert ApprovalChain.objects.for_incident(factories.make_incident()) is None


def test_a_decision_on_words_edited_since_says_so(chain, people):
    statement = submitted(people)
    read, stage = statement.version, statement.current_stage().pk
    copy = factories.reload(statement)
    copy.body = "We found an intrusion on Friday."
    copy.save_wording(by=people["author"], expected_version=copy.version, fields=["body"])

    with pytest.raises(TransitionRefused, match="wording was edited after you opened it"):
        factories.reload(statement).approve(by=people["lead"], version=read, stage=stage)
    assert factories.reload(statement).status == S.DRAFT
