"""A variant published while its core is being changed: the edit holds the core's row, the
publication waits for it and then sees the change, and is refused (on SQLite and PostgreSQL).
And two approvers or two publishers at once: one outcome (tests/races.py)."""

import threading

import pytest
from django.db import connections, transaction

from audiences.models import Variant
from crisis.lifecycle import TransitionRefused
from responses.models import Statement
from tests import factories
from tests.races import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def approved_variant():
    comms = factories.make_comms("writer")
    core = factories.make_statement(
        factories.make_incident(comms), comms, status=Statement.Status.APPROVED
    )
    variant = factories.make_variant(core, comms, audience_name="Press")
    variant.approve(by=factories.make_manager("approver"))
    return variant


def test_a_variant_published_after_its_core_changed_is_refused(approved_variant):
    core = approved_variant.core
    editor, publisher = factories.make_comms("editor"), factories.make_manager("publisher")
    edited, release = threading.Event(), threading.Event()
    outcome = []

    def edit_core():
        try:
            with transaction.atomic():
                row = Statement.objects.get(pk=core.pk)
                row.body = "The core's new words, saved while the variant goes out."
                row.save_wording(by=editor, expected_version=row.version, fields=["body"])
                edited.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    def publish():
        try:
            Variant.objects.get(pk=approved_variant.pk).publish(by=publisher)
            outcome.append("published")
        except TransitionRefused as refused:
            outcome.append(str(refused))
        finally:
            connections.close_all()

    editing = threading.Thread(target=edit_core)
    editing.start()
    assert edited.wait(timeout=10)
    publishing = threading.Thread(target=publish)
    publishing.start()
    publishing.join(timeout=1)
    # It waits for the edit's transaction (the core's row lock, or SQLite's write lock)...
    assert publishing.is_alive()
    release.set()
    editing.join(timeout=30)
    publishing.join(timeout=30)

    # ...and then reads the edited core: refused, with the reason.
    assert len(outcome) == 1 and outcome[0].startswith("Not published: The core statement was")
    stored = Variant.objects.get(pk=approved_variant.pk)
    assert stored.status == Variant.Status.APPROVED and stored.is_stale


def test_a_publication_and_an_edit_of_the_core_at_once_never_publish_on_a_changed_core(
    approved_variant,
):
    editor, publisher = factories.make_comms("editor"), factories.make_manager("publisher")

    def act(user):
        if user == publisher:
            Variant.objects.get(pk=approved_variant.pk).publish(by=user)
        else:
            row = Statement.objects.get(pk=approved_variant.core_id)
            row.body = "Changed at the same moment."
            row.save_wording(by=user, expected_version=row.version, fields=["body"])

    successes, _refusals = race([editor, publisher], act)

    stored = Variant.objects.get(pk=approved_variant.pk)
    core = Statement.objects.get(pk=approved_variant.core_id)
    if stored.is_published:
        # Published first: the core's edit came after, in its own later transaction.
        edit = core.history.filter(history_change_reason__contains="back to Draft").get()
        assert edit.history_date >= stored.published_at
    else:
        assert successes == [editor] and stored.is_stale


def test_two_managers_publishing_at_once_publish_once(approved_variant):
    managers = [factories.make_manager(f"publisher-{n}") for n in range(2)]

    successes, refusals = race(
        managers, lambda user: Variant.objects.get(pk=approved_variant.pk).publish(by=user)
    )

    assert (len(successes), len(refusals)) == (1, 1)
    stored = Variant.objects.get(pk=approved_variant.pk)
    assert stored.published_by == successes[0]
    assert stored.history.filter(history_change_reason="Published").count() == 1
