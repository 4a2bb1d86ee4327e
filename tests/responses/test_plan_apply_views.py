"""Applying a plan template from the incident page: the "Apply plan template" panel and
responses:plan-apply, with its confirmation before applying a template twice."""

import re

import pytest
from django.urls import reverse

from incidents.models import Incident
from responses import plans
from responses.models import ActionItem, PlanApplication, PlanTemplate, Statement
from tests import factories

ROLES = ["anonymous", "viewer", "comms", "manager", "admin"]
APPLIERS = {"comms", "manager", "admin"}


@pytest.fixture
def template(db):
    return factories.make_plan_template()


def apply_url(incident):
    return reverse("responses:plan-apply", args=[incident.reference])


def user_for(role, request):
    return None if role == "anonymous" else request.getfixturevalue(role)


def apply_form(client, incident):
    """What the panel's form on the incident page submits as rendered, as a dict."""
    page = client.get(incident.get_absolute_url())
    return dict(factories.form_values(page, "template").lists())


def nothing_made():
    return not (
        ActionItem.objects.exists()
        or Statement.objects.exists()
        or PlanApplication.objects.exists()
    )


# Who may


@pytest.mark.parametrize("role", ROLES)
def test_the_apply_view_lets_in_exactly_comms_and_managers(
    role, request, client_as, incident, template
):
    client = client_as(user_for(role, request))

    response = client.post(
        apply_url(incident), {"template": template.pk, "once_token": factories.once_token()}
    )

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif role in APPLIERS:
        assert response.status_code == 302
        assert response["Location"] == incident.get_absolute_url() + "#plan-templates"
        assert PlanApplication.objects.get().applied_by.username == role
    else:
        assert response.status_code == 403
    if role not in APPLIERS:
        assert nothing_made()


@pytest.mark.parametrize("role", ROLES)
def test_the_panel_is_shown_only_to_those_who_may_apply(
    role, request, client_as, incident, template
):
    response = client_as(user_for(role, request)).get(incident.get_absolute_url())

    if role == "anonymous":
        assert response.status_code == 302
    elif role in APPLIERS:
        assert 'id="plan-templates-heading"' in response.content.decode()
    else:
        assert 'id="plan-templates-heading"' not in response.content.decode()
        assert apply_url(incident) not in response.content.decode()


def test_the_apply_view_answers_only_post(client_as, comms, incident, template):
    client = client_as(comms)

    assert client.get(apply_url(incident)).status_code == 405
    assert nothing_made()


def test_an_unknown_incident_answers_404(client_as, comms, template):
    url = reverse("responses:plan-apply", args=["CR-1999-999"])

    response = client_as(comms).post(url, {"template": template.pk, "once_token": "x" * 20})

    assert response.status_code == 404


# The panel


def test_the_panel_offers_the_incidents_category_first_then_general_templates(
    client_as, comms, incident
):
    PlanTemplate.objects.update(is_active=False)  # the playbooks that come with the app
    factories.make_plan_template("Storm B", items=[])
    factories.make_plan_template("storm a", items=[])
    factories.make_plan_template("General", category="", items=[])
    factories.make_plan_template("Breach", category=Incident.Category.DATA_BREACH, items=[])
    factories.make_plan_template("Retired storm", is_active=False, items=[])

    html = factories.page_text(client_as(comms).get(incident.get_absolute_url()))

    select = re.search(r'<select name="template".*?</select>', html, re.DOTALL).group()
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.DOTALL)
    assert [(label, re.findall(r">([^<]+)</option>", options)) for label, options in groups] == [
        ("For negative comments", ["storm a", "Storm B"]),
        ("General", ["General"]),
    ]
    assert re.search(r'<label\s+for="id_template"', html)


def test_without_a_fitting_template_the_panel_says_so(client_as, comms, incident):
    PlanTemplate.objects.update(is_active=False)

    html = factories.page_text(client_as(comms).get(incident.get_absolute_url()))

    assert "No plan template fits this incident yet." in html
    assert apply_url(incident) not in html


@pytest.mark.parametrize("status", [Incident.Status.CLOSED, Incident.Status.CANCELLED])
def test_a_frozen_incident_offers_no_template(status, client_as, manager, incident, template):
    factories.walk_to(incident, status)

    html = client_as(manager).get(incident.get_absolute_url()).content.decode()

    assert 'id="plan-templates-heading"' not in html


# Applying


def test_applying_from_the_page_creates_the_plan_and_the_draft(
    client_as, comms, incident, template
):
    client = client_as(comms)

    response = client.post(
        apply_url(incident), apply_form(client, incident) | {"template": template.pk}, follow=True
    )

    assert factories.messages_shown(response) == [
        (
            "success",
            "Plan template “Comment storm playbook” applied: 2 action items and a draft "
            "holding statement.",
        )
    ]
    assert ActionItem.objects.filter(incident=incident, plan_template=template).count() == 2
    assert Statement.objects.get(incident=incident).body.startswith("We see your messages")
    assert "Plan template applied: Comment storm playbook" in factories.page_text(response)


def test_sending_the_form_twice_applies_once(client_as, comms, incident, template):
    client = client_as(comms)
    data = apply_form(client, incident) | {"template": template.pk}
    client.post(apply_url(incident), data)

    again = client.post(apply_url(incident), data, follow=True)

    assert factories.messages_shown(again)[-1] == ("info", "This was already saved: here it is.")
    assert PlanApplication.objects.count() == 1
    assert ActionItem.objects.count() == 2


def test_applying_a_template_again_asks_for_confirmation(
    client_as, comms, manager, incident, template
):
    client_as(comms).post(
        apply_url(incident), {"template": template.pk, "once_token": factories.once_token()}
    )
    client = client_as(manager)
    first = PlanApplication.objects.get()
    first.applied_at = first.applied_at.replace(year=2026, month=3, day=14, hour=9, minute=5)
    first.save()

    response = client.post(
        apply_url(incident), apply_form(client, incident) | {"template": template.pk}
    )

    assert response.status_code == 200
    text = factories.page_text(response)
    assert (
        "“Comment storm playbook” was already applied on 14 Mar 2026, 09:05 UTC by Comms "
        "Tester: apply it again?" in text
    )
    assert PlanApplication.objects.count() == 1
    assert ActionItem.objects.count() == 2
    confirm = dict(factories.form_values(response, "confirm").lists())
    assert confirm["confirm"] == ["1"]

    applied = client.post(apply_url(incident), confirm, follow=True)
    twice = client.post(apply_url(incident), confirm, follow=True)

    assert factories.messages_shown(applied)[0][0] == "success"
    assert factories.messages_shown(twice) == [("info", "This was already saved: here it is.")]
    assert PlanApplication.objects.count() == 2
    assert ActionItem.objects.count() == 4
    assert Statement.objects.count() == 2


def test_without_confirm_a_second_application_never_happens(client_as, comms, incident, template):
    client = client_as(comms)
    for _ in range(3):
        client.post(
            apply_url(incident),
            {"template": template.pk, "once_token": factories.once_token(), "confirm": ""},
        )

    assert PlanApplication.objects.count() == 1


# Crafted requests: a clear message, nothing changed, no server error


def refused(client, incident, data):
    response = client.post(
        apply_url(incident), {"once_token": factories.once_token(), **data}, follow=True
    )
    assert response.status_code == 200
    assert nothing_made()
    return factories.messages_shown(response)


def test_a_template_of_another_category_is_refused(client_as, comms, incident):
    breach = factories.make_plan_template("Breach", category=Incident.Category.DATA_BREACH)

    assert refused(client_as(comms), incident, {"template": breach.pk}) == [
        (
            "danger",
            "Nothing was applied. “Breach” is written for data breach or security incidents, "
            "and this one is about negative comments. Choose a template for its category or a "
            "general one.",
        )
    ]


def test_a_retired_template_is_refused(client_as, comms, incident, template):
    template.is_active = False
    template.save()

    assert refused(client_as(comms), incident, {"template": template.pk}) == [
        (
            "danger",
            "Nothing was applied. “Comment storm playbook” is retired: choose another template.",
        )
    ]


@pytest.mark.parametrize("value", ["999999", "abc", "", "1; DROP TABLE x", "\x00"])
def test_a_template_that_does_not_exist_is_refused(value, client_as, comms, incident):
    messages = refused(client_as(comms), incident, {"template": value})

    assert len(messages) == 1 and messages[0][0] == "danger"
    assert messages[0][1] in (
        "Nothing was applied. That plan template does not exist: choose one from the list.",
        "Nothing was applied. Choose a plan template.",
        "Nothing was applied. Null characters are not allowed.",
    )


def test_a_form_without_its_one_time_key_is_refused(client_as, comms, incident, template):
    response = client_as(comms).post(apply_url(incident), {"template": template.pk}, follow=True)

    assert factories.messages_shown(response) == [
        (
            "danger",
            "Nothing was applied. This form lost its one-time key, so nothing was saved. Check "
            "the form and press the button again.",
        )
    ]
    assert nothing_made()


@pytest.mark.parametrize("status", [Incident.Status.CLOSED, Incident.Status.CANCELLED])
def test_a_frozen_incident_is_refused(status, client_as, manager, incident, template):
    factories.walk_to(incident, status)

    assert refused(client_as(manager), incident, {"template": template.pk}) == [
        (
            "danger",
            f"Nothing was applied. The incident is {status}: it and everything under it are "
            "frozen. A manager may reopen it.",
        )
    ]


@pytest.mark.parametrize("count", [1, 20])
def test_the_incident_page_queries_do_not_grow_with_applications(
    count, client_as, manager, incident, django_assert_max_num_queries
):
    for n in range(count):
        template = factories.make_plan_template(f"Playbook {n}", items=[], holding_statement="")
        plans.apply_template(template, incident, manager)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(incident.get_absolute_url())

    assert factories.page_text(response).count("Plan template applied: Playbook") == count
