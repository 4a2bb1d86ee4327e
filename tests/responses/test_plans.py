"""Plan templates (responses.plans): the placeholders of a holding statement, and applying a
template to an incident."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from crisis.lifecycle import FrozenRecord, TransitionRefused
from incidents.models import Incident
from responses import plans
from responses.models import (
    ActionItem,
    PlanApplication,
    PlanTemplateItem,
    PublicProfile,
    Statement,
)
from tests import factories

DETECTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
APPLIED = DETECTED + timedelta(minutes=40)


@pytest.fixture
def incident(comms, manager):
    with time_machine.travel(DETECTED + timedelta(minutes=10), tick=False):
        return factories.make_incident(
            comms,
            detected_at=DETECTED,
            lead=manager,
            public_title="Late deliveries",
            platforms=["x", "instagram", "facebook"],
        )


@pytest.fixture
def template(db):
    return factories.make_plan_template()


def apply(template, incident, by, **kwargs):
    with time_machine.travel(APPLIED, tick=False):
        return plans.apply_template(template, incident, by, **kwargs)


# Placeholders


@pytest.mark.parametrize(
    "text",
    [
        "",
        "No placeholder at all.",
        "{public_title} {title} {platforms} {next_update} {company} {detected} {reference}",
        "Braces shown as text: {{like this}}.",
    ],
)
def test_known_placeholders_and_doubled_braces_are_accepted(text):
    assert plans.placeholder_errors(text) == []


@pytest.mark.parametrize("name", ["customer", "", "0", "title.upper", "title[0]", " title "])
def test_an_unknown_placeholder_is_named_in_the_message(name):
    errors = plans.placeholder_errors(f"Hello {{{name}}}, we are sorry.")

    assert len(errors) == 1
    assert errors[0].startswith(f"Unknown placeholder {{{name}}}. Use one of {{public_title}}")


@pytest.mark.parametrize("text", ["We are {sorry", "We are sorry}", "{title}}", "{{title}"])
def test_unbalanced_braces_are_refused(text):
    assert plans.placeholder_errors(text) == [
        "The braces do not pair up: each placeholder is a name between { and }, and a brace "
        "meant as text is written twice ({{ or }})."
    ]


@pytest.mark.parametrize("text", ["{title!r}", "{next_update:>40}"])
def test_a_placeholder_with_a_conversion_or_format_is_refused(text):
    assert plans.placeholder_errors(text) == [
        f"Write {text} as a plain placeholder, without “!” or “:” after its name."
    ]


def test_saving_a_template_with_an_unknown_placeholder_is_refused_by_the_field(db):
    template = factories.make_plan_template(holding_statement="Dear {customer}, sorry.")

    with pytest.raises(ValidationError) as refused:
        template.full_clean()

    assert list(refused.value.message_dict) == ["holding_statement"]
    assert "Unknown placeholder {customer}." in refused.value.message_dict["holding_statement"][0]


def test_the_placeholders_are_filled_for_the_incident(incident, settings):
    settings.COMPANY_NAME = "Northwind"
    text = "{public_title}|{title}|{platforms}|{next_update}|{company}|{detected}|{reference}|{{x}}"

    filled = plans.fill(text, incident)

    # The promise is kept as written: it is filled in when the statement is published.
    assert filled.split("|") == [
        "Late deliveries",
        "Angry replies about late deliveries",
        "X, Instagram and Facebook",
        "{next_update}",
        "Northwind",
        "09:00 UTC on 14 March",
        "CR-2026-001",
        "{x}",
    ]


def test_the_company_is_the_name_an_admin_set_on_the_public_profile(incident, settings):
    settings.COMPANY_NAME = "Setting Name Ltd"
    PublicProfile.objects.create(company_name="Northwind Parcels")

    # The name the public pages show, not the setting it falls back to.
    assert plans.fill("{company} is on it.", incident) == "Northwind Parcels is on it."


def test_without_a_company_name_or_platforms_the_text_still_reads(incident, settings):
    settings.COMPANY_NAME = ""
    incident.platforms = []

    assert plans.fill("{company} on {platforms}", incident) == "our company on social media"


# Applying


def test_applying_creates_the_items_due_from_detection_with_their_owners(
    template, incident, comms, manager
):
    applied = apply(template, incident, comms)

    items = list(ActionItem.objects.filter(incident=incident))
    assert [(i.title, i.kind, i.due_at, i.owner, i.is_public, i.plan_template) for i in items] == [
        (
            "Answer the top comments",
            "rectify",
            DETECTED + timedelta(hours=2),
            manager,
            True,
            template,
        ),
        (
            "Review moderation rules",
            "prevent",
            DETECTED + timedelta(hours=72),
            comms,
            False,
            template,
        ),
    ]
    assert applied.items == items
    for item in items:
        record = item.history.get()
        assert record.history_user == comms
        assert record.history_change_reason == "From plan template “Comment storm playbook”"


def test_applying_drafts_the_holding_statement_with_the_placeholders_filled(
    template, incident, comms
):
    applied = apply(template, incident, comms)

    statement = Statement.objects.get(incident=incident)
    assert applied.statement == statement
    assert statement.body == (
        "We see your messages about Late deliveries on X, Instagram and Facebook. "
        "We are on it and will update you here by {next_update}."
    )
    assert (statement.kind, statement.status, statement.author) == ("holding", "draft", comms)
    assert statement.target_platforms == ["x", "instagram", "facebook"]
    record = statement.history.get()
    assert record.history_change_reason == "Drafted from plan template “Comment storm playbook”"


def test_the_application_is_recorded_with_who_and_when(template, incident, comms):
    applied = apply(template, incident, comms)

    application = PlanApplication.objects.get()
    assert applied.application == application
    assert (application.incident, application.template) == (incident, template)
    assert (application.applied_by, application.applied_at) == (comms, APPLIED)
    assert application.history.get().history_user == comms
    assert applied.summary() == (
        "Plan template “Comment storm playbook” applied: 2 action items and a draft holding "
        "statement."
    )


def test_a_template_without_a_holding_statement_drafts_nothing(incident, comms):
    template = factories.make_plan_template(holding_statement="", items=[{"title": "Only one"}])

    applied = apply(template, incident, comms)

    assert applied.statement is None
    assert not Statement.objects.exists()
    assert applied.summary() == "Plan template “Comment storm playbook” applied: 1 action item."


def test_an_incident_without_platforms_gets_a_statement_for_other(template, comms):
    incident = factories.make_incident(comms, platforms=[])

    applied = apply(template, incident, comms)

    assert applied.statement.target_platforms == ["other"]


def test_items_left_out_and_items_without_a_due_time_or_owner(incident, comms):
    template = factories.make_plan_template(
        items=[
            {"title": "Left out", "is_active": False},
            {"title": "Whenever", "due_after_hours": None, "default_owner": ""},
        ]
    )

    applied = apply(template, incident, comms)

    assert [(i.title, i.due_at, i.owner) for i in applied.items] == [("Whenever", None, None)]


def test_the_leads_items_go_to_the_applier_when_there_is_no_lead(template, comms):
    incident = factories.make_incident(comms, lead=None)

    applied = apply(template, incident, comms)

    assert [i.owner for i in applied.items] == [comms, comms]


def test_items_come_after_those_already_in_the_plan(template, incident, comms):
    ActionItem(incident=incident, title="Already there").add(by=comms)

    apply(template, incident, comms)

    titles = list(ActionItem.objects.filter(incident=incident).values_list("title", flat=True))
    assert titles == ["Already there", "Answer the top comments", "Review moderation rules"]


def test_applying_the_same_template_twice_asks_first(template, incident, comms, manager):
    apply(template, incident, comms)

    with pytest.raises(plans.AlreadyApplied) as asked:
        apply(template, incident, manager)

    assert str(asked.value) == (
        "“Comment storm playbook” was already applied on 14 Mar 2026, 09:40 UTC by Comms "
        "Tester: apply it again?"
    )
    assert ActionItem.objects.count() == 2
    assert Statement.objects.count() == 1
    assert PlanApplication.objects.count() == 1


def test_applying_again_when_confirmed_adds_a_second_set(template, incident, comms, manager):
    apply(template, incident, comms)

    apply(template, incident, manager, again=True)

    assert ActionItem.objects.count() == 4
    assert Statement.objects.count() == 2
    assert list(PlanApplication.objects.values_list("applied_by", flat=True)) == [
        comms.pk,
        manager.pk,
    ]


def nothing_made():
    return not (
        ActionItem.objects.exists()
        or Statement.objects.exists()
        or PlanApplication.objects.exists()
    )


def test_a_retired_template_is_refused(template, incident, comms):
    template.is_active = False
    template.save()

    with pytest.raises(plans.TemplateRefused, match="“Comment storm playbook” is retired"):
        apply(template, incident, comms)

    assert nothing_made()


def test_a_template_retired_after_the_page_was_opened_is_refused(template, incident, comms):
    stale_copy = factories.reload(template)
    template.is_active = False
    template.save()

    with pytest.raises(plans.TemplateRefused, match="is retired"):
        apply(stale_copy, incident, comms)

    assert nothing_made()


def test_a_template_of_another_category_is_refused(incident, comms):
    template = factories.make_plan_template(
        "Data breach playbook", category=Incident.Category.DATA_BREACH
    )

    with pytest.raises(plans.TemplateRefused) as refused:
        apply(template, incident, comms)

    assert str(refused.value) == (
        "“Data breach playbook” is written for data breach or security incidents, and this one "
        "is about negative comments. Choose a template for its category or a general one."
    )
    assert nothing_made()


def test_a_general_template_fits_every_category(comms):
    template = factories.make_plan_template("General playbook", category="")

    for category in Incident.Category.values:
        incident = factories.make_incident(comms, category=category)
        apply(template, incident, comms)

    assert PlanApplication.objects.count() == len(Incident.Category.values)


@pytest.mark.parametrize("status", [Incident.Status.CLOSED, Incident.Status.CANCELLED])
def test_a_frozen_incident_is_refused(status, template, incident, comms):
    factories.walk_to(incident, status)

    with pytest.raises(TransitionRefused, match=f"The incident is {status}: it and everything"):
        apply(template, incident, comms)

    assert nothing_made()


def test_a_template_saved_with_a_bad_placeholder_before_the_check_is_refused(incident, comms):
    template = factories.make_plan_template(holding_statement="Dear {customer}")

    with pytest.raises(plans.TemplateRefused, match="an admin must correct it"):
        apply(template, incident, comms)

    assert nothing_made()


def test_a_viewer_may_not_apply(template, incident, viewer):
    with pytest.raises(plans.TemplateRefused, match="Only Comms and managers"):
        apply(template, incident, viewer)

    assert nothing_made()


def test_when_a_step_fails_nothing_of_the_template_is_kept(template, incident, comms, monkeypatch):
    def broken_draft(**kwargs):
        raise FrozenRecord("Closed meanwhile.")

    monkeypatch.setattr(Statement, "draft", broken_draft)

    with pytest.raises(FrozenRecord):
        apply(template, incident, comms)

    assert nothing_made()


def test_a_due_time_beyond_a_year_is_refused_when_the_template_is_saved(template):
    item = PlanTemplateItem(template=template, title="Far away", due_after_hours=24 * 366)

    with pytest.raises(ValidationError) as refused:
        item.full_clean()

    assert list(refused.value.message_dict) == ["due_after_hours"]


def test_a_template_naming_the_public_title_is_refused_until_the_incident_has_one(comms):
    from responses import plans

    incident = factories.make_incident(comms, public_title="")
    naming = factories.make_plan_template(
        "Naming", holding_statement="We know about {public_title}."
    )
    silent = factories.make_plan_template("Silent", holding_statement="We are looking into it.")

    assert "public title" in plans.refusal(naming, incident)
    assert plans.refusal(silent, incident) == ""
    incident.public_title = "Late deliveries"
    assert plans.refusal(naming, incident) == ""
