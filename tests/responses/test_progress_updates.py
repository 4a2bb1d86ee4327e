"""Progress updates (responses.ProgressUpdate): the team's log posted at once, public updates
drafted by Comms and published by a manager who wrote none of them, each promising the next."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from crisis.lifecycle import FrozenRecord, StaleEdit, TransitionRefused
from crisis.outbound.models import Delivery
from crisis.panels import timeline
from incidents.models import Incident
from responses.models import ProgressUpdate
from responses.models.progress_update import BODY_MAX_LENGTH
from tests import factories
from tests.outbox import deliver

S = ProgressUpdate.Status
K = ProgressUpdate.Kind
NOW = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def at_nine():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def author(db):
    # Not one of the personas, so the manager and admin may publish what it wrote.
    return factories.make_comms("author", email="author@example.com")


@pytest.fixture
def incident(author):
    return factories.make_incident(author, severity=Incident.Severity.MAJOR)


def draft(incident, by, **fields):
    return factories.make_update(incident, by, kind=K.PUBLIC, **fields)


# Posting and drafting.


def test_an_internal_update_is_posted_at_once_with_its_author_in_history(incident, author):
    update = ProgressUpdate.post_internal(
        incident=incident, by=author, body="  Legal has the customer list.\r\nNext: support.  "
    )

    update = factories.reload(update)
    assert (update.kind, update.status, update.author) == (K.INTERNAL, S.POSTED, author)
    assert update.body == "Legal has the customer list.\nNext: support."
    assert update.created_at == NOW and update.next_update_at is None
    row = update.history.get()
    assert (row.history_user, row.history_change_reason) == (author, "Posted")


def test_a_public_update_is_drafted_promising_the_next_after_the_severitys_cadence(
    incident, author
):
    update = ProgressUpdate.draft_public(incident=incident, by=author, body="Orders ship today.")

    update = factories.reload(update)
    assert (update.kind, update.status, update.author) == (K.PUBLIC, S.DRAFT, author)
    # Severity 2 (major): a public update every 2 hours.
    assert update.next_update_at == NOW + timedelta(hours=2)
    assert update.history.get().history_change_reason == "Drafted for publication"


def test_a_drafted_update_keeps_the_promise_it_was_given(incident, author):
    promise = NOW + timedelta(minutes=45)

    update = draft(incident, author, next_update_at=promise)

    assert factories.reload(update).next_update_at == promise


@pytest.mark.parametrize("body", ["", "   \n\t  ", None])
@pytest.mark.parametrize("verb", ["post_internal", "draft_public"])
def test_an_empty_update_is_refused(verb, body, incident, author):
    with pytest.raises(TransitionRefused, match="Write the update first"):
        getattr(ProgressUpdate, verb)(incident=incident, by=author, body=body)

    assert not ProgressUpdate.objects.exists()


def test_an_update_with_a_nul_character_or_too_long_is_refused(incident, author):
    with pytest.raises(TransitionRefused, match="NUL character"):
        ProgressUpdate.post_internal(incident=incident, by=author, body="a\x00b")
    with pytest.raises(TransitionRefused, match="Keep an update to 5,000 characters"):
        ProgressUpdate.post_internal(incident=incident, by=author, body="x" * 5001)

    ProgressUpdate.post_internal(incident=incident, by=author, body="x" * BODY_MAX_LENGTH)
    assert ProgressUpdate.objects.count() == 1


@pytest.mark.parametrize("promise", [NOW - timedelta(minutes=1), NOW])
def test_a_promise_that_is_not_still_to_come_is_refused(promise, incident, author):
    with pytest.raises(TransitionRefused, match="already passed .it is now 2 May 2031, 09:00"):
        draft(incident, author, next_update_at=promise)

    assert not ProgressUpdate.objects.exists()


def test_a_viewer_may_neither_post_nor_draft(incident, viewer):
    with pytest.raises(TransitionRefused, match="Only Comms or a manager may post"):
        ProgressUpdate.post_internal(incident=incident, by=viewer, body="Hello")
    with pytest.raises(TransitionRefused, match="Only Comms or a manager may draft"):
        ProgressUpdate.draft_public(incident=incident, by=viewer, body="Hello")

    assert not ProgressUpdate.objects.exists()


# Publishing: a manager who wrote none of it.


def test_a_manager_publishes_a_draft_written_by_comms(incident, author, manager):
    update = draft(incident, author)

    update.publish(by=manager)

    update = factories.reload(update)
    assert (update.status, update.published_at, update.published_by) == (S.PUBLISHED, NOW, manager)
    assert update.next_update_at == NOW + timedelta(hours=2)
    row = update.history.first()
    assert (row.history_user, row.history_change_reason) == (manager, "Published")


def test_the_publisher_may_promise_another_time(incident, author, manager):
    update = draft(incident, author)

    update.publish(by=manager, next_update_at=NOW + timedelta(minutes=30))

    assert factories.reload(update).next_update_at == NOW + timedelta(minutes=30)


def test_publishing_refuses_a_promise_in_the_past(incident, author, manager, at_nine):
    update = draft(incident, author, next_update_at=NOW + timedelta(minutes=30))
    at_nine.move_to(NOW + timedelta(hours=1))

    with pytest.raises(TransitionRefused, match="already passed"):
        update.publish(by=manager)
    with pytest.raises(TransitionRefused, match="already passed"):
        update.publish(by=manager, next_update_at=NOW)

    assert factories.reload(update).status == S.DRAFT
    update.publish(by=manager, next_update_at=NOW + timedelta(hours=2))
    assert factories.reload(update).status == S.PUBLISHED


def test_comms_may_not_publish(incident, author, comms):
    update = draft(incident, author)

    with pytest.raises(TransitionRefused, match="Only a manager may publish a public update."):
        update.publish(by=comms)

    assert factories.reload(update).status == S.DRAFT


def test_a_manager_may_not_publish_their_own_update(incident, manager, second_manager):
    update = draft(incident, manager)

    with pytest.raises(TransitionRefused, match="You wrote this update, so another manager"):
        update.publish(by=manager)

    assert factories.reload(update).status == S.DRAFT
    update.publish(by=second_manager)
    assert factories.reload(update).published_by == second_manager


def test_a_manager_who_changed_the_text_may_not_publish_it(incident, author, manager):
    update = draft(incident, author)
    update.body = "Orders ship today; refunds tomorrow."
    update.save_draft(by=manager, expected_version=update.version, fields=["body"])

    assert update.publish_refusal(manager) == (
        "You changed this update's text, so another manager must publish it."
    )
    with pytest.raises(TransitionRefused, match="You changed this update's text"):
        update.publish(by=manager)


def test_a_manager_who_changed_only_the_promise_may_still_publish(incident, author, manager):
    update = draft(incident, author)
    update.next_update_at = NOW + timedelta(hours=1)
    update.save_draft(by=manager, expected_version=update.version, fields=["next_update_at"])

    update.publish(by=manager)

    assert factories.reload(update).status == S.PUBLISHED


def test_publishing_text_that_changed_since_it_was_read_is_refused(incident, author, manager):
    update = draft(incident, author)
    read = update.version
    update.body = "A different text."
    update.save_draft(by=author, expected_version=read, fields=["body"])

    with pytest.raises(TransitionRefused, match="changed after you opened it"):
        update.publish(by=manager, version=read)

    assert factories.reload(update).status == S.DRAFT


def test_an_internal_update_is_never_published_nor_withdrawn(incident, author, manager):
    update = factories.make_update(incident, author)

    assert update.publish_refusal(manager).startswith("An internal update stays")
    with pytest.raises(TransitionRefused):
        update.publish(by=manager)
    with pytest.raises(TransitionRefused):
        update.withdraw(by=author)

    assert factories.reload(update).status == S.POSTED


def test_a_published_update_is_not_published_twice_nor_edited(incident, author, manager):
    update = draft(incident, author, status=S.PUBLISHED)

    with pytest.raises(TransitionRefused, match="not possible while the progress update is Pub"):
        update.publish(by=manager)
    update.body = "Rewritten after the fact."
    with pytest.raises(TransitionRefused, match="A published public update cannot be edited"):
        update.save_draft(by=author, expected_version=update.version, fields=["body"])

    assert factories.reload(update).body == "Support has a script for calls about late orders."


# Withdrawing and editing.


def test_a_draft_is_withdrawn_and_then_cannot_be_published(incident, author, manager):
    update = draft(incident, author)

    update.withdraw(by=author, reason="Superseded by the statement")

    update = factories.reload(update)
    assert (update.status, update.withdrawn_at) == (S.WITHDRAWN, NOW)
    assert update.history.first().history_change_reason == (
        "Withdrawn: Superseded by the statement"
    )
    with pytest.raises(TransitionRefused):
        update.publish(by=manager)


def test_an_edit_from_a_stale_form_is_refused(incident, author, comms):
    update = draft(incident, author)
    opened = update.version
    mine = factories.reload(update)
    update.body = "Saved first."
    update.save_draft(by=author, expected_version=opened, fields=["body"])

    mine.body = "Saved second."
    with pytest.raises(StaleEdit) as stale:
        mine.save_draft(by=comms, expected_version=opened, fields=["body"])

    assert stale.value.current.body == "Saved first."
    assert factories.reload(update).body == "Saved first."


def test_an_edit_may_not_empty_the_text_nor_promise_the_past(incident, author):
    update = draft(incident, author)
    update.body = "  "
    with pytest.raises(TransitionRefused, match="Write the update first"):
        update.save_draft(by=author, expected_version=update.version, fields=["body"])

    update = factories.reload(update)
    update.next_update_at = NOW - timedelta(minutes=5)
    with pytest.raises(TransitionRefused, match="already passed"):
        update.save_draft(by=author, expected_version=update.version, fields=["next_update_at"])

    assert factories.reload(update).version == 1


# The frozen incident.


@pytest.mark.parametrize("status", [Incident.Status.CLOSED, Incident.Status.CANCELLED])
def test_nothing_changes_on_a_frozen_incident(status, incident, author, manager):
    waiting = draft(incident, author)
    second = draft(incident, author)
    factories.walk_to(incident, status)
    before = [factories.snapshot(waiting), factories.snapshot(second)]

    with pytest.raises(FrozenRecord):
        ProgressUpdate.post_internal(incident=incident, by=author, body="Still here")
    with pytest.raises(FrozenRecord):
        ProgressUpdate.draft_public(incident=incident, by=author, body="Still here")
    with pytest.raises(FrozenRecord):
        waiting.publish(by=manager)
    with pytest.raises(FrozenRecord):
        waiting.withdraw(by=author)
    second.body = "Edited while frozen"
    with pytest.raises(FrozenRecord):
        second.save_draft(by=author, expected_version=second.version, fields=["body"])

    assert ProgressUpdate.objects.count() == 2
    assert [factories.snapshot(waiting), factories.snapshot(second)] == before
    assert waiting.publish_refusal(manager) == (
        "The incident is frozen: its updates are no longer published."
    )


# Who hears of a draft, and who is asked to publish it.


def test_the_managers_who_may_publish_hear_of_a_draft(
    incident, author, manager, second_manager, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://crisis.example.com"
    factories.make_manager("no-mail", email="")
    factories.make_manager("gone", email="gone@example.com", is_active=False)
    factories.make_comms("colleague")

    with django_capture_on_commit_callbacks(execute=True):
        update = draft(incident, author, body="Refunds go out on Monday.")
    deliver()

    # One mail per manager.
    assert sorted(m.to for m in mail.outbox) == [
        ["manager@example.com"],
        ["second-manager@example.com"],
    ]
    message = mail.outbox[0]
    assert message.subject == f"[{incident.reference}] Waiting for publication: public update"
    assert "Author Tester drafted a public update" in message.body
    assert "Refunds go out on Monday." in message.body
    assert "It promises the next update by 2 May 2031, 11:00 UTC." in message.body
    assert f"https://crisis.example.com/incidents/{incident.reference}/#update-{update.pk}" in (
        message.body
    )


def test_a_manager_who_drafts_is_not_asked_to_publish_their_own(
    incident, manager, second_manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft(incident, manager)
    deliver()

    assert [m.to for m in mail.outbox] == [["second-manager@example.com"]]


def test_an_internal_update_or_a_refused_draft_mails_nobody(
    incident, author, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_update(incident, author)
        with pytest.raises(TransitionRefused):
            draft(incident, author, next_update_at=NOW)
    deliver()

    assert mail.outbox == []


def test_a_failing_mail_server_does_not_undo_the_draft(
    incident, author, manager, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.responses.test_mail.BrokenBackend"

    with django_capture_on_commit_callbacks(execute=True):
        update = draft(incident, author)
    deliver()

    assert factories.reload(update).status == S.DRAFT
    waiting = Delivery.objects.get()
    assert (waiting.status, waiting.recipient) == (Delivery.Status.PENDING, "manager@example.com")
    assert "SMTP server down" in waiting.last_error


def test_the_waiting_list_holds_only_what_the_user_may_publish(
    author, manager, second_manager, comms
):
    incident = factories.make_incident(author)
    mine = draft(incident, manager, body="Mine")
    theirs = draft(incident, author, body="Theirs")
    touched = draft(incident, author, body="Touched")
    touched.body = "Touched by the manager"
    touched.save_draft(by=manager, expected_version=touched.version, fields=["body"])
    factories.make_update(incident, author, body="Internal")
    draft(incident, author, body="Out", status=S.PUBLISHED)
    draft(incident, author, body="Gone", status=S.WITHDRAWN)
    frozen = factories.make_incident(author, title="Closed")
    draft(frozen, author, body="Frozen")
    factories.walk_to(frozen, Incident.Status.CANCELLED)
    later = draft(incident, author, body="Later")

    assert ProgressUpdate.objects.awaiting_publication_by(manager) == [theirs, later]
    assert ProgressUpdate.objects.awaiting_publication_by(second_manager) == [
        mine,
        theirs,
        touched,
        later,
    ]
    assert ProgressUpdate.objects.awaiting_publication_by(comms) == []


# The timeline.


def test_the_timeline_tells_each_update_posted_drafted_published_and_withdrawn(
    rf, incident, author, manager, at_nine
):
    factories.make_update(incident, author, body="Log line")
    at_nine.shift(timedelta(minutes=1))
    update = draft(incident, author)
    at_nine.shift(timedelta(minutes=1))
    update.publish(by=manager)
    at_nine.shift(timedelta(minutes=1))
    draft(incident, author, status=S.WITHDRAWN)
    request = rf.get("/")
    request.user = manager

    entries = [
        (e.reason, e.subject, e.by)
        for e in timeline(request, incident)
        if e.subject.endswith(" update")
    ]

    assert entries == [
        ("Posted", "Internal update", author),
        ("Drafted for publication", "Public update", author),
        ("Published", "Public update", manager),
        ("Drafted for publication", "Public update", author),
        ("Withdrawn", "Public update", author),
    ]
