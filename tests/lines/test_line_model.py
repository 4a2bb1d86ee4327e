"""The rules of an approved line: who approves, what an edit does, what is offered, and when a
line is past its review date."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crisis.lifecycle import StaleEdit, TransitionRefused
from incidents.models import Incident
from lines.models import ApprovedLine
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_manager_approves_a_line_written_by_someone_else(comms, manager):
    line = factories.make_line(comms)
    assert not line.is_approved

    line.approve(by=manager, version=line.version)

    line.refresh_from_db()
    assert line.approved_by == manager
    assert line.approved_at is not None
    newest = line.history.first()
    assert (newest.history_user, newest.history_change_reason) == (manager, "Approved")


def test_nobody_approves_a_line_they_wrote(manager):
    line = factories.make_line(manager, owner=factories.make_comms("owner"))

    with pytest.raises(TransitionRefused, match="Nobody approves their own line"):
        line.approve(by=manager, version=line.version)
    line.refresh_from_db()
    assert not line.is_approved


def test_nobody_approves_a_line_they_own(comms, manager):
    line = factories.make_line(comms, owner=manager)

    with pytest.raises(TransitionRefused, match="Nobody approves their own line"):
        line.approve(by=manager, version=line.version)
    assert not ApprovedLine.objects.get().is_approved


def test_comms_may_not_approve(comms):
    line = factories.make_line(factories.make_comms("writer"))

    with pytest.raises(TransitionRefused, match="Only a manager"):
        line.approve(by=comms, version=line.version)


def test_an_approval_of_a_wording_since_changed_is_refused(comms, manager):
    line = factories.make_line(comms)
    opened = line.version
    line.text = "New words"
    line.save_wording(by=comms, expected_version=opened, fields=["text"])

    with pytest.raises(TransitionRefused, match="changed after you opened it"):
        line.approve(by=manager, version=opened)
    assert not ApprovedLine.objects.get().is_approved


def test_approving_twice_is_refused(comms, manager):
    line = factories.make_line(comms, approved_by=manager)
    other = factories.make_manager("other-manager")

    with pytest.raises(TransitionRefused, match="already approved"):
        line.approve(by=other, version=line.version)
    assert ApprovedLine.objects.get().approved_by == manager


def test_an_edit_of_the_wording_clears_the_approval(comms, manager):
    line = factories.make_line(comms, approved_by=manager)
    editor = factories.make_comms("editor")

    line.text = "We are sorry. Orders ship again from Monday."
    line.save_wording(by=editor, expected_version=line.version, fields=["text"])

    line.refresh_from_db()
    assert not line.is_approved and line.approved_by is None
    # The new wording is the editor's: they may not approve it, the first writer's manager may.
    assert line.worded_by == editor
    assert line.history.first().history_change_reason == "Wording edited: approval cleared"


def test_an_edit_of_the_owner_or_date_keeps_the_approval(comms, manager):
    line = factories.make_line(comms, approved_by=manager)

    line.review_by = datetime.date(2099, 6, 1)
    line.save_wording(by=comms, expected_version=line.version, fields=["review_by", "text"])

    line.refresh_from_db()
    assert line.approved_by == manager
    assert line.worded_by == comms


def test_a_stale_edit_is_refused(comms):
    line = factories.make_line(comms)
    theirs = ApprovedLine.objects.get()
    theirs.text = "Their words"
    theirs.save_wording(
        by=factories.make_comms("other"), expected_version=theirs.version, fields=["text"]
    )

    line.text = "My words"
    with pytest.raises(StaleEdit):
        line.save_wording(by=comms, expected_version=line.version, fields=["text"])
    assert ApprovedLine.objects.get().text == "Their words"


def test_an_answer_needs_its_question(comms):
    with pytest.raises(ValidationError) as refused:
        factories.make_line(comms, kind=ApprovedLine.Kind.ANSWER, question=" ")
    assert "question" in refused.value.message_dict
    line = factories.make_line(comms)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovedLine.objects.filter(pk=line.pk).update(kind=ApprovedLine.Kind.ANSWER)


def test_a_viewer_may_not_write_a_line(viewer):
    with pytest.raises(TransitionRefused):
        factories.make_line(viewer)
    assert not ApprovedLine.objects.exists()


def test_only_its_owner_or_a_manager_retires_a_line(comms, manager):
    line = factories.make_line(comms)
    other = factories.make_comms("other")

    with pytest.raises(TransitionRefused, match="owner or a manager"):
        line.retire(by=other, version=line.version)
    line.retire(by=comms, version=line.version)

    line.refresh_from_db()
    assert line.is_retired
    with pytest.raises(TransitionRefused, match="already retired"):
        line.retire(by=manager, version=line.version)
    with pytest.raises(TransitionRefused, match="retired"):
        line.approve(by=manager, version=line.version)
    line.text = "Back again"
    with pytest.raises(TransitionRefused, match="retired"):
        line.save_wording(by=comms, expected_version=line.version, fields=["text"])


def test_a_line_is_past_review_the_day_after_its_date(comms):
    line = factories.make_line(comms, review_by=datetime.date(2026, 3, 14))

    assert not line.is_past_review(datetime.date(2026, 3, 14))
    assert line.is_past_review(datetime.date(2026, 3, 15))
    with time_machine.travel(datetime.datetime(2026, 3, 16, 12, tzinfo=datetime.UTC)):
        assert line.is_past_review()
    with time_machine.travel(datetime.datetime(2026, 3, 13, 12, tzinfo=datetime.UTC)):
        assert not line.is_past_review()


def test_drafting_is_offered_approved_current_lines_of_its_category_and_any(comms, manager):
    C = Incident.Category
    ours = factories.make_line(comms, category=C.DATA_BREACH, approved_by=manager)
    anywhere = factories.make_line(comms, category="any", approved_by=manager)
    factories.make_line(comms, category=C.DATA_BREACH)  # not approved
    factories.make_line(comms, category=C.OTHER, approved_by=manager)  # another category
    retired = factories.make_line(comms, category=C.DATA_BREACH, approved_by=manager)
    retired.retire(by=manager, version=retired.version)

    offered = set(ApprovedLine.objects.offered_for(C.DATA_BREACH))

    assert offered == {ours, anywhere}
