"""Calling the team to an incident (team.models): who may call, what the people called get, how
they answer, and the roll call and timeline that show it."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from crisis.lifecycle import TransitionRefused
from crisis.outbound.models import ChatChannel, Delivery
from incidents.models import Incident
from team.models import Answer, CallOut
from tests import factories, outbox


@pytest.fixture
def incident(comms, manager):
    return factories.make_incident(comms, lead=comms)


def call_url(incident):
    return reverse("team:call", args=[incident.reference])


def answer_url(answer):
    return reverse("team:answer", args=[answer.callout.incident.reference, answer.pk])


def call(client, incident, **fields):
    values = factories.form_values(client.get(call_url(incident)), "message")
    values.update(fields)
    return client.post(call_url(incident), values)


def test_a_manager_calls_a_group_and_a_person_and_each_gets_a_mail(
    client_as, manager, comms, viewer, incident
):
    other = factories.make_comms("comms-two", email="two@example.com")
    factories.make_comms("gone", email="gone@example.com", is_active=False)
    comms_group = Group.objects.get(name="Comms")

    response = call(
        client_as(manager),
        incident,
        groups=[comms_group.pk],
        people=[viewer.pk],
        message="Join the bridge: room 4.",
    )

    callout = CallOut.objects.get()
    assert response.status_code == 302
    assert response["Location"] == callout.get_absolute_url()
    called = set(callout.answers.values_list("person__username", flat=True))
    assert called == {"comms", "comms-two", "viewer"}
    outbox.deliver()
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted(p.email for p in (comms, other, viewer))
    assert "Join the bridge: room 4." in mail.outbox[0].body
    assert callout.get_absolute_url() in mail.outbox[0].body


def test_a_chat_channel_that_wants_call_outs_hears_of_it_but_not_of_a_drill(manager, comms):
    ChatChannel.objects.create(
        kind="slack",
        name="War room",
        url="https://chat.example.com/hook",
        events=["callout.made"],
        severities=[1, 2, 3, 4],
    )
    real = factories.make_incident(comms)
    drill = factories.make_incident(comms, is_drill=True)

    CallOut.call(incident=real, by=manager, people=[comms])
    CallOut.call(incident=drill, by=manager, people=[comms])

    chat = Delivery.objects.filter(channel=Delivery.Channel.CHAT).order_by("pk")
    assert [row.status for row in chat] == [Delivery.Status.PENDING, Delivery.Status.REFUSED]


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [("viewer", 403, 403), ("comms", 403, 403), ("manager", 200, 302), ("admin", 200, 302)],
)
def test_who_may_call_to_an_incident_they_do_not_lead(
    request, client, comms, incident, role, get, post
):
    incident.lead = None
    incident.save()
    client.force_login(request.getfixturevalue(role))

    assert client.get(call_url(incident)).status_code == get
    response = client.post(call_url(incident), {"people": [comms.pk], "once_token": "x" * 20})
    assert response.status_code == post
    assert CallOut.objects.exists() is (post == 302)


def test_the_lead_may_call_to_their_own_incident(client_as, comms, viewer, incident):
    response = call(client_as(comms), incident, people=[viewer.pk])

    assert response.status_code == 302
    assert CallOut.objects.get().called_by == comms


def test_anonymous_is_sent_to_sign_in(client, incident):
    response = client.get(call_url(incident))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_calling_nobody_is_refused_by_the_form(client_as, manager, incident):
    response = call(client_as(manager), incident, message="Anyone?")

    assert response.status_code == 200
    html = factories.page_text(response)
    assert "Choose at least one person or group to call." in html
    assert "Anyone?" in html  # what was typed stays
    assert not CallOut.objects.exists()


@pytest.mark.parametrize("number", ["9" * 40, "-" + "9" * 30, str(2**63)])
def test_a_person_no_key_can_be_is_refused_by_the_field(client_as, manager, incident, number):
    response = call(client_as(manager), incident, message="Anyone?", people=[number])

    assert response.status_code == 200
    assert "is not one of the available choices" in factories.page_text(response)
    assert not CallOut.objects.exists()


def test_a_double_click_calls_once(client_as, manager, comms, incident):
    client = client_as(manager)
    values = factories.form_values(client.get(call_url(incident)), "message")
    values["people"] = [comms.pk]

    first = client.post(call_url(incident), values)
    second = client.post(call_url(incident), values)

    assert first.status_code == second.status_code == 302
    assert CallOut.objects.count() == 1
    assert Answer.objects.count() == 1


def test_no_call_to_a_closed_incident(manager, comms, incident):
    factories.walk_to(incident, Incident.Status.CLOSED)

    with pytest.raises(TransitionRefused, match="frozen"):
        CallOut.call(incident=factories.reload(incident), by=manager, people=[comms])


def test_the_person_called_answers_and_the_roll_call_shows_it(
    client_as, manager, comms, viewer, incident
):
    callout = CallOut.call(incident=incident, by=manager, people=[comms, viewer], message="Now")
    mine = callout.answers.get(person=comms)
    client = client_as(comms)

    page = factories.page_text(client.get(incident.get_absolute_url()))
    assert 'data-testid="my-answer"' in page
    assert "0</strong> joining · <strong>0</strong> can't · <strong>2</strong> no answer" in page

    response = client.post(answer_url(mine), {"reply": "joining"})

    assert response.status_code == 302
    assert factories.reload(mine).reply == Answer.Reply.JOINING
    page = factories.page_text(client.get(incident.get_absolute_url()))
    assert "1</strong> joining · <strong>0</strong> can't · <strong>1</strong> no answer" in page
    timeline = factories.page_text(
        client.get(reverse("incidents:timeline", args=[incident.reference]))
    )
    assert "Team called: 2 people" in timeline
    assert "Answered the call-out: Joining" in timeline


def test_nobody_answers_for_someone_else(client_as, manager, comms, viewer, incident):
    callout = CallOut.call(incident=incident, by=manager, people=[comms])
    theirs = callout.answers.get()

    response = client_as(viewer).post(answer_url(theirs), {"reply": "cannot"})

    assert response.status_code == 404
    assert factories.reload(theirs).is_waiting
    with pytest.raises(TransitionRefused, match="Only the person called"):
        theirs.answer(by=manager, reply="joining")


def test_an_unknown_answer_is_refused_with_a_message(client_as, manager, comms, incident):
    answer = CallOut.call(incident=incident, by=manager, people=[comms]).answers.get()

    response = client_as(comms).post(answer_url(answer), {"reply": "maybe"}, follow=True)

    assert "Answer Joining or Can't." in factories.page_text(response)
    assert factories.reload(answer).is_waiting


def test_no_answer_once_the_incident_is_closed(manager, comms, incident):
    answer = CallOut.call(incident=incident, by=manager, people=[comms]).answers.get()
    factories.walk_to(incident, Incident.Status.CLOSED)

    with pytest.raises(TransitionRefused, match="frozen"):
        answer.answer(by=comms, reply="joining")


def test_a_viewer_not_called_sees_no_roll_call_before_a_call(client_as, viewer, incident):
    page = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    assert 'id="roll-call"' not in page
