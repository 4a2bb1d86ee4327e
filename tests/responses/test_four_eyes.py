"""The four-eyes rule (responses.models.four_eyes), once for both records that have a second pair
of eyes: a statement's reviewer and a public update's publisher wrote none of the words."""

import pytest
from django.contrib.auth.models import Permission

from responses.models import ProgressUpdate, Statement
from tests import factories


@pytest.fixture
def second(db):
    return factories.make_manager("second-manager")


def _statement(author, rewriter):
    """A statement by ``author`` whose body ``rewriter`` changed, in review."""
    statement = factories.make_statement(factories.make_incident(author), author)
    copy = factories.reload(statement)
    copy.body = "We are sorry: some orders are late. We will update you here by 18:00."
    copy.save_wording(by=rewriter, expected_version=copy.version, fields=["body"])
    copy.submit(by=author)
    return factories.reload(copy)


def _update(author, rewriter):
    """A public draft by ``author`` whose text ``rewriter`` changed."""
    update = factories.make_update(factories.make_incident(author), author, kind="public")
    copy = factories.reload(update)
    copy.body = "Support now answers calls about late orders until 22:00."
    copy.save_draft(by=rewriter, expected_version=copy.version, fields=["body"])
    return factories.reload(copy)


@pytest.fixture(params=["statement", "update"])
def record(request, comms, manager):
    """Each record with a second pair of eyes, written by Comms and rewritten by ``manager``."""
    make = {"statement": _statement, "update": _update}[request.param]
    return make(comms, manager)


def test_it_names_the_author_and_every_writer(record, comms, manager, second):
    assert [record.share_in_writing(u) for u in (comms, manager, second)] == [
        "author",
        "contributor",
        "",
    ]
    assert record.writers() == {manager.pk}
    assert type(record).objects.filter(pk=record.pk).writers() == {record.pk: {manager.pk}}


def test_it_accepts_a_holder_of_the_permission_who_wrote_none_of_it(record, second):
    assert record.four_eyes_refusal(second) == ""


def test_it_refuses_the_author(record, comms):
    # Comms lacks the permission; an author who holds it is refused as the author.
    app_label, codename = record.SECOND_EYES_PERMISSION.split(".")
    comms.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    comms = factories.reload(comms)
    assert record.four_eyes_refusal(comms) == record.FOUR_EYES_REFUSALS["author"]
    assert "You wrote this" in record.FOUR_EYES_REFUSALS["author"]


def test_it_refuses_a_manager_who_changed_the_words(record, manager):
    assert record.four_eyes_refusal(manager) == record.FOUR_EYES_REFUSALS["contributor"]
    assert "You changed" in record.FOUR_EYES_REFUSALS["contributor"]


def test_it_refuses_whoever_lacks_the_permission(record, viewer):
    assert record.four_eyes_refusal(viewer) == record.FOUR_EYES_REFUSALS["permission"]
    assert record.FOUR_EYES_REFUSALS["permission"].startswith("Only a manager may")


def test_the_eligible_are_the_holders_less_every_writer(record, second, admin):
    assert sorted(u.username for u in record.eligible_second_eyes()) == [
        admin.username,
        "second-manager",
    ]


def test_each_record_counts_its_own_words_as_writing():
    assert Statement.WRITING_FIELDS == ("kind", "body", "target_platforms")
    # Changing only the promise of an update makes nobody a writer.
    assert ProgressUpdate.WRITING_FIELDS == ("body",)
