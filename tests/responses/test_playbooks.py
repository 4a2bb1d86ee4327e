"""The playbooks that come with the app (data migration responses 0007_templates_playbooks)."""

import importlib

import pytest
from django.apps import apps

from incidents.models import Incident
from responses import plans
from responses.lengths import length_errors
from responses.models import PlanTemplate
from tests import factories

migration = importlib.import_module("responses.migrations.0007_templates_playbooks")
C = Incident.Category
pytestmark = pytest.mark.usefixtures("playbooks")


def steps(name):
    return {
        item.title: item
        for item in PlanTemplate.objects.get(name=name).items.filter(is_active=True)
    }


def test_every_kind_of_crisis_has_a_playbook_and_there_is_a_general_one(db):
    categories = set(PlanTemplate.objects.active().values_list("category", flat=True))

    assert categories == {
        C.NEGATIVE_COMMENTS,
        C.MISINFORMATION,
        C.INAPPROPRIATE_CONTENT,
        C.DATA_BREACH,
        C.SERVICE_FAILURE,
        "",  # general: offered for "Other" and beside every other kind
    }


def test_the_data_breach_playbook_has_the_legal_deadline(db):
    breach = steps("Data breach")

    assert breach["Notify the supervisory authority"].due_after_hours == 72
    assert "GDPR article 33" in breach["Notify the supervisory authority"].details
    for title in (
        "Confirm scope with security",
        "Prepare customer notice",
        "Set up a help page and FAQ",
        "Brief support with approved lines",
        "Pause scheduled posts",
    ):
        assert title in breach
    assert {item.kind for item in breach.values()} == {"rectify", "prevent"}


def test_the_employee_post_playbook(db):
    post = steps("Inappropriate post by an employee or a brand account")

    for title in (
        "Remove or hide the post",
        "Talk to the employee",
        "Review the social media policy",
    ):
        assert title in post
    assert post["Review the social media policy"].kind == "prevent"


@pytest.mark.parametrize("spec", migration.PLAYBOOKS, ids=lambda spec: spec["name"])
def test_each_playbook_is_valid_and_its_holding_statement_fits_on_x(spec, comms):
    template = PlanTemplate.objects.get(name=spec["name"])
    template.full_clean()
    for item in template.items.all():
        item.full_clean()
    incident = factories.make_incident(
        comms, category=template.category or C.OTHER, public_title="Late deliveries"
    )

    text = plans.fill(template.holding_statement, incident)

    assert length_errors(text, ["x", "bluesky"]) == []
    assert template.items.filter(kind="prevent").exists()
    assert template.items.filter(kind="rectify").exists()


def test_the_playbooks_have_a_history_from_the_start(db):
    template = PlanTemplate.objects.get(name="Comment storm")

    assert template.history.filter(history_change_reason=migration.REASON).count() == 1
    for item in template.items.all():
        assert item.history.filter(history_change_reason=migration.REASON).count() == 1


def test_loading_again_keeps_what_admins_changed(db):
    storm = PlanTemplate.objects.get(name="Comment storm")
    storm.holding_statement = "Our own words about {public_title}."
    storm.save()
    storm.items.filter(title="Pause scheduled posts").update(is_active=False)
    PlanTemplate.objects.filter(name="Data breach").update(is_active=False)
    counts = (PlanTemplate.objects.count(), storm.items.count())

    migration.load(apps, None)

    assert (PlanTemplate.objects.count(), storm.items.count()) == counts
    assert factories.reload(storm).holding_statement == "Our own words about {public_title}."
    assert not storm.items.get(title="Pause scheduled posts").is_active
    assert not PlanTemplate.objects.get(name="Data breach").is_active


def test_loading_again_brings_back_only_a_missing_playbook(db):
    PlanTemplate.objects.filter(name="General first response").update(name="Our first hour")

    migration.load(apps, None)

    assert PlanTemplate.objects.filter(name="General first response").count() == 1
    assert PlanTemplate.objects.filter(name="Our first hour").count() == 1
