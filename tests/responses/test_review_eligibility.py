"""Who may review a statement: one rule, and every place that asks agrees with it.

A reviewer holds the approval permission and wrote none of the statement: not its author, and
nobody who saved a change to its kind, wording or platforms. The statement page, the incident
page, the dashboard, the review-request mail and the verbs all follow ``Statement.review_refusal``.
"""

import pytest
from django.core import mail
from django.urls import reverse

from crisis.lifecycle import TransitionRefused
from responses.models import Statement
from tests import factories
from tests.outbox import deliver

S = Statement.Status


@pytest.fixture
def author(db):
    return factories.make_comms("author")


@pytest.fixture
def rewritten(author, manager, django_capture_on_commit_callbacks):
    """A statement by ``author`` whose wording ``manager`` changed, then submitted for review
    (the review-request mail sent)."""
    statement = factories.make_statement(factories.make_incident(author), author)
    form_copy = factories.reload(statement)
    form_copy.body = "We are sorry: some orders are late. We will update you here by 18:00."
    form_copy.save_wording(by=manager, expected_version=form_copy.version, fields=["body"])
    with django_capture_on_commit_callbacks(execute=True):
        form_copy.submit(by=author)
    deliver()
    return factories.reload(form_copy)


def test_the_rule_knows_the_author_and_every_contributor(rewritten, author, manager):
    second = factories.make_manager("second-manager")

    assert rewritten.share_in_writing(author) == "author"
    assert rewritten.share_in_writing(manager) == "contributor"
    assert rewritten.share_in_writing(second) == ""
    assert rewritten.review_refusal(manager) == (
        "You changed this statement’s wording, so another manager must review it."
    )
    assert (rewritten.may_review(manager), rewritten.may_review(second)) == (False, True)
    assert not rewritten.may_review(author)  # Comms: no permission, and the author anyway


def test_a_manager_who_changed_the_wording_is_not_told_it_waits_for_them(
    rewritten, client_as, manager
):
    client = client_as(manager)

    statement_page = client.get(rewritten.get_absolute_url())
    incident_page = client.get(rewritten.incident.get_absolute_url())

    assert "Approve</button>" not in factories.page_text(statement_page)
    assert "Waiting for your approval" not in factories.page_text(statement_page)
    assert "You changed its wording, so someone else reviews it." in factories.page_text(
        statement_page
    )
    assert "Waiting for your approval" not in factories.page_text(incident_page)
    assert "Waiting for a manager’s approval" in factories.page_text(incident_page)
    [(_, next_step)] = incident_page.context["statements"]
    assert not next_step.is_your_review


def test_another_manager_is_told_it_waits_for_them(rewritten, client_as, second_manager):
    client = client_as(second_manager)

    statement_page = factories.page_text(client.get(rewritten.get_absolute_url()))
    incident_page = factories.page_text(client.get(rewritten.incident.get_absolute_url()))
    dashboard = client.get(reverse("incidents:dashboard"))

    assert "Approve</button>" in statement_page
    assert "Waiting for your approval" in statement_page
    assert "Waiting for your approval" in incident_page
    assert dashboard.context["awaiting_review"] == [rewritten]


def test_the_dashboard_does_not_list_it_for_the_manager_who_changed_it(
    rewritten, client_as, manager
):
    response = client_as(manager).get(reverse("incidents:dashboard"))

    assert response.context["awaiting_review"] == []
    assert rewritten.get_absolute_url() not in factories.page_text(response)


def test_the_review_request_mail_skips_the_manager_who_changed_it(second_manager, rewritten):
    # Made in this order: second_manager exists when the fixture submits and the mail goes.
    assert [sorted(m.to) for m in mail.outbox] == [["second-manager@example.com"]]


def test_the_review_request_mail_reaches_every_holder_of_the_permission(
    author, manager, admin, django_capture_on_commit_callbacks
):
    # A superuser may approve (the permission check says so), so they hear of it too.
    statement = factories.make_statement(factories.make_incident(author), author)

    with django_capture_on_commit_callbacks(execute=True):
        statement.submit(by=author)
    deliver()

    assert sorted(m.to for m in mail.outbox) == [["admin@example.com"], ["manager@example.com"]]
    assert sorted(u.username for u in statement.eligible_second_eyes()) == ["admin", "manager"]


@pytest.mark.parametrize("action", ["approve", "request-changes"])
def test_the_manager_who_changed_it_is_refused_and_another_may_decide(
    action, rewritten, client_as, manager, second_manager
):
    url = reverse(f"responses:statement-{action}", args=[rewritten.pk])
    data = {"version": rewritten.version, "comment": "Say when the next update comes."}
    before = factories.snapshot(rewritten)

    refused = client_as(manager).post(url, data, follow=True)

    assert factories.snapshot(rewritten) == before
    assert factories.messages_shown(refused) == [
        ("danger", "You changed this statement’s wording, so another manager must review it.")
    ]
    client_as(second_manager).post(url, data)
    assert factories.reload(rewritten).status == (S.APPROVED if action == "approve" else S.DRAFT)


def test_the_verb_refuses_the_contributor_whichever_way_it_is_called(
    rewritten, manager, second_manager
):
    with pytest.raises(TransitionRefused, match="You changed this statement’s wording"):
        rewritten.approve(by=manager)

    rewritten.approve(by=second_manager)
    assert factories.reload(rewritten).approved_by == second_manager


def test_changing_only_the_kind_also_makes_a_contributor(author, manager):
    statement = factories.make_statement(factories.make_incident(author), author)
    form_copy = factories.reload(statement)
    form_copy.kind = Statement.Kind.APOLOGY
    form_copy.save_wording(by=manager, expected_version=form_copy.version, fields=["kind"])
    form_copy.submit(by=author)

    assert statement.writers() == {manager.pk}
    assert not factories.reload(statement).may_review(manager)


@pytest.mark.parametrize("count", [1, 20])
def test_the_waiting_list_asks_the_history_once_however_many_statements(
    count, author, manager, second_manager, django_assert_num_queries
):
    incident = factories.make_incident(author)
    for number in range(count):
        statement = factories.make_statement(incident, author)
        # Every other statement reworded by the manager: those are not theirs to review.
        if number % 2:
            form_copy = factories.reload(statement)
            form_copy.body = f"Reworded {number}."
            form_copy.save_wording(by=manager, expected_version=form_copy.version, fields=["body"])
        statement.submit(by=author)
    manager.has_perm("responses.approve_statement")  # the permission cache, loaded once a request

    # The groups, the statements, their rounds, stages and backups, then their history.
    with django_assert_num_queries(6):
        waiting = Statement.objects.awaiting_review_by(manager)

    assert len(waiting) == (count + 1) // 2
    assert all(not s.body.startswith("Reworded") for s in waiting)


@pytest.mark.parametrize("count", [1, 20])
def test_the_dashboard_query_count_does_not_grow_with_statements_in_review(
    count, client_as, author, manager, django_assert_max_num_queries
):
    incident = factories.make_incident(author)
    for _ in range(count):
        factories.make_statement(incident, author, status=S.IN_REVIEW)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.DASHBOARD_QUERIES):
        response = client.get(reverse("incidents:dashboard"))

    assert len(response.context["awaiting_review"]) == count


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_it_refuses_review_by_a_manager_who_reworded_the_statement(action, comms, manager):
    statement = factories.make_statement(factories.make_incident(comms), comms)
    copy = factories.reload(statement)
    copy.body = "We are sorry: some orders are late. Update by 18:00."
    copy.save_wording(by=manager, expected_version=copy.version, fields=["body"])
    statement = factories.reload(statement)
    statement.submit(by=comms)
    before = factories.snapshot(statement)

    with pytest.raises(TransitionRefused, match="You changed this statement’s wording"):
        if action == "approve":
            statement.approve(by=manager)
        else:
            statement.request_changes(by=manager, comment="Softer, please.")

    assert factories.snapshot(statement) == before
    assert [a for a, _ in statement.allowed_moves(manager, statement.writers())] == ["withdraw"]


def test_a_manager_who_only_submitted_may_still_review(comms, manager, second_manager):
    statement = factories.make_statement(factories.make_incident(comms), comms)
    statement.submit(by=second_manager)

    assert statement.writers() == set()
    statement.approve(by=manager)
    assert factories.reload(statement).status == S.APPROVED
