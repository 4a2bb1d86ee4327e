"""Declaring an incident with a plan template (incidents:create, extended by responses through
crisis.panels.DeclareExtension): declaring and applying are one step."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from crisis import panels
from crisis.lifecycle import TransitionRefused
from incidents.models import Incident
from responses.models import ActionItem, PlanApplication, PlanTemplate, Statement
from tests import factories

URL = reverse("incidents:create")
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


@pytest.fixture
def breach(db):
    return factories.make_plan_template(
        "Data breach playbook",
        category=Incident.Category.DATA_BREACH,
        holding_statement="We are investigating a security issue ({reference}). "
        "Next update by {next_update}.",
        items=[{"title": "Notify the supervisory authority", "due_after_hours": 72}],
    )


def declare_data(template=None, **overrides):
    data = {
        "title": "Customer emails exposed in a shared file",
        "category": Incident.Category.DATA_BREACH,
        "severity": Incident.Severity.CRITICAL,
        "platforms": ["x", "linkedin"],
        "detected_at": "2026-03-14T08:15",
        "plan_template": template.pk if template else "",
        "once_token": factories.once_token(),
    }
    data.update(overrides)
    return data


def nothing_made():
    return not (
        Incident.objects.exists()
        or ActionItem.objects.exists()
        or Statement.objects.exists()
        or PlanApplication.objects.exists()
    )


def test_declaring_with_a_template_makes_the_plan_and_the_draft_in_one_step(
    client_as, comms, breach
):
    with time_machine.travel(NOW, tick=False):
        response = client_as(comms).post(URL, declare_data(breach, lead=comms.pk), follow=True)

    incident = Incident.objects.get()
    assert response.redirect_chain == [(incident.get_absolute_url(), 302)]
    item = ActionItem.objects.get(incident=incident)
    assert item.title == "Notify the supervisory authority"
    assert item.due_at == datetime(2026, 3, 14, 8, 15, tzinfo=UTC) + timedelta(hours=72)
    assert item.owner == comms
    statement = Statement.objects.get(incident=incident)
    # A critical incident promises the next update within the hour.
    assert statement.body == (
        "We are investigating a security issue (CR-2026-001). Next update by {next_update}."
    )
    assert statement.status == "draft"
    assert PlanApplication.objects.get().incident == incident
    assert factories.messages_shown(response) == [
        ("success", "Incident CR-2026-001 declared. Now gather the facts."),
        (
            "success",
            "Plan template “Data breach playbook” applied: 1 action item and a draft holding "
            "statement.",
        ),
    ]


def test_declaring_without_a_template_makes_no_plan(client_as, comms, breach):
    client_as(comms).post(URL, declare_data())

    assert Incident.objects.count() == 1
    assert not PlanApplication.objects.exists()
    assert not ActionItem.objects.exists()


def test_the_form_offers_every_active_template_grouped_by_category(client_as, comms, breach):
    PlanTemplate.objects.exclude(pk=breach.pk).update(is_active=False)
    factories.make_plan_template("General playbook", category="", items=[])
    factories.make_plan_template("Storm playbook", items=[])
    factories.make_plan_template("Retired", is_active=False, items=[])

    html = factories.page_text(client_as(comms).get(URL))

    select = re.search(r'<select name="plan_template".*?</select>', html, re.DOTALL).group()
    assert re.findall(r'<optgroup label="([^"]+)">\s*<option value="\d+">([^<]+)<', select) == [
        ("Negative comments", "Storm playbook"),
        ("Data breach or security", "Data breach playbook"),
        ("General", "General playbook"),
    ]
    assert "Retired" not in select
    assert re.search(r'<label\s+for="id_plan_template"', html)
    # Offered right after the category it must fit.
    assert html.index('name="category"') < html.index('name="plan_template"')
    assert html.index('name="plan_template"') < html.index('name="severity"')


def test_a_viewer_cannot_declare_so_is_offered_no_template(client_as, viewer, breach):
    assert client_as(viewer).get(URL).status_code == 403


def test_a_template_of_another_category_is_refused_by_the_field_keeping_what_was_typed(
    client_as, comms, breach
):
    data = declare_data(breach, category=Incident.Category.NEGATIVE_COMMENTS, summary="Typed.")

    response = client_as(comms).post(URL, data)

    assert response.status_code == 200
    html = factories.page_text(response)
    error = re.search(r'id="error_1_id_plan_template"[^>]*>\s*<strong>(.*?)</strong>', html)
    assert error and error.group(1) == (
        "“Data breach playbook” is written for data breach or security incidents: choose one "
        "for the category above, or a general one."
    )
    assert "Customer emails exposed in a shared file" in html
    assert re.search(r">\s*Typed.</textarea>", html)
    assert re.search(rf'<option value="{breach.pk}" selected>', html)
    assert nothing_made()


def test_a_retired_template_is_refused_by_the_field(client_as, comms, breach):
    breach.is_active = False
    breach.save()

    response = client_as(comms).post(URL, declare_data(breach))

    assert response.status_code == 200
    assert "“Data breach playbook” is retired: choose another template." in (
        factories.page_text(response)
    )
    assert nothing_made()


@pytest.mark.parametrize("value", ["999999", "abc", "\x00"])
def test_a_template_that_does_not_exist_is_refused_by_the_field(value, client_as, comms):
    response = client_as(comms).post(URL, declare_data(plan_template=value))

    assert response.status_code == 200
    assert 'id="error_1_id_plan_template"' in response.content.decode()
    assert nothing_made()


def test_a_refusal_while_applying_undoes_the_declaration(client_as, comms, breach, monkeypatch):
    def refuse(template, incident, by, **kwargs):
        raise TransitionRefused("Retired meanwhile.")

    monkeypatch.setattr("responses.plans.apply_template", refuse)

    response = client_as(comms).post(URL, declare_data(breach))

    assert response.status_code == 200
    assert "Nothing was declared: Retired meanwhile." in factories.page_text(response)
    assert nothing_made()


def test_sending_the_declaration_twice_declares_and_applies_once(client_as, comms, breach):
    client = client_as(comms)
    data = declare_data(breach)
    client.post(URL, data)

    client.post(URL, data)

    assert Incident.objects.count() == 1
    assert PlanApplication.objects.count() == 1


def test_the_edit_form_offers_no_template(client_as, comms, breach):
    incident = factories.make_incident(comms)

    html = client_as(comms).get(reverse("incidents:edit", args=[incident.reference])).content

    assert b'name="plan_template"' not in html


def test_responses_registers_its_declare_extension_once():
    # incidents registers its own (declaring from mentions of the inbox), before it.
    assert [e.after_declare.__module__ for e in panels.declare_extensions] == [
        "monitoring.triage",
        "responses.declare",
    ]


def test_a_template_naming_the_public_title_needs_one_and_keeps_what_was_typed(client_as, comms):
    # Filled without a public title, the draft would tell the audience about a "Service
    # notice": the declaration is refused by the field, and nothing is made.
    naming = factories.make_plan_template(
        "Outage playbook",
        category=Incident.Category.DATA_BREACH,
        holding_statement="We know about {public_title} and we are on it.",
    )

    response = client_as(comms).post(URL, declare_data(naming))

    assert response.status_code == 200
    assert "names the incident by its public title" in factories.page_text(response)
    assert 'value="Customer emails exposed in a shared file"' in response.content.decode()
    assert nothing_made()

    client_as(comms).post(URL, declare_data(naming, public_title="Email addresses exposed"))
    assert Statement.objects.get().body == "We know about Email addresses exposed and we are on it."
