"""The statement's wording: an approval belongs to the exact words reviewed, and every body fits
its platforms (length limits and word diffs)."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from crisis.lifecycle import StaleEdit, TransitionRefused
from responses.diff import Segment, word_diff
from responses.lengths import LENGTH_LIMITS, length_errors
from responses.models import Publication, Review, Statement
from tests import factories

S = Statement.Status
# After the real clock, so that rows made by factories sort before the ones under test.
NOW = datetime(2031, 3, 14, 10, 15, tzinfo=UTC)
LATER = datetime(2031, 3, 14, 10, 40, tzinfo=UTC)


def statement_in(status, author):
    return factories.make_statement(factories.make_incident(author), author, status=status)


# Editing: an approval belongs to the exact wording reviewed.


def edit(statement, by, **fields):
    form_copy = factories.reload(statement)
    for name, value in fields.items():
        setattr(form_copy, name, value)
    return form_copy.save_wording(
        by=by, expected_version=form_copy.version, fields=["kind", "body", "target_platforms"]
    )


def test_approving_words_that_changed_since_they_were_read_is_refused(comms, manager):
    statement = statement_in(S.IN_REVIEW, comms)
    read = statement.version
    edit(statement, comms, body="Different words, submitted again at once.")
    factories.reload(statement).submit(by=comms)

    with pytest.raises(TransitionRefused, match="changed after you opened it"):
        statement.approve(by=manager, version=read)

    assert factories.reload(statement).status == S.IN_REVIEW
    assert not Review.objects.exists()


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
        "mastodon": 500,
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
