"""Plan templates in the admin site: written with their items inline, checked when saved, kept
with their history, retired rather than deleted."""

import re

import pytest
from django.urls import reverse

from responses.models import PlanTemplate, PlanTemplateItem
from tests import factories

ADD_URL = reverse("admin:responses_plantemplate_add")


@pytest.fixture
def template(db):
    return factories.make_plan_template()


def change_url(template):
    return reverse("admin:responses_plantemplate_change", args=[template.pk])


def rendered(client, url):
    """The admin form at ``url`` as a browser would send it untouched, as a dict."""
    return dict(factories.form_values(client.get(url), "name").lists())


def test_the_add_and_change_pages_open(client_as, admin, template):
    client = client_as(admin)

    for url in (
        ADD_URL,
        change_url(template),
        reverse("admin:responses_plantemplate_changelist"),
        reverse("admin:responses_plantemplate_history", args=[template.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_template_is_added_with_its_items_inline(client_as, admin):
    client = client_as(admin)
    data = rendered(client, ADD_URL)
    data.update(
        {
            "name": "Influencer backlash",
            "category": "negative_comments",
            "holding_statement": "We hear you about {public_title}. Next update by {next_update}.",
            "items-0-position": "2",
            "items-0-kind": "prevent",
            "items-0-title": "Brief influencer partners",
            "items-0-due_after_hours": "48",
            "items-0-default_owner": "applier",
            "items-0-is_active": "on",
        }
    )

    response = client.post(ADD_URL, data)

    assert response.status_code == 302, factories.page_text(response)
    template = PlanTemplate.objects.get(name="Influencer backlash")
    item = template.items.get()
    assert (item.title, item.kind, item.due_after_hours, item.default_owner, item.position) == (
        "Brief influencer partners",
        "prevent",
        48,
        "applier",
        2,
    )
    assert template.history.get().history_user == admin
    assert item.history.get().history_user == admin
    assert item.history.get().history_change_reason == "Changed in the admin site"


def test_a_template_saves_as_rendered_with_an_extra_item(client_as, admin, template):
    client = client_as(admin)
    data = rendered(client, change_url(template))
    data.update({"items-2-title": "Thank the moderators", "items-2-position": "3"})

    response = client.post(change_url(template), data)

    assert response.status_code == 302, factories.page_text(response)
    assert list(template.items.values_list("title", flat=True)) == [
        "Answer the top comments",
        "Review moderation rules",
        "Thank the moderators",
    ]
    assert factories.reload(template).holding_statement == template.holding_statement


def test_the_items_are_listed_in_their_order(client_as, admin, template):
    PlanTemplateItem.objects.filter(title="Answer the top comments").update(position=9)

    data = rendered(client_as(admin), change_url(template))

    assert data["items-0-title"] == ["Review moderation rules"]
    assert data["items-1-title"] == ["Answer the top comments"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dear {customer}, we are sorry.", "Unknown placeholder {customer}. Use one of"),
        ("We are sorry {public_title", "The braces do not pair up"),
    ],
)
def test_a_bad_holding_statement_is_refused_by_the_field_and_kept(
    text, message, client_as, admin, template
):
    client = client_as(admin)
    data = rendered(client, change_url(template))
    data["holding_statement"] = text
    before = factories.snapshot(template)

    response = client.post(change_url(template), data)

    assert response.status_code == 200
    html = factories.page_text(response)
    error = re.search(r'<ul class="errorlist" id="id_holding_statement_error"><li>(.*?)</li>', html)
    assert error and error.group(1).startswith(message)
    assert text in html  # what was typed stays in the form
    assert factories.snapshot(template) == before


def test_a_new_template_with_an_unknown_placeholder_is_not_saved(client_as, admin):
    client = client_as(admin)
    data = rendered(client, ADD_URL)
    data.update({"name": "Broken", "holding_statement": "Hello {name}"})

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Unknown placeholder {name}." in factories.page_text(response)
    assert not PlanTemplate.objects.filter(name="Broken").exists()


def test_the_form_lists_the_placeholders(client_as, admin):
    html = factories.page_text(client_as(admin).get(ADD_URL))

    for name in ("public_title", "title", "platforms", "next_update", "company", "detected"):
        assert f"{{{name}}}:" in html


def test_a_template_is_retired_not_deleted(client_as, admin, template):
    client = client_as(admin)
    delete_url = reverse("admin:responses_plantemplate_delete", args=[template.pk])
    data = rendered(client, change_url(template))
    data.pop("is_active")

    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert "items-0-DELETE" not in data
    assert client.post(change_url(template), data).status_code == 302
    assert not factories.reload(template).is_active


def test_every_input_of_the_items_table_is_labelled(client_as, admin, template):
    html = client_as(admin).get(change_url(template)).content.decode()

    inputs = re.findall(r"<(?:input|select|textarea)[^>]*name=\"items-0-[a-z_]+\"[^>]*>", html)
    inputs = [tag for tag in inputs if 'type="hidden"' not in tag]
    assert len(inputs) == 8
    for tag in inputs:
        assert "aria-label=" in tag, tag


def test_a_past_version_is_shown_and_never_reverted(client_as, admin, template):
    first = template.history.earliest("history_date")
    template.holding_statement = "Changed."
    template.save()
    url = reverse("admin:responses_plantemplate_simple_history", args=[template.pk, first.pk])
    client = client_as(admin)

    shown = client.get(url)
    posted = client.post(url, {"name": template.name, "holding_statement": "Old", "_save": "1"})

    assert shown.status_code == 200
    assert "revert" not in shown.content.decode().lower()
    assert posted.status_code == 403
    assert factories.reload(template).holding_statement == "Changed."


@pytest.mark.parametrize("role", ["anonymous", "viewer", "comms", "manager"])
def test_only_staff_reach_the_templates_in_the_admin(role, request, client_as, template):
    user = None if role == "anonymous" else request.getfixturevalue(role)

    response = client_as(user).get(change_url(template))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_form_claiming_too_many_steps_is_refused_without_building_them(client_as, admin):
    """The steps' management form says how many rows come; a claim of thousands is refused with
    a message after building the playbook's limit of rows, not Django's 2,000 (found by the
    fuzz: a minute and a 7 MB page for one request)."""
    from responses.admin import PlanTemplateItemInline

    client = client_as(admin)
    data = rendered(client, ADD_URL)
    data.update({"name": "Too long", "items-TOTAL_FORMS": "9" * 40})

    response = client.post(ADD_URL, data)

    assert response.status_code == 200
    limit = PlanTemplateItemInline.MAX_STEPS
    assert f"Please submit at most {limit} forms." in factories.page_text(response)
    content = response.content.decode()
    assert f'name="items-{limit - 1}-title"' in content
    assert f'name="items-{limit}-title"' not in content
    assert not PlanTemplate.objects.filter(name="Too long").exists()
