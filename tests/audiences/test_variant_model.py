"""The rules of a variant: written from an approved core, one per audience and language, approved
by its audience's rule and never by its author, stale when the core's approved wording changes,
and sent out its audience's way."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audiences import rules
from audiences.models import Audience, Variant
from crisis.lifecycle import TransitionRefused
from responses.models import Statement
from tests import factories
from tests.outbox import deliver

S = Statement.Status
V = Variant.Status


@pytest.fixture
def core(comms):
    return factories.make_statement(factories.make_incident(comms), comms, status=S.APPROVED)


@pytest.fixture
def published_core(comms):
    return factories.make_statement(factories.make_incident(comms), comms, status=S.PUBLISHED)


def edit_core(core, by, body="We know some orders are late; a new text."):
    core.body = body
    return core.save_wording(by=by, expected_version=core.version, fields=["body"])


def test_a_variant_is_written_from_an_approved_core_only(comms):
    draft = factories.make_statement(factories.make_incident(comms), comms)

    with pytest.raises(TransitionRefused, match="approved core"):
        factories.make_variant(draft, comms)

    assert not Variant.objects.exists()


def test_a_viewer_may_not_write_a_variant(core, viewer):
    with pytest.raises(TransitionRefused, match="Only Comms and managers"):
        factories.make_variant(core, viewer)


def test_it_keeps_the_core_version_it_was_written_from_with_history(core, comms):
    variant = factories.make_variant(core, comms)

    assert variant.core_version == core.approved_version
    assert variant.status == V.DRAFT
    assert variant.history.get().history_change_reason == "Drafted"
    assert not variant.is_stale


def test_one_current_variant_per_audience_and_language(core, comms):
    first = factories.make_variant(core, comms, language="fr")
    factories.make_variant(core, comms, language="de")
    factories.make_variant(core, comms, language="fr", audience_name="Press")

    with pytest.raises(TransitionRefused, match="already has a variant for Customers"):
        factories.make_variant(core, comms, language="fr")

    first.withdraw(by=comms)
    assert factories.make_variant(core, comms, language="fr").pk != first.pk


def test_the_author_never_approves_their_own_variant_even_as_a_manager(core, manager):
    variant = factories.make_variant(core, manager)

    assert "You wrote this variant" in variant.approval_refusal(manager)
    with pytest.raises(TransitionRefused, match="You wrote this variant"):
        variant.approve(by=manager)
    assert factories.reload(variant).status == V.DRAFT


def test_someone_who_changed_its_words_does_not_approve_it(core, comms):
    variant = factories.make_variant(core, comms)
    editor = factories.make_manager("editor")
    variant.body = "Autres mots."
    variant.save_wording(by=editor, expected_version=variant.version, fields=["body"])

    assert "You changed this variant" in variant.approval_refusal(editor)


def test_comms_may_not_approve(core, comms):
    variant = factories.make_variant(core, factories.make_comms("writer"))

    with pytest.raises(TransitionRefused):
        variant.approve(by=comms)


def test_at_the_last_stage_whoever_wrote_the_core_does_not_approve(core, comms, manager):
    core_writer = factories.make_manager("core-writer")
    edit_core(core, core_writer)
    core.submit(by=comms)
    core.approve(by=manager)
    variant = factories.make_variant(core, comms)

    assert "changed this statement’s wording" in variant.approval_refusal(core_writer)
    assert rules.final_stage_refusal(variant, core_writer)
    assert rules.final_stage_refusal(core, core_writer)
    assert not variant.approval_refusal(factories.make_manager("other"))


def test_the_lighter_rule_lets_any_manager_who_did_not_write_the_variant(core, comms, manager):
    core_writer = factories.make_manager("core-writer")
    edit_core(core, core_writer)
    core.submit(by=comms)
    core.approve(by=manager)
    variant = factories.make_variant(core, comms, audience_name="Employees")

    assert variant.audience.approval_rule == Audience.Rule.FOUR_EYES
    assert variant.approval_refusal(core_writer) == ""
    variant.approve(by=core_writer, version=variant.version)
    assert factories.reload(variant).approved_by == core_writer


def test_an_approval_of_a_changed_wording_is_refused(core, comms, manager):
    variant = factories.make_variant(core, comms)
    opened = variant.version
    variant.body = "Changé."
    variant.save_wording(by=comms, expected_version=variant.version, fields=["body"])

    with pytest.raises(TransitionRefused, match="changed after you opened it"):
        Variant.objects.get(pk=variant.pk).approve(by=manager, version=opened)


def test_an_edit_after_approval_sends_it_back_to_draft(core, comms, manager):
    variant = factories.make_variant(core, comms, audience_name="Press")
    variant.approve(by=manager)
    variant.body = "Nouveau texte."

    variant.save_wording(by=comms, expected_version=variant.version, fields=["body"])

    assert factories.reload(variant).status == V.DRAFT


def test_when_the_core_changes_its_variants_are_stale_and_not_published(core, comms, manager):
    variant = factories.make_variant(core, comms, audience_name="Press")
    variant.approve(by=manager)
    assert variant.publish_refusal() == ""

    edit_core(core, comms)

    variant = factories.reload(variant)
    assert "changed after its approval" in variant.stale_reason()
    with pytest.raises(TransitionRefused, match="Not published: The core statement was changed"):
        variant.publish(by=manager)
    # Approved again, the core has a new approved wording: still stale until re-approved.
    core.submit(by=comms)
    core.approve(by=factories.make_manager("second"))
    variant = factories.reload(variant)
    assert "approved wording changed" in variant.stale_reason()
    with pytest.raises(TransitionRefused, match="approved wording changed"):
        variant.publish(by=manager)

    variant.approve(by=manager, version=variant.version)
    variant.publish(by=manager)

    assert factories.reload(variant).status == V.PUBLISHED
    assert variant.core_version == factories.reload(core).approved_version


def test_a_stale_variant_may_not_be_approved_while_the_core_is_a_draft(core, comms, manager):
    variant = factories.make_variant(core, comms, audience_name="Press")
    edit_core(core, comms)

    with pytest.raises(TransitionRefused, match="approval no longer holds"):
        Variant.objects.get(pk=variant.pk).approve(by=manager)


def test_an_approved_variant_that_is_not_stale_is_not_approved_twice(core, comms, manager):
    variant = factories.make_variant(core, comms, audience_name="Press")
    variant.approve(by=manager)

    with pytest.raises(TransitionRefused, match="already approved"):
        variant.approve(by=factories.make_manager("second"))


def test_a_customers_variant_waits_for_its_core_on_the_public_page(core, comms, manager):
    variant = factories.make_variant(core, comms)
    variant.approve(by=manager)

    with pytest.raises(TransitionRefused, match="publish the core statement first"):
        variant.publish(by=manager)

    core.publish(by=manager)
    variant.publish(by=manager)
    assert factories.reload(variant).is_published


def test_comms_may_not_publish(published_core, comms, manager):
    variant = factories.make_variant(published_core, factories.make_comms("writer"))
    variant.approve(by=manager)

    with pytest.raises(TransitionRefused, match="You may not publish"):
        variant.publish(by=comms)


def test_a_draft_is_not_published(published_core, comms, manager):
    variant = factories.make_variant(published_core, comms)

    with pytest.raises(TransitionRefused):
        variant.publish(by=manager)


def test_the_employees_variant_is_mailed_to_the_list(published_core, comms, manager):
    employees = factories.audience(
        "Employees", recipients="all-staff@example.com\nleads@example.com\nALL-STAFF@example.com"
    )
    variant = factories.make_variant(
        published_core, comms, audience_name="Employees", language="en", body="Dear colleagues"
    )
    variant.approve(by=manager)
    deliver()
    mail.outbox.clear()

    variant.publish(by=manager)
    deliver()

    assert sorted(m.to[0] for m in mail.outbox) == ["all-staff@example.com", "leads@example.com"]
    assert all(m.body.startswith("Dear colleagues") for m in mail.outbox)
    assert employees.addresses() == ["all-staff@example.com", "leads@example.com"]


def test_a_mail_variant_without_a_list_is_not_sent(published_core, comms, manager):
    factories.audience("Employees", recipients="")
    variant = factories.make_variant(published_core, comms, audience_name="Employees")
    variant.approve(by=manager)

    deliver()
    mail.outbox.clear()

    with pytest.raises(TransitionRefused, match="no distribution list"):
        variant.publish(by=manager)
    deliver()
    assert mail.outbox == []


def test_an_audience_lists_only_mail_addresses(db):
    row = Audience(name="Staff", way_out=Audience.WayOut.MAIL, recipients="ok@example.com\nnope")

    with pytest.raises(ValidationError, match="Not a mail address: nope"):
        row.full_clean()


def test_a_mail_audience_needs_an_address(db):
    row = Audience(name="Staff", way_out=Audience.WayOut.MAIL)

    with pytest.raises(ValidationError, match="at least one address"):
        row.full_clean()


def test_the_usual_audiences_are_there(db):
    names = set(Audience.objects.values_list("name", flat=True))

    assert {"Customers", "Employees", "Press", "Regulators", "Partners", "Investors"} <= names
