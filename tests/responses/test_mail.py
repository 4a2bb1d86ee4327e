"""Mail about statements: managers hear of a submission, the author of every decision, and only
once the change is committed."""

import pytest
from django.core import mail
from django.db import transaction

from crisis.lifecycle import TransitionRefused
from crisis.outbound.models import Delivery
from responses.models import Statement
from tests import factories
from tests.outbox import deliver

S = Statement.Status


@pytest.fixture
def author(db):
    return factories.make_comms("author", email="author@example.com")


@pytest.fixture
def statement(author):
    return factories.make_statement(
        factories.make_incident(author, title="Checkout outage"), author, body="We are on it."
    )


def test_managers_hear_when_a_statement_awaits_review(
    author, statement, manager, second_manager, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://crisis.example.com"
    factories.make_manager("no-mail", email="")
    factories.make_manager("gone", email="gone@example.com", is_active=False)
    factories.make_comms("colleague")

    with django_capture_on_commit_callbacks(execute=True):
        statement.submit(by=author)

    assert mail.outbox == []  # the outbox's job sends it, not the request
    deliver()
    # One mail per manager.
    assert sorted(m.to for m in mail.outbox) == [
        ["manager@example.com"],
        ["second-manager@example.com"],
    ]
    message = mail.outbox[0]
    assert message.subject == (
        f"[{statement.incident.reference}] Waiting for your approval: Holding statement"
    )
    assert "We are on it." in message.body
    assert f"https://crisis.example.com/statements/{statement.pk}/" in message.body
    assert "Author Tester submitted a holding statement" in message.body


def test_a_manager_author_is_not_asked_to_review_their_own(
    manager, second_manager, django_capture_on_commit_callbacks
):
    statement = factories.make_statement(factories.make_incident(manager), manager)

    with django_capture_on_commit_callbacks(execute=True):
        statement.submit(by=manager)
    deliver()

    assert [m.to for m in mail.outbox] == [["second-manager@example.com"]]


def test_the_author_hears_of_an_approval(
    author, statement, manager, django_capture_on_commit_callbacks
):
    statement.submit(by=author)
    deliver()
    mail.outbox.clear()  # the managers' review request: not what this test reads

    with django_capture_on_commit_callbacks(execute=True):
        statement.approve(by=manager, comment="Well put.")
    deliver()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["author@example.com"]
    assert message.subject.endswith("Approved: Holding statement")
    assert "Manager Tester approved your holding statement" in message.body
    assert "Well put." in message.body


def test_the_author_hears_of_a_request_for_changes_with_the_comment(
    author, statement, manager, django_capture_on_commit_callbacks
):
    statement.submit(by=author)
    deliver()
    mail.outbox.clear()  # the managers' review request: not what this test reads

    with django_capture_on_commit_callbacks(execute=True):
        statement.request_changes(by=manager, comment="Give a time for the next update.")
    deliver()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["author@example.com"]
    assert message.subject.endswith("Changes requested: Holding statement")
    assert "Give a time for the next update." in message.body


def test_the_author_hears_when_someone_else_publishes_or_withdraws(
    author, manager, django_capture_on_commit_callbacks
):
    incident = factories.make_incident(author)
    approved = factories.make_statement(incident, author, status=S.APPROVED)
    draft = factories.make_statement(incident, author)
    deliver()
    mail.outbox.clear()  # the mails of the walk to Approved: not what this test reads

    with django_capture_on_commit_callbacks(execute=True):
        approved.publish(by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        draft.withdraw(by=manager)
    deliver()

    assert [(m.to, m.subject.split("] ")[1]) for m in mail.outbox] == [
        (["author@example.com"], "Published: Holding statement"),
        (["author@example.com"], "Withdrawn: Holding statement"),
    ]


def test_nobody_is_mailed_about_their_own_withdrawal(
    author, statement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        statement.withdraw(by=author)
    deliver()

    assert mail.outbox == []


def test_mail_waits_for_the_commit(author, statement, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        statement.submit(by=author)

    assert mail.outbox == []
    assert len(callbacks) == 1  # the job, queued once the change commits
    # Recorded in the change's own transaction: nothing lost between the commit and the record.
    assert Delivery.objects.get().recipient == "manager@example.com"


def test_a_change_rolled_back_leaves_nothing_to_send(
    author, statement, manager, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        statement.submit(by=author)
        raise RuntimeError("something after the submission failed")
    deliver()

    assert factories.reload(statement).status == S.DRAFT
    assert not Delivery.objects.exists()
    assert mail.outbox == []


def test_a_refused_move_sends_nothing(
    author, statement, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionRefused):
        statement.approve(by=manager)  # still a draft
    deliver()

    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_a_failing_mail_server_does_not_undo_or_break_the_decision(
    author, statement, manager, client_as, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.responses.test_mail.BrokenBackend"

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(author).post(
            f"/statements/{statement.pk}/submit/", {"version": statement.version}
        )
    with caplog.at_level("WARNING"):
        deliver()

    assert response.status_code == 302
    assert factories.reload(statement).status == S.IN_REVIEW
    # Nothing lost: the mail waits in the outbox, with the reason, for its next attempt.
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 1)
    assert "Could not send mail: SMTP server down" in delivery.last_error
    assert delivery.next_attempt_at > delivery.created_at
    assert "Could not send mail" in caplog.text


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")
