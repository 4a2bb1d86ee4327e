"""The post-mortem's rules: drafts, the one way to Closed (submitting it), every gate, reopening
and the frozen guard, and its history."""

from datetime import UTC, datetime

import pytest
import time_machine

from crisis import panels
from crisis.lifecycle import FrozenRecord, StaleEdit, TransitionRefused
from incidents.models import Incident, PostMortem
from incidents.models.postmortem import (
    CLOSED_REASON,
    DRAFT_SAVED,
    REOPENED,
    SUBMITTED,
    TEXT_FIELDS,
    CloseRefused,
)
from responses.models import ActionItem, ProgressUpdate, Statement
from tests import factories

S = Incident.Status
SUBMITTED_AT = datetime(2026, 3, 20, 16, 30, tzinfo=UTC)


@pytest.fixture
def resolved(comms):
    return factories.make_incident(comms, status=S.RESOLVED)


def written(incident, **overrides):
    """An unsaved post-mortem holding the complete text, as a form would hand it over."""
    return PostMortem(incident=incident, **{**factories.POSTMORTEM_TEXT, **overrides})


def test_submitting_a_complete_postmortem_closes_the_resolved_incident(resolved, manager):
    with time_machine.travel(SUBMITTED_AT, tick=False):
        written(resolved).submit(by=manager)

    incident = factories.reload(resolved)
    assert (incident.status, incident.closed_at) == (S.CLOSED, SUBMITTED_AT)
    last = incident.history.order_by("-history_id").first()
    assert (last.history_change_reason, last.history_user) == (CLOSED_REASON, manager)
    stored = PostMortem.objects.get(incident=resolved)
    assert (stored.completed_by, stored.completed_at, stored.needs_review) == (
        manager,
        SUBMITTED_AT,
        False,
    )
    assert stored.root_cause == factories.POSTMORTEM_TEXT["root_cause"]
    assert stored.is_complete


def test_the_incident_has_no_close_verb_and_no_button_closes_it(resolved, manager):
    assert not hasattr(resolved, "close")
    assert "close" not in Incident.BUTTON_MOVES
    with pytest.raises(TransitionRefused):
        resolved.move("close", by=manager)
    assert factories.reload(resolved).status == S.RESOLVED


def test_a_draft_is_saved_without_closing_and_keeps_its_history(resolved, comms, manager):
    draft = written(resolved, lessons_learned="", follow_up="")
    draft.save_draft(by=comms)
    draft.lessons_learned = "Tell support first."
    draft.save_draft(by=manager, expected_version=1)

    stored = PostMortem.objects.get(incident=resolved)
    assert stored.version == 2
    assert stored.lessons_learned == "Tell support first."
    assert stored.completed_at is None
    assert factories.reload(resolved).status == S.RESOLVED
    rows = list(stored.history.order_by("history_id"))
    assert [(r.history_user, r.history_change_reason) for r in rows] == [
        (comms, DRAFT_SAVED),
        (manager, DRAFT_SAVED),
    ]
    assert [r.lessons_learned for r in rows] == ["", "Tell support first."]


def test_the_history_records_the_submission(resolved, comms, manager):
    factories.make_postmortem(resolved, by=comms, follow_up="")
    postmortem = PostMortem.objects.get(incident=resolved)
    postmortem.follow_up = "Weekly carrier check."
    postmortem.submit(by=manager, expected_version=1)

    row = postmortem.history.first()
    assert (row.history_user, row.history_change_reason) == (manager, SUBMITTED)
    assert row.follow_up == "Weekly carrier check."
    assert row.completed_by_id == manager.pk


def test_a_viewer_may_not_write_a_postmortem(resolved, viewer):
    with pytest.raises(TransitionRefused, match="may not write"):
        written(resolved).save_draft(by=viewer)
    assert not PostMortem.objects.exists()


def test_comms_may_write_but_not_submit(resolved, comms):
    written(resolved).save_draft(by=comms)

    with pytest.raises(TransitionRefused, match="only a manager may"):
        written(resolved).submit(by=comms, expected_version=1)

    assert factories.reload(resolved).status == S.RESOLVED
    assert PostMortem.objects.get().completed_at is None


def test_a_stale_draft_is_refused_with_the_version_saved_meanwhile(resolved, comms, manager):
    written(resolved, summary="First words").save_draft(by=comms)
    elsewhere = PostMortem.objects.get()
    elsewhere.summary = "Someone else's words"
    elsewhere.save_draft(by=manager, expected_version=1)

    with pytest.raises(StaleEdit) as stale:
        written(resolved, summary="Mine").save_draft(by=comms, expected_version=1)

    assert stale.value.current.summary == "Someone else's words"
    assert PostMortem.objects.get().summary == "Someone else's words"


def test_a_first_draft_sent_twice_is_saved_once(resolved, comms):
    written(resolved).save_draft(by=comms)
    written(resolved).save_draft(by=comms)  # the same form, sent again

    assert PostMortem.objects.count() == 1
    assert PostMortem.objects.get().history.count() == 1


# The gates: each refusal names what is unmet, links to it, and changes nothing.


def refusals_of(incident, manager, **overrides):
    postmortem = written(incident, **overrides)
    before = factories.snapshot(incident)
    with pytest.raises(CloseRefused) as refused:
        postmortem.submit(by=manager)
    assert factories.snapshot(incident) == before
    assert not PostMortem.objects.filter(incident=incident, completed_at__isnull=False).exists()
    return refused.value.refusals


@pytest.mark.parametrize("status", ["open", "in_progress"])
def test_an_unfinished_rectify_item_keeps_the_incident_open(status, resolved, comms, manager):
    item = factories.make_action_item(resolved, title="Refund the late orders")
    if status == "in_progress":
        item.start(by=comms)

    refusals = refusals_of(resolved, manager)

    label = "open" if status == "open" else "in progress"
    assert refusals == [
        panels.Refusal(
            f"Rectify item “Refund the late orders” is {label}: mark it done or drop it with a "
            "reason.",
            f"/incidents/{resolved.reference}/#item-{item.pk}",
        )
    ]


def test_finished_rectify_items_and_open_prevent_items_do_not_block(resolved, comms, manager):
    done = factories.make_action_item(resolved, title="Refund")
    done.complete(by=comms)
    dropped = factories.make_action_item(resolved, title="Call everyone")
    dropped.drop(by=comms, reason="Mail was enough")
    factories.make_action_item(resolved, title="Carrier check", kind=ActionItem.Kind.PREVENT)

    written(resolved).submit(by=manager)

    assert factories.reload(resolved).status == S.CLOSED


@pytest.mark.parametrize(
    ("status", "label"), [(Statement.Status.IN_REVIEW, "in review"), ("approved", "approved")]
)
def test_a_statement_waiting_keeps_the_incident_open(status, label, comms, manager):
    incident = factories.make_incident(comms, status=S.RESPONDING)
    statement = factories.make_statement(incident, comms, status=status)
    incident.resolve(by=comms)

    refusals = refusals_of(incident, manager)

    assert refusals == [
        panels.Refusal(
            f"Holding statement #{statement.pk} is {label}: publish it or withdraw it.",
            f"/statements/{statement.pk}/",
        )
    ]


def test_published_withdrawn_and_draft_statements_do_not_block(comms, manager):
    incident = factories.make_incident(comms, status=S.RESPONDING)
    factories.make_statement(incident, comms, status=Statement.Status.PUBLISHED)
    factories.make_statement(incident, comms, status=Statement.Status.WITHDRAWN)
    factories.make_statement(incident, comms)
    incident.resolve(by=comms)

    written(incident).submit(by=manager)

    assert factories.reload(incident).status == S.CLOSED


def test_a_public_update_waiting_for_publication_keeps_the_incident_open(comms, manager):
    incident = factories.make_incident(comms, status=S.RESPONDING)
    update = factories.make_update(incident, kind=ProgressUpdate.Kind.PUBLIC)
    factories.make_update(incident)  # internal: posted at once, never waits
    incident.resolve(by=comms)

    refusals = refusals_of(incident, manager)

    assert len(refusals) == 1
    assert refusals[0].message.startswith("A public update drafted ")
    assert refusals[0].message.endswith("waits to be published: publish it or withdraw it.")
    assert refusals[0].url == f"/incidents/{incident.reference}/#update-{update.pk}"


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_every_empty_field_is_refused(field, resolved, manager):
    refusals = refusals_of(resolved, manager, **{field: "  \n "})

    label = PostMortem._meta.get_field(field).verbose_name
    assert refusals == [
        panels.Refusal(
            f"Fill in “{label}”.", f"/incidents/{resolved.reference}/postmortem/#id_{field}", field
        )
    ]


@pytest.mark.parametrize("status", [S.TRIAGE, S.RESPONDING, S.MONITORING])
def test_only_a_resolved_incident_closes(status, comms, manager):
    incident = factories.make_incident(comms, status=status)

    refusals = refusals_of(incident, manager)

    assert [r.message for r in refusals] == [
        f"“Close” is not possible while the incident is {status.label}: only a resolved "
        "incident closes with its post-mortem. Mark it resolved first."
    ]


def test_every_unmet_condition_is_listed_at_once(comms, manager):
    incident = factories.make_incident(comms, status=S.RESPONDING)
    factories.make_statement(incident, comms, status=Statement.Status.IN_REVIEW)
    factories.make_update(incident, kind=ProgressUpdate.Kind.PUBLIC)
    factories.make_action_item(incident)
    incident.resolve(by=comms)

    refusals = refusals_of(incident, manager, root_cause="", follow_up="")

    assert [r.message.split(" ")[0] for r in refusals] == [
        "Fill",
        "Fill",
        "Rectify",
        "Holding",
        "A",
    ]
    assert all(r.url for r in refusals)


def test_a_second_submission_is_told_the_incident_is_already_closed(resolved, manager):
    factories.close_with_postmortem(resolved, by=manager)
    other = factories.make_manager("other-manager")
    before = factories.snapshot(PostMortem.objects.get())

    with pytest.raises(CloseRefused) as refused:
        written(resolved, summary="Late words").submit(by=other, expected_version=2)

    assert str(refused.value).startswith("“Close” is not possible: the incident is already closed.")
    assert "Manager Tester submitted the post-mortem" in str(refused.value)
    assert factories.snapshot(PostMortem.objects.get()) == before


# Reopening, and the frozen guard


def test_a_closed_incidents_postmortem_is_frozen(resolved, manager):
    factories.close_with_postmortem(resolved, by=manager)
    postmortem = PostMortem.objects.get()
    postmortem.summary = "Rewritten after the fact"

    with pytest.raises(FrozenRecord):
        postmortem.save_draft(by=manager, expected_version=postmortem.version)
    with pytest.raises(FrozenRecord):
        postmortem.save()
    assert PostMortem.objects.get().summary == factories.POSTMORTEM_TEXT["summary"]


def test_reopening_marks_the_postmortem_for_review_and_closing_again_takes_a_submission(
    resolved, manager
):
    factories.close_with_postmortem(resolved, by=manager)
    first = PostMortem.objects.get()
    incident = factories.reload(resolved)

    incident.reopen(by=manager, reason="A second wave of complaints")

    postmortem = PostMortem.objects.get()
    assert postmortem.needs_review is True
    assert postmortem.is_complete is False
    assert postmortem.completed_at == first.completed_at  # the record of the first submission
    assert postmortem.history.first().history_change_reason == REOPENED
    incident = factories.reload(resolved)
    assert incident.status == S.RESPONDING
    incident.resolve(by=manager)

    # Resolving again does not close it: only submitting the post-mortem again does.
    assert factories.reload(resolved).status == S.RESOLVED
    postmortem.went_wrong += "\nThe fix did not hold the first time."
    postmortem.submit(by=manager, expected_version=postmortem.version)

    closed = factories.reload(resolved)
    assert closed.status == S.CLOSED
    again = PostMortem.objects.get()
    assert again.needs_review is False
    assert again.went_wrong.endswith("The fix did not hold the first time.")


def test_reopening_a_cancelled_incident_without_a_postmortem_is_untouched(comms, manager):
    incident = factories.make_incident(comms, status=S.CANCELLED)

    incident.reopen(by=manager, reason="Not a false alarm after all")

    assert factories.reload(incident).status == S.RESPONDING
    assert not PostMortem.objects.exists()
