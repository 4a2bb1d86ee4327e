"""Sending the statement form twice (double click, Back and send again) drafts one statement:
responses:statement-create, through crisis.forms.OnceForm."""

from django.urls import reverse

from responses.models import Statement
from tests import factories

BODY = "An account pretending to be us is promising free gifts. It is not ours."


def create_url(incident):
    return reverse("responses:statement-create", args=[incident.reference])


def statement_data(**overrides):
    data = {
        "kind": "acknowledgement",
        "body": BODY,
        "target_platforms": ["instagram"],
        "once_token": "token-of-one-form-0003",
    }
    data.update(overrides)
    return data


def test_sending_the_draft_twice_saves_one_statement(client_as, comms, incident):
    client = client_as(comms)
    client.post(create_url(incident), statement_data(), follow=True)

    again = client.post(create_url(incident), statement_data(), follow=True)

    statement = Statement.objects.get()
    assert again.redirect_chain == [(statement.get_absolute_url(), 302)]
    assert factories.messages_shown(again) == [("info", "This was already saved: here it is.")]
    assert statement.history.count() == 1


def test_each_new_statement_form_carries_a_new_token(client_as, comms, incident):
    client = client_as(comms)

    tokens = {
        factories.form_values(client.get(create_url(incident)), "body")["once_token"]
        for _ in range(2)
    }

    assert len(tokens) == 2
    assert "data-once" in client.get(create_url(incident)).content.decode()


def test_a_statement_form_without_a_token_saves_nothing_and_keeps_the_text(
    client_as, comms, incident
):
    data = statement_data()
    del data["once_token"]

    response = client_as(comms).post(create_url(incident), data)

    assert not Statement.objects.exists()
    assert "This form lost its one-time key, so nothing was saved." in factories.page_text(response)
    kept = factories.form_values(response, "body")
    assert kept["body"] == BODY
    assert kept["once_token"]


def test_the_statement_edit_form_carries_no_token(client_as, comms, incident):
    statement = factories.make_statement(incident, comms)

    response = client_as(comms).get(reverse("responses:statement-edit", args=[statement.pk]))

    assert "once_token" not in factories.form_values(response, "body")
