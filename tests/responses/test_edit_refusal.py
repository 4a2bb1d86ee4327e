"""Why a statement or an update may not be edited is said by the model (``edit_refusal``); the
edit pages show those words, and the edit verbs refuse with them."""

import pytest
from django.urls import reverse

from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from tests import factories


def test_a_draft_statement_is_editable_until_its_incident_freezes(comms, incident):
    statement = factories.make_statement(incident, comms)
    assert statement.edit_refusal() == ""
    factories.walk_to(incident, Incident.Status.CANCELLED)
    statement = factories.reload(statement)
    assert statement.edit_refusal() == statement.incident.frozen_notice()
    assert not statement.is_editable


def test_the_edit_page_says_the_models_words_on_a_frozen_incident(client_as, comms, incident):
    statement = factories.make_statement(incident, comms)
    factories.walk_to(incident, Incident.Status.CANCELLED)
    statement = factories.reload(statement)

    shown = client_as(comms).get(
        reverse("responses:statement-edit", args=[statement.pk]), follow=True
    )

    assert factories.messages_shown(shown) == [("danger", statement.edit_refusal())]
    assert "cancelled" in statement.edit_refusal()


def test_an_internal_update_is_never_edited(comms, incident):
    update = factories.make_update(incident, comms)
    assert update.edit_refusal() == (
        "A posted internal update cannot be edited. Write a new update instead."
    )
    assert not update.is_editable


def test_the_update_edit_verb_refuses_with_the_models_words(comms, incident):
    update = factories.make_update(incident, comms, kind="public", status="withdrawn")
    copy = factories.reload(update)
    copy.body = "Changed"
    with pytest.raises(TransitionRefused) as refused:
        copy.save_draft(by=comms, expected_version=copy.version, fields=["body"])
    assert str(refused.value) == update.edit_refusal()
    assert str(refused.value).startswith("A withdrawn public update cannot be edited.")
