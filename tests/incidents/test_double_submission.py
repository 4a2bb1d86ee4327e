"""Sending a creating form twice (double click, Back and send again) creates one record:
incidents:create and incidents:party-create, through crisis.forms.OnceForm."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from crisis.models import SubmissionToken
from incidents.models import AffectedParty, Incident
from tests import factories

CREATE = reverse("incidents:create")
ALREADY_SAVED = ("info", "This was already saved: here it is.")
LOST_TOKEN = (
    "This form lost its one-time key, so nothing was saved. "
    "Check the form and press the button again."
)


def incident_data(**overrides):
    data = {
        "title": "Fake giveaway account",
        "category": Incident.Category.MISINFORMATION,
        "severity": Incident.Severity.MAJOR,
        "platforms": ["instagram"],
        "detected_at": "2026-03-14T08:15",
        "once_token": "token-of-one-form-0001",
    }
    data.update(overrides)
    return data


def party_url(incident):
    return reverse("incidents:party-create", args=[incident.reference])


def party_data(**overrides):
    data = {
        "kind": AffectedParty.Kind.CUSTOMERS,
        "description": "Followers who replied to the fake account",
        "outreach_status": AffectedParty.Outreach.NOT_CONTACTED,
        "once_token": "token-of-one-form-0002",
    }
    data.update(overrides)
    return data


# Declaring an incident


def test_sending_the_declaration_twice_declares_one_incident(client_as, comms):
    client = client_as(comms)
    first = client.post(CREATE, incident_data())
    client.get(first.url)  # the first answer is read, with its message

    again = client.post(CREATE, incident_data(), follow=True)

    incident = Incident.objects.get()
    assert first.url == incident.get_absolute_url()
    assert again.redirect_chain == [(incident.get_absolute_url(), 302)]
    assert factories.messages_shown(again) == [ALREADY_SAVED]
    assert incident.history.count() == 1
    assert SubmissionToken.objects.get().created_url == incident.get_absolute_url()


def test_each_new_declaration_form_carries_a_new_token(client_as, comms):
    client = client_as(comms)

    tokens = {factories.form_values(client.get(CREATE), "title")["once_token"] for _ in range(3)}

    assert len(tokens) == 3
    html = client.get(CREATE).content.decode()
    assert '<input type="hidden" name="once_token"' in html
    assert "data-once" in html


def test_two_forms_declare_two_incidents(client_as, comms):
    client = client_as(comms)
    for _ in range(2):
        form = factories.form_values(client.get(CREATE), "title")
        form.update({"title": "Fake giveaway account", "category": "misinformation"})
        client.post(CREATE, dict(form.lists()))

    assert Incident.objects.count() == 2


@pytest.mark.parametrize("token", [None, "", "short", "has spaces in it, too many", "x" * 65])
def test_a_missing_or_broken_token_saves_nothing_and_keeps_the_text(token, client_as, comms):
    data = incident_data(summary="What we know so far")
    if token is None:
        del data["once_token"]
    else:
        data["once_token"] = token

    response = client_as(comms).post(CREATE, data)

    assert response.status_code == 200
    assert not Incident.objects.exists()
    assert LOST_TOKEN in factories.page_text(response)
    kept = factories.form_values(response, "title")
    assert (kept["title"], kept["summary"]) == ("Fake giveaway account", "What we know so far")
    # The form comes back with a usable token: sending it again declares the incident.
    assert kept["once_token"] not in ("", token)
    client_as(comms).post(CREATE, dict(kept.lists()))
    assert Incident.objects.count() == 1


def test_a_refused_form_does_not_use_up_its_token(client_as, comms):
    client = client_as(comms)
    refused = client.post(CREATE, incident_data(title=""))

    corrected = factories.form_values(refused, "title")
    corrected["title"] = "Fake giveaway account"
    response = client.post(CREATE, dict(corrected.lists()))

    incident = Incident.objects.get()
    assert corrected["once_token"] == "token-of-one-form-0001"
    assert response.url == incident.get_absolute_url()


def test_a_token_is_once_per_person(client_as, comms, manager):
    client_as(comms).post(CREATE, incident_data())

    client_as(manager).post(CREATE, incident_data())

    assert sorted(Incident.objects.values_list("declared_by__username", flat=True)) == [
        "comms",
        "manager",
    ]


def test_the_edit_form_carries_no_token(client_as, comms, incident):
    response = client_as(comms).get(reverse("incidents:edit", args=[incident.reference]))

    assert "once_token" not in factories.form_values(response, "title")


# Adding an affected party


def test_sending_the_party_form_twice_adds_one_party(client_as, comms, incident):
    client = client_as(comms)
    client.post(party_url(incident), party_data(), follow=True)

    again = client.post(party_url(incident), party_data(), follow=True)

    party = AffectedParty.objects.get()
    assert again.redirect_chain == [(party.get_absolute_url(), 302)]
    assert factories.messages_shown(again) == [ALREADY_SAVED]


def test_each_new_party_form_carries_a_new_token(client_as, comms, incident):
    client = client_as(comms)

    tokens = {
        factories.form_values(client.get(party_url(incident)), "kind")["once_token"]
        for _ in range(2)
    }

    assert len(tokens) == 2


def test_a_party_form_without_a_token_saves_nothing(client_as, comms, incident):
    data = party_data()
    del data["once_token"]

    response = client_as(comms).post(party_url(incident), data)

    assert not AffectedParty.objects.exists()
    assert LOST_TOKEN in factories.page_text(response)
    assert factories.form_values(response, "kind")["description"] == data["description"]


# Two sends at the same moment


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_form_at_the_same_moment_declare_one_incident():
    comms = factories.make_comms()
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(comms)
        clients.append(client)
    start = threading.Barrier(2)
    answers, errors = [], []

    def send(client):
        try:
            start.wait(timeout=10)
            answers.append(client.post(CREATE, incident_data()))
        except Exception as error:  # reported below, with every thread's result
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    if connection.vendor == "sqlite":
        # SQLite may give up waiting for its lock ("database is locked"): that send is lost,
        # never doubled.
        assert all("locked" in str(error) for error in errors)
    else:
        assert errors == []
        assert len(answers) == 2
    incident = Incident.objects.get()
    assert {answer.url for answer in answers} <= {incident.get_absolute_url()}
    assert SubmissionToken.objects.count() == 1


# Receipts are kept a week


def test_send_reminders_deletes_the_receipts_of_forms_sent_over_a_week_ago(client_as, comms):
    from datetime import UTC, datetime
    from io import StringIO

    import time_machine
    from django.core.management import call_command

    client = client_as(comms)
    sent = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
    for second, token in [(0, "token-sent-first-0001"), (2, "token-sent-later-0002")]:
        with time_machine.travel(sent.replace(second=second), tick=False):
            client.post(CREATE, incident_data(once_token=token))
    a_week_after_the_first = datetime(2026, 3, 22, 9, 0, 1, tzinfo=UTC)

    with time_machine.travel(a_week_after_the_first, tick=False):
        call_command("send_reminders", stdout=StringIO())
        client.force_login(comms)  # a week later: signed in again
        again = client.post(CREATE, incident_data(once_token="token-sent-later-0002"), follow=True)

    assert set(SubmissionToken.objects.values_list("token", flat=True)) == {"token-sent-later-0002"}
    # The receipt kept still turns a repeat away.
    assert ALREADY_SAVED in factories.messages_shown(again)
    assert Incident.objects.count() == 2
