"""The demo data includes statements in the states a reviewer meets."""

from io import StringIO

from django.core.management import call_command

from incidents.models import Incident
from responses.models import Statement

S = Statement.Status


def seed():
    out = StringIO()
    call_command("seed_demo", "--password", "demo-password-for-tests", stdout=out)
    return out.getvalue()


def test_the_demo_has_published_in_review_and_draft_statements(db):
    output = seed()

    by_incident = {
        s.incident.status: s.status for s in Statement.objects.select_related("incident")
    }
    assert sorted(Statement.objects.values_list("status", flat=True)) == sorted(
        [S.PUBLISHED, S.PUBLISHED, S.PUBLISHED, S.IN_REVIEW, S.DRAFT]
    )
    assert by_incident[Incident.Status.RESOLVED] == S.PUBLISHED
    resolved = Incident.objects.get(title="Checkout outage during the autumn sale")
    assert resolved.is_public_page_open and resolved.first_acknowledged_at is not None
    assert "Statements: 5 new." in output


def test_seeding_twice_adds_no_statement(db):
    seed()

    output = seed()

    assert Statement.objects.count() == 5
    assert "Statements: 0 new." in output


def test_each_statement_step_is_dated_in_its_incidents_story(db):
    seed()

    for statement in Statement.objects.select_related("incident"):
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
