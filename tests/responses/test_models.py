"""The statement's rules: its workflow, who may review, wording-bound approvals, length limits."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crisis.lifecycle import StaleEdit, TransitionRefused
from incidents.models import Incident
from responses.diff import Segment, word_diff
from responses.lengths import LENGTH_LIMITS, length_errors
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

    with pytest.raises(TransitionRefused, match="You may not"):
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


def test_approving_words_that_changed_since_they_were_read_is_refused(comms, manager):
    statement = statement_in(S.IN_REVIEW, comms)
    read = statement.version
    edit(statement, comms, body="Different words, submitted again at once.")
    factories.reload(statement).submit(by=comms)

    with pytest.raises(TransitionRefused, match="changed after you opened it"):
        statement.approve(by=manager, version=read)

    assert factories.reload(statement).status == S.IN_REVIEW
    assert not Review.objects.exists()


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


# Editing: an approval belongs to the exact wording reviewed.


def edit(statement, by, **fields):
    form_copy = factories.reload(statement)
    for name, value in fields.items():
        setattr(form_copy, name, value)
    return form_copy.save_wording(
        by=by, expected_version=form_copy.version, fields=["kind", "body", "target_platforms"]
    )


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (S.APPROVED, "Edited after approval: back to Draft"),
        (S.IN_REVIEW, "Edited during review: back to Draft"),
    ],
)
@pytest.mark.parametrize(
    "change",
    [
        {"body": "We are sorry. Orders ship again."},
        {"target_platforms": ["x", "threads"]},
        {"kind": Statement.Kind.APOLOGY},
    ],
)
def test_a_change_of_kind_wording_or_platforms_sends_it_back_to_draft(
    status, reason, change, comms
):
    statement = statement_in(status, comms)
    approved_version = factories.reload(statement).approved_version

    edit(statement, comms, **change)

    stored = factories.reload(statement)
    assert stored.status == S.DRAFT
    # The last approval stays on record so reviewers can compare against it.
    assert stored.approved_version == approved_version
    row = statement.history.first()
    assert (row.history_user, row.history_change_reason) == (comms, reason)


def test_a_change_of_kind_after_approval_needs_a_new_approval(comms, manager):
    # An approved holding statement relabelled as an apology is not what the manager approved.
    statement = statement_in(S.APPROVED, comms)

    edit(statement, comms, kind=Statement.Kind.ACKNOWLEDGEMENT)

    stored = factories.reload(statement)
    assert (stored.status, stored.kind) == (S.DRAFT, Statement.Kind.ACKNOWLEDGEMENT)
    assert statement.history.first().history_change_reason == "Edited after approval: back to Draft"
    with pytest.raises(TransitionRefused, match="not possible while the statement is Draft"):
        stored.publish(by=manager)


def test_editing_a_draft_keeps_it_a_draft(comms):
    statement = statement_in(S.DRAFT, comms)

    edit(statement, comms, body="Better words.")

    stored = factories.reload(statement)
    assert (stored.status, stored.body, stored.version) == (S.DRAFT, "Better words.", 2)


@pytest.mark.parametrize("status", [S.PUBLISHED, S.WITHDRAWN])
def test_a_published_or_withdrawn_statement_cannot_be_edited(status, comms):
    statement = statement_in(status, comms)
    before = factories.snapshot(statement)

    with pytest.raises(TransitionRefused, match="cannot be edited"):
        edit(statement, comms, body="Sneaky change after the fact.")

    assert factories.snapshot(statement) == before


def test_a_stale_edit_is_refused_and_carries_the_other_text(comms, manager):
    statement = statement_in(S.DRAFT, comms)
    mine = factories.reload(statement)
    theirs = factories.reload(statement)
    theirs.body = "Their words."
    theirs.save_wording(by=manager, expected_version=1, fields=["body"])
    mine.body = "My words."

    with pytest.raises(StaleEdit) as stale:
        mine.save_wording(by=comms, expected_version=1, fields=["body"])

    assert stale.value.current.body == "Their words."
    assert factories.reload(statement).body == "Their words."


# Length limits and diffs


def test_the_limits_table_has_every_platform_and_the_agreed_numbers():
    assert {str(code): limit for code, limit in LENGTH_LIMITS.items()} == {
        "x": 280,
        "bluesky": 300,
        "threads": 500,
        "instagram": 2200,
        "tiktok": 2200,
        "linkedin": 3000,
        "facebook": 63206,
        "youtube": 5000,
        "reddit": 40000,
        "other": None,
    }


def test_length_errors_name_the_platform_and_the_excess():
    assert length_errors("a" * 315, ["x", "bluesky", "instagram", "other"]) == [
        "Too long for X by 35 characters (315 of 280).",
        "Too long for Bluesky by 15 characters (315 of 300).",
    ]
    assert length_errors("a" * 281, ["x"]) == ["Too long for X by 1 character (281 of 280)."]
    assert length_errors("a" * 280, ["x"]) == []


LONG = "We are sorry. " * 25  # 350 characters: fine on Instagram, too long for X


def shell_save(statement, **fields):
    """Change the row the way a shell session or a script might, past the form and the verbs."""
    row = factories.reload(statement)
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def test_clean_names_the_platform_and_the_excess():
    statement = Statement(body="😷" * 141, target_platforms=["instagram", "x"])

    with pytest.raises(ValidationError) as invalid:
        statement.clean()

    assert invalid.value.message_dict == {
        "body": [
            "Too long for X by 2 characters "
            "(282 of 280, as X counts: a link 23, most emoji and CJK characters 2)."
        ]
    }
    Statement(body="a" * 280, target_platforms=["x"]).clean()  # fits: no error


def test_it_refuses_to_approve_a_body_too_long_for_a_target(comms, manager):
    statement = factories.make_statement(
        factories.make_incident(comms),
        comms,
        status=S.IN_REVIEW,
        body=LONG.strip(),
        target_platforms=["instagram"],
    )
    shell_save(statement, target_platforms=["instagram", "x"])
    before = factories.snapshot(statement)

    with pytest.raises(TransitionRefused, match=r"Too long for X by 69 characters \(349 of 280\)"):
        factories.reload(statement).approve(by=manager)

    assert factories.snapshot(statement) == before
    assert not Review.objects.exists()


def test_it_refuses_to_submit_a_body_too_long_for_a_target(comms):
    statement = factories.make_statement(
        factories.make_incident(comms), comms, body=LONG.strip(), target_platforms=["x"]
    )

    with pytest.raises(TransitionRefused, match="Too long for X"):
        statement.submit(by=comms)

    assert factories.reload(statement).status == S.DRAFT


def test_new_targets_saved_after_approval_send_it_back_to_draft(comms, manager):
    statement = factories.make_statement(
        factories.make_incident(comms),
        comms,
        status=S.APPROVED,
        body=LONG.strip(),
        target_platforms=["instagram"],
    )
    form_copy = factories.reload(statement)
    form_copy.target_platforms = ["instagram", "x"]

    form_copy.save_wording(
        by=comms, expected_version=form_copy.version, fields=["target_platforms"]
    )

    assert factories.reload(statement).status == S.DRAFT
    with pytest.raises(TransitionRefused, match="not possible while the statement is Draft"):
        factories.reload(statement).publish(by=manager)


def test_it_refuses_to_publish_when_the_targets_changed_past_the_verbs(comms, manager):
    statement = factories.make_statement(
        factories.make_incident(comms),
        comms,
        status=S.APPROVED,
        body=LONG.strip(),
        target_platforms=["instagram"],
    )
    shell_save(statement, target_platforms=["instagram", "x"])
    before = factories.snapshot(statement)

    with pytest.raises(TransitionRefused, match="Too long for X by 69 characters"):
        factories.reload(statement).publish(by=manager)

    assert factories.snapshot(statement) == before
    assert not Publication.objects.exists()
    assert factories.reload(statement.incident).first_acknowledged_at is None


def test_the_author_may_still_publish_their_approved_statement(manager, second_manager):
    # The approval by someone else was the second pair of eyes.
    statement = factories.make_statement(
        factories.make_incident(manager), manager, status=S.APPROVED
    )

    statement.publish(by=manager)

    stored = factories.reload(statement)
    assert (stored.status, stored.published_by) == (S.PUBLISHED, manager)


def test_word_diff_marks_removed_and_added_words():
    assert word_diff("We are sorry for the delay.", "We are truly sorry for the long delay.") == [
        Segment("equal", "We are "),
        Segment("insert", "truly "),
        Segment("equal", "sorry for the "),
        Segment("insert", "long "),
        Segment("equal", "delay."),
    ]
    assert word_diff("Orders ship Monday.", "Orders ship Tuesday.") == [
        Segment("equal", "Orders ship "),
        Segment("delete", "Monday."),
        Segment("insert", "Tuesday."),
    ]
    assert word_diff("Same.", "Same.") == [Segment("equal", "Same.")]


# The public page


def test_opening_the_public_page_makes_a_token_once_and_keeps_it(comms, manager):
    incident = factories.make_incident(comms)

    incident.open_public_page(by=manager)
    token = factories.reload(incident).public_token
    incident.close_public_page(by=manager)
    incident.open_public_page(by=manager)

    stored = factories.reload(incident)
    assert len(token) >= 32
    assert (stored.public_token, stored.is_public_page_open) == (token, True)
    reasons = [r.history_change_reason for r in incident.history.all()[:3]]
    assert reasons == ["Public page opened", "Public page closed", "Public page opened"]
    assert incident.history.first().history_user == manager


def test_only_a_manager_opens_the_public_page(comms):
    incident = factories.make_incident(comms)

    with pytest.raises(TransitionRefused, match="Only a manager"):
        incident.open_public_page(by=comms)

    stored = factories.reload(incident)
    assert (stored.public_token, stored.is_public_page_open) == (None, False)


def test_a_published_statement_and_its_publications_are_never_deleted(comms):
    statement = statement_in(S.PUBLISHED, comms)

    with pytest.raises(TransitionRefused, match="never deleted"):
        statement.delete()
    with pytest.raises(TransitionRefused, match="never deleted"):
        statement.publications.first().delete()

    assert Publication.objects.filter(statement=statement).count() == len(
        statement.target_platforms
    )


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_it_refuses_review_by_a_manager_who_reworded_the_statement(action, comms, manager):
    statement = statement_in(S.DRAFT, comms)
    edit(statement, manager, body="We are sorry: some orders are late. Update by 18:00.")
    statement = factories.reload(statement)
    statement.submit(by=comms)
    before = factories.snapshot(statement)

    with pytest.raises(TransitionRefused, match="You changed this statement’s wording"):
        do(statement, action, by=manager)

    assert factories.snapshot(statement) == before
    assert [a for a, _ in statement.allowed_moves(manager, statement.writers())] == ["withdraw"]


def test_a_manager_who_only_submitted_may_still_review(comms, manager, second_manager):
    statement = statement_in(S.DRAFT, comms)
    statement.submit(by=second_manager)

    assert statement.writers() == set()
    statement.approve(by=manager)
    assert factories.reload(statement).status == S.APPROVED
