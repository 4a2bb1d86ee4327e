"""Approval chains on the pages: the admin site defines them, the statement page shows the chain
and lets whoever decides the current stage decide it, whatever their role."""

import datetime
import re

import pytest
import time_machine
from django.contrib import messages
from django.urls import reverse

from crisis import timekeeper
from incidents.models import Incident
from responses.models import ApprovalChain, Statement
from tests import factories


@pytest.fixture
def breach(comms):
    factories.make_chain()
    incident = factories.make_incident(comms, category=Incident.Category.DATA_BREACH, severity=1)
    return factories.make_statement(incident, comms).submit(by=comms)


def decide(client, statement, action="statement-approve", **data):
    page = client.get(statement.get_absolute_url())
    values = dict(factories.form_values(page, "stage").lists())
    values.update(data)
    return client.post(reverse(f"responses:{action}", args=[statement.pk]), values)


def test_the_admin_site_adds_a_chain_with_its_stages(client_as, admin):
    legal = factories.make_group("Legal")
    backup = factories.make_user("backup")
    client = client_as(admin)
    assert client.get(reverse("admin:responses_approvalchain_add")).status_code == 200

    response = client.post(
        reverse("admin:responses_approvalchain_add"),
        {
            "name": "Breach sign-off",
            "category": "data_breach",
            "min_severity": "2",
            "is_active": "on",
            "stages-TOTAL_FORMS": "1",
            "stages-INITIAL_FORMS": "0",
            "stages-MIN_NUM_FORMS": "1",
            "stages-MAX_NUM_FORMS": "10",
            "stages-0-position": "1",
            "stages-0-name": "Legal",
            "stages-0-group": str(legal.pk),
            "stages-0-backups": [str(backup.pk)],
            "stages-0-minutes_to_decide": "45",
        },
    )

    assert response.status_code == 302
    chain = ApprovalChain.objects.get(name="Breach sign-off")
    stage = chain.stages.get()
    assert (stage.name, stage.group, stage.minutes_to_decide) == ("Legal", legal, 45)
    assert list(stage.backups.all()) == [backup]
    change = client.get(reverse("admin:responses_approvalchain_change", args=[chain.pk]))
    assert "Legal" in change.content.decode()


def test_the_admin_site_refuses_a_chain_without_stages(client_as, admin):
    response = client_as(admin).post(
        reverse("admin:responses_approvalchain_add"),
        {
            "name": "Empty",
            "category": "data_breach",
            "min_severity": "2",
            "stages-TOTAL_FORMS": "0",
            "stages-INITIAL_FORMS": "0",
            "stages-MIN_NUM_FORMS": "1",
            "stages-MAX_NUM_FORMS": "10",
        },
    )

    assert response.status_code == 200
    assert not ApprovalChain.objects.exists()


def test_the_statement_page_shows_the_chain_and_its_clock(breach, client_as, viewer):
    page = factories.page_text(client_as(viewer).get(breach.get_absolute_url()))

    assert "Approval chain" in page
    assert "Comms lead" in page and "Legal" in page and "Executive" in page
    assert "Deciding now" in page
    assert 'data-clock="ok"' in page
    assert re.search(r"Due in (29|30) min</span> · due <time", page)


def test_a_stage_member_without_a_role_decides_through_the_page(breach, client):
    lead = factories.make_member("lead", "Comms leads")
    client.force_login(lead)

    response = decide(client, breach, comment="Fine by comms.")

    assert response.status_code == 302
    shown = [str(m) for m in messages.get_messages(response.wsgi_request)]
    assert shown == ["Approved. It now waits for the stage “Legal”."]
    statement = Statement.objects.get(pk=breach.pk)
    assert statement.current_stage().name == "Legal"
    stages = statement.latest_round().stages.all()
    assert stages[0].decided_by == lead and stages[0].comment == "Fine by comms."


def test_the_loser_of_a_stage_is_told_who_decided_it(breach, client):
    lead = factories.make_member("lead", "Comms leads")
    other = factories.make_member("other-lead", "Comms leads")
    client.force_login(other)
    page = client.get(breach.get_absolute_url())
    values = dict(factories.form_values(page, "stage").lists())
    breach.approve(by=lead)

    response = client.post(
        reverse("responses:statement-approve", args=[breach.pk]), values, follow=True
    )

    texts = [str(m) for m in messages.get_messages(response.wsgi_request)] or [
        factories.page_text(response)
    ]
    assert any("was already decided by Lead" in text for text in texts)
    assert Statement.objects.get(pk=breach.pk).latest_round().stages.get(position=2).decision == ""


def test_someone_outside_the_stage_is_refused_with_why(breach, client_as, manager):
    response = client_as(manager).post(
        reverse("responses:statement-approve", args=[breach.pk]),
        {"version": breach.version},
        follow=True,
    )

    assert "decided by the Comms leads group" in factories.page_text(response)
    assert Statement.objects.get(pk=breach.pk).current_stage().position == 1


def test_a_late_stage_without_backups_says_its_group_was_reminded(client_as, breach, viewer):
    url = breach.get_absolute_url()
    in_time = factories.page_text(client_as(viewer).get(url))
    with time_machine.travel(timekeeper.now() + datetime.timedelta(minutes=31), tick=False):
        late = factories.page_text(client_as(viewer).get(url))

    said = "No backups named: past its time, its group was reminded."
    assert said not in in_time
    assert late.count(said) == 1
