"""The demo data includes statements in the states a reviewer meets, and incidents planned from
the playbooks."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.chains import NOTICE
from incidents.models import Incident
from responses import public_word
from responses.models import ActionItem, PlanApplication, PlanTemplate, ProgressUpdate, Statement

S = Statement.Status
pytestmark = pytest.mark.usefixtures("playbooks")


def seed():
    out = StringIO()
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    return out.getvalue()


def test_the_demo_has_published_in_review_and_draft_statements(db):
    output = seed()

    # The stories' statements; the drill's notice waits in the approval chain (tested below).
    told = Statement.objects.exclude(body=NOTICE)
    by_incident = {s.incident.status: s.status for s in told.select_related("incident")}
    assert sorted(told.values_list("status", flat=True)) == sorted(
        [S.PUBLISHED, S.PUBLISHED, S.PUBLISHED, S.PUBLISHED, S.IN_REVIEW, S.DRAFT]
    )
    assert by_incident[Incident.Status.RESOLVED] == S.PUBLISHED
    resolved = Incident.objects.get(title="Checkout outage during the autumn sale")
    assert resolved.is_public_page_open and resolved.first_acknowledged_at is not None
    assert "Statements: 6 new." in output


def test_seeding_twice_adds_no_statement(db):
    seed()

    output = seed()

    assert Statement.objects.count() == 7  # six from the stories, one waiting in a chain
    assert "Statements: 0 new." in output
    assert "Plan templates applied: 0." in output
    assert PlanApplication.objects.count() == 2


def test_the_drill_ran_the_data_breach_playbook_to_the_end(db):
    output = seed()

    drill = Incident.objects.get(is_drill=True)
    application = drill.plan_applications.get()
    assert application.template.name == "Data breach"
    assert application.applied_by.username == "comms"
    items = list(drill.action_items.all())
    assert "Notify the supervisory authority" in [i.title for i in items]
    assert {i.status for i in items} == {ActionItem.Status.DONE}
    holding = drill.statements.exclude(body=NOTICE).get()
    assert holding.status == S.PUBLISHED
    assert drill.first_acknowledged_at == holding.published_at
    assert "Plan templates applied: 2." in output


def test_the_comment_storm_works_from_its_playbook(db):
    seed()

    storm = Incident.objects.get(title="Delivery delays spark a storm of angry replies")
    assert storm.plan_applications.get().template.name == "Comment storm"
    items = list(storm.action_items.order_by("position"))
    assert items[0].status == ActionItem.Status.DONE
    assert {i.status for i in items[1:]} == {ActionItem.Status.OPEN}
    # The team rewrote the playbook's draft and sent it for approval.
    holding = storm.statements.get()
    assert holding.status == S.IN_REVIEW
    assert holding.body.startswith("We know many orders are late")
    reasons = [r.history_change_reason for r in holding.history.order_by("history_id")]
    assert reasons == [
        "Drafted from plan template “Comment storm”",
        "Edited",
        "Submitted for approval",
    ]


def test_each_statement_step_is_dated_in_its_incidents_story(db):
    seed()

    # The chain's statement waits between stages (see the chain's own test below).
    for statement in Statement.objects.exclude(body=NOTICE).select_related("incident"):
        incident = statement.incident
        assert incident.declared_at < statement.created_at
        steps = [statement.created_at, statement.submitted_at, statement.approved_at]
        steps = [at for at in steps + [statement.published_at] if at is not None]
        assert steps == sorted(steps)
        rows = list(statement.history.order_by("history_id"))
        assert rows[0].history_date == statement.created_at
        assert rows[-1].history_date == steps[-1]
        for review in statement.reviews.all():
            assert review.created_at == statement.approved_at
        for publication in statement.publications.all():
            assert publication.published_at == statement.published_at
    checkout = Incident.objects.get(title="Checkout outage during the autumn sale")
    first = checkout.statements.order_by("published_at").first()
    assert checkout.first_acknowledged_at == first.published_at < checkout.resolved_at


def test_without_playbooks_the_demo_still_tells_its_story(db):
    PlanTemplate.objects.update(is_active=False)

    output = seed()

    assert not PlanApplication.objects.exists()
    storm = Incident.objects.get(title="Delivery delays spark a storm of angry replies")
    assert storm.statements.get().status == S.IN_REVIEW
    assert "Statements: 5 new." in output


def test_the_demo_keeps_its_audience_updated_on_the_monitored_incident(db):
    seed()
    seed()  # and a second run adds none

    incident = Incident.objects.get(title="Employee's offensive post shared from a brand account")
    public = ProgressUpdate.objects.filter(incident=incident, kind=ProgressUpdate.Kind.PUBLIC)
    assert [(u.status, u.author.username, u.published_by.username) for u in public] == [
        (ProgressUpdate.Status.PUBLISHED, "comms", "manager")
    ]
    assert public[0].next_update_at > public[0].published_at
    assert ProgressUpdate.objects.filter(kind=ProgressUpdate.Kind.INTERNAL).count() == 2
    clock = Incident.objects.with_clocks().get(pk=incident.pk).response_clock
    assert (clock.phase, clock.deadline.state) == ("next_update", "ok")
    assert (incident.public_word_at, incident.promised_update_at) == (
        public[0].published_at,
        public[0].next_update_at,
    )
    # Every incident's stored public word is what its statements and updates tell.
    assert public_word.differences() == []


def test_the_demo_public_pages_are_branded_and_titled_for_the_audience(client, db):
    from django.urls import reverse

    from responses.models import PublicProfile
    from responses.public import public_page_url

    seed()

    profile = PublicProfile.objects.get()
    assert profile.company_name == "Northwind Goods" and profile.logo_sha
    assert not Incident.objects.filter(public_title="").exists()
    opened = Incident.objects.get(is_public_page_open=True)
    page = client.get(public_page_url(opened)).content.decode()
    assert opened.public_title in page and opened.title not in page
    assert "Northwind Goods" in page
    status = client.get(reverse("responses:status-page")).content.decode()
    assert opened.public_title in status


def test_the_demo_public_page_and_status_page_have_a_few_readers_by_mail(db):
    from subscriptions.models import Subscription

    seed()
    seed()  # once each, however often it runs

    opened = Incident.objects.get(is_public_page_open=True)
    readers = Subscription.objects.confirmed()
    assert readers.filter(incident=opened).count() == 2
    assert readers.filter(incident__isnull=True).count() == 2
    assert all(row.email.endswith("@example.com") for row in readers)


def test_the_demo_has_a_chain_in_progress_at_its_second_stage(db):
    from responses.models import ApprovalChain

    seed()
    seed()

    chain = ApprovalChain.objects.get(name="Data breach sign-off")
    assert [s.name for s in chain.stages.all()] == ["Comms lead", "Legal", "Executive"]
    assert [u.username for u in chain.stages.get(name="Legal").backups.all()] == ["admin"]
    statement = Statement.objects.get(body=NOTICE)
    assert statement.status == Statement.Status.IN_REVIEW
    assert statement.current_stage().name == "Legal"
    assert statement.current_stage().is_escalated()
    assert Statement.objects.filter(body=NOTICE).count() == 1
