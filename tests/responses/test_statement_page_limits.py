"""The statement page's length limits come from the forms and the models, never typed in the
template: the withdraw reason once stopped at 1,000 characters while the model allows 2,000."""

import re

from django.urls import reverse

from crisis.lifecycle import REASON_MAX_LENGTH
from responses.forms import DecisionForm, WithdrawForm
from responses.models import Publication, Statement
from tests import factories


def _maxlength(html, element_id):
    tag = re.search(rf"<(?:textarea|input)[^>]*\bid=\"{re.escape(element_id)}\"[^>]*>", html)
    assert tag, f"no field with id {element_id!r} on the page"
    return int(re.search(r'maxlength="(\d+)"', tag.group(0)).group(1))


def test_the_withdraw_form_accepts_as_long_a_reason_as_the_model():
    assert REASON_MAX_LENGTH == 2000
    assert WithdrawForm({"reason": "x" * REASON_MAX_LENGTH}).is_valid()
    assert not WithdrawForm({"reason": "x" * (REASON_MAX_LENGTH + 1)}).is_valid()


def test_a_reason_of_the_longest_length_withdraws_the_statement(client_as, comms, incident):
    statement = factories.make_statement(incident, comms)

    client_as(comms).post(
        reverse("responses:statement-withdraw", args=[statement.pk]),
        {"reason": "x" * REASON_MAX_LENGTH},
    )

    assert factories.reload(statement).status == Statement.Status.WITHDRAWN


def test_the_page_offers_the_models_limits(client_as, manager, incident, comms):
    statement = factories.make_statement(incident, comms, status="in_review")

    html = client_as(manager).get(statement.get_absolute_url()).content.decode()

    assert _maxlength(html, "withdraw-reason") == REASON_MAX_LENGTH
    assert _maxlength(html, "review-comment") == DecisionForm.base_fields["comment"].max_length
    assert DecisionForm.base_fields["comment"].max_length == REASON_MAX_LENGTH


def test_each_link_field_offers_the_stored_links_limit(client_as, manager, incident, comms):
    statement = factories.make_statement(incident, comms, status="published")
    publication = statement.publications.get()

    html = client_as(manager).get(statement.get_absolute_url()).content.decode()

    limit = Publication._meta.get_field("url").max_length
    assert _maxlength(html, f"link-{publication.pk}-url") == limit == 500
