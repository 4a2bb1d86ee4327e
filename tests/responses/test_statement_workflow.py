"""The statement's workflow: its moves, who may make them, and what each records."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction

from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses.models import Publication, Review, Statement
from tests import factories

S = Statement.Status
# After the real clock, so that rows made by factories sort before the ones under test.
NOW = datetime(2031, 3, 14, 10, 15, tzinfo=UTC)
LATER = datetime(2031, 3, 14, 10, 40, tzinfo=UTC)

# The workflow of PRODUCT.md written out on its own, so that a wrong row in Statement.MOVES fails.
WORKFLOW = {
    "submit": ({S.DRAFT}, S.IN_REVIEW),
    "approve": ({S.IN_REVIEW}, S.APPROVED),
    "request_changes": ({S.IN_REVIEW}, S.DRAFT),
    "publish": ({S.APPROVED}, S.PUBLISHED),
    "withdraw": ({S.DRAFT, S.IN_REVIEW, S.APPROVED}, S.WITHDRAWN),
}
ALLOWED = [
    (status, action) for action, (sources, _) in WORKFLOW.items() for status in sorted(sources)
]
REFUSED = [
    (status, action)
    for status in S
    for action, (sources, _) in WORKFLOW.items()
    if status not in sources
]


def statement_in(status, author):
    return factories.make_statement(factories.make_incident(author), author, status=status)


def do(statement, action, *, by):
    verbs = {
        "submit": lambda: statement.submit(by=by),
        "approve": lambda: statement.approve(by=by),
        "request_changes": lambda: statement.request_changes(by=by, comment="Softer, please."),
        "publish": lambda: statement.publish(by=by),
        "withdraw": lambda: statement.withdraw(by=by),
    }
    return verbs[action]()


def test_the_model_table_matches_the_workflow():
    assert {a: (set(m.sources), m.target) for a, m in Statement.MOVES.items()} == WORKFLOW


def test_a_draft_records_its_author_in_history(comms):
    incident = factories.make_incident(comms)

    with time_machine.travel(NOW, tick=False):
        statement = Statement.draft(
            incident=incident, by=comms, kind="holding", body="We hear you.", target_platforms=["x"]
        )

    assert (statement.status, statement.author, statement.version) == (S.DRAFT, comms, 1)
    row = statement.history.get()
    assert (row.history_user, row.history_change_reason, row.history_date) == (
        comms,
        "Drafted",
        NOW,
    )


def test_a_closed_incident_takes_no_new_statement(comms):
    incident = factories.make_incident(comms, status=Incident.Status.CLOSED)

    with pytest.raises(TransitionRefused, match="incident is closed"):
        Statement.draft(incident=incident, by=comms, body="Too late", target_platforms=["x"])

    assert not Statement.objects.exists()


@pytest.mark.parametrize(("status", "action"), ALLOWED)
def test_each_allowed_move_reaches_its_status(status, action, comms, manager):
    statement = statement_in(status, comms)
    actor = comms if action in ("submit", "withdraw") else manager

    do(statement, action, by=actor)

    stored = factories.reload(statement)
    assert stored.status == WORKFLOW[action][1]
    assert statement.history.first().history_user == actor


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_each_move_from_a_wrong_status_is_refused_and_changes_nothing(
    status, action, comms, manager
):
    statement = statement_in(status, comms)
    before = factories.snapshot(statement)
    rows = statement.history.count()

    with pytest.raises(TransitionRefused, match="is not possible while the statement is"):
        do(statement, action, by=manager)

    assert factories.snapshot(statement) == before
    assert statement.history.count() == rows


@pytest.mark.parametrize(
    ("status", "action"),
    [(S.IN_REVIEW, "approve"), (S.IN_REVIEW, "request_changes"), (S.APPROVED, "publish")],
)
def test_comms_may_not_review_or_publish(status, action, comms):
    other = factories.make_comms("other-comms")
    statement = statement_in(status, other)
    before = factories.snapshot(statement)

    with pytest.raises(TransitionRefused, match="You may not|Only a manager may review"):
        do(statement, action, by=comms)

    assert factories.snapshot(statement) == before


@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_a_viewer_may_not_move_a_statement(action, comms, viewer):
    statement = statement_in(S.DRAFT, comms)

    with pytest.raises(TransitionRefused, match="You may not"):
        do(statement, action, by=viewer)

    assert factories.reload(statement).status == S.DRAFT


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_it_refuses_review_by_the_author_even_a_manager(action, manager):
    statement = statement_in(S.IN_REVIEW, manager)
    before = factories.snapshot(statement)

    with pytest.raises(TransitionRefused, match="You wrote this statement"):
        do(statement, action, by=manager)

    assert factories.snapshot(statement) == before
    assert not Review.objects.exists()


def test_the_author_is_offered_no_review_buttons(manager, second_manager):
    statement = statement_in(S.IN_REVIEW, manager)

    assert [a for a, _ in statement.allowed_moves(manager)] == ["withdraw"]
    assert [a for a, _ in statement.allowed_moves(second_manager)] == [
        "approve",
        "request_changes",
        "withdraw",
    ]


def test_submit_records_when_and_who(comms):
    statement = statement_in(S.DRAFT, comms)

    with time_machine.travel(NOW, tick=False):
        statement.submit(by=comms)

    stored = factories.reload(statement)
    assert (stored.status, stored.submitted_at, stored.version) == (S.IN_REVIEW, NOW, 2)
    row = statement.history.first()
    assert (row.history_user, row.history_change_reason) == (comms, "Submitted for approval")


def test_approve_records_the_reviewer_and_the_version_they_read(comms, manager):
    statement = statement_in(S.IN_REVIEW, comms)
    reviewed = statement.version

    with time_machine.travel(NOW, tick=False):
        statement.approve(by=manager, comment="Good and short.", version=reviewed)

    stored = factories.reload(statement)
    assert stored.status == S.APPROVED
    assert (stored.approved_at, stored.approved_by, stored.approved_version) == (
        NOW,
        manager,
        reviewed,
    )
    review = Review.objects.get()
    assert (review.reviewer, review.decision, review.statement_version, review.comment) == (
        manager,
        Review.Decision.APPROVE,
        reviewed,
        "Good and short.",
    )
    row = statement.history.first()
    assert (row.history_user, row.history_change_reason) == (manager, "Approved: Good and short.")


def test_request_changes_returns_it_to_draft_with_the_comment(comms, manager):
    statement = statement_in(S.IN_REVIEW, comms)

    statement.request_changes(by=manager, comment="Say when the next update comes.")

    stored = factories.reload(statement)
    assert stored.status == S.DRAFT
    review = Review.objects.get()
    assert (review.decision, review.comment) == (
        Review.Decision.REQUEST_CHANGES,
        "Say when the next update comes.",
    )
    row = statement.history.first()
    assert (row.history_user, row.history_change_reason) == (
        manager,
        "Changes requested: Say when the next update comes.",
    )


@pytest.mark.parametrize("comment", ["", "   "])
def test_request_changes_needs_a_comment(comment, comms, manager):
    statement = statement_in(S.IN_REVIEW, comms)

    with pytest.raises(TransitionRefused, match="Say what should change"):
        statement.request_changes(by=manager, comment=comment)

    assert factories.reload(statement).status == S.IN_REVIEW
    assert not Review.objects.exists()


def test_the_database_refuses_a_request_for_changes_without_a_comment(comms, manager):
    statement = statement_in(S.IN_REVIEW, comms)

    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            statement=statement, statement_version=2, reviewer=manager, decision="request_changes"
        )


def test_publish_records_where_when_and_who_and_starts_the_acknowledgement_clock(comms, manager):
    incident = factories.make_incident(comms, platforms=["x", "linkedin"])
    statement = factories.make_statement(
        incident, comms, status=S.APPROVED, target_platforms=["x", "linkedin"]
    )

    with time_machine.travel(NOW, tick=False):
        statement.publish(by=manager, links={"x": "https://x.com/brand/status/1"})

    stored = factories.reload(statement)
    assert (stored.status, stored.published_at, stored.published_by) == (S.PUBLISHED, NOW, manager)
    assert [(p.platform, p.url, p.published_at) for p in stored.publications.all()] == [
        ("x", "https://x.com/brand/status/1", NOW),
        ("linkedin", "", NOW),
    ]
    incident = factories.reload(incident)
    assert incident.first_acknowledged_at == NOW
    row = incident.history.first()
    assert (row.history_user, row.history_change_reason) == (
        manager,
        "First public acknowledgement: Holding statement",
    )


def test_a_later_statement_keeps_the_first_acknowledgement_time(comms, manager):
    incident = factories.make_incident(comms)
    with time_machine.travel(NOW, tick=False):
        factories.make_statement(incident, comms, status=S.PUBLISHED)
    second = factories.make_statement(incident, comms, status=S.APPROVED, kind="apology")

    with time_machine.travel(LATER, tick=False):
        second.publish(by=manager)

    assert factories.reload(incident).first_acknowledged_at == NOW
    assert factories.reload(second).published_at == LATER


def test_a_link_can_be_added_after_publishing_with_who_in_history(comms, manager):
    statement = statement_in(S.PUBLISHED, comms)
    publication = statement.publications.get()

    publication.set_link("https://x.com/brand/status/2", by=comms)

    assert factories.reload(publication).url == "https://x.com/brand/status/2"
    row = publication.history.first()
    assert (row.history_user, row.history_change_reason) == (comms, "Link added")


def test_withdraw_records_when_who_and_why(comms):
    statement = statement_in(S.APPROVED, comms)

    with time_machine.travel(NOW, tick=False):
        statement.withdraw(by=comms, reason="Overtaken by events")

    stored = factories.reload(statement)
    assert (stored.status, stored.withdrawn_at, stored.withdrawn_by) == (S.WITHDRAWN, NOW, comms)
    assert statement.history.first().history_change_reason == "Withdrawn: Overtaken by events"


def test_a_published_statement_and_its_publications_are_never_deleted(comms):
    statement = statement_in(S.PUBLISHED, comms)

    with pytest.raises(TransitionRefused, match="never deleted"):
        statement.delete()
    with pytest.raises(TransitionRefused, match="never deleted"):
        statement.publications.first().delete()

    assert Publication.objects.filter(statement=statement).count() == len(
        statement.target_platforms
    )
