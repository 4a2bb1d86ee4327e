"""Moving a statement from its page: submit, approve, request changes, publish, withdraw, links;
and what the incident page and the dashboard say about it."""

import pytest
from django.urls import reverse

from responses.models import Review, Statement
from tests import factories

S = Statement.Status


def action_url(name, statement):
    return reverse(f"responses:statement-{name}", args=[statement.pk])


@pytest.fixture
def author(db):
    return factories.make_comms("author")


@pytest.fixture
def statement_in(author):
    def make(status, **overrides):
        return factories.make_statement(
            factories.make_incident(author), author, status=status, **overrides
        )

    return make


def test_submitting_puts_it_in_review(client_as, author, statement_in):
    statement = statement_in(S.DRAFT)

    response = client_as(author).post(
        action_url("submit", statement), {"version": statement.version}, follow=True
    )

    assert factories.reload(statement).status == S.IN_REVIEW
    assert response.redirect_chain == [(statement.get_absolute_url(), 302)]
    assert factories.messages_shown(response) == [
        ("success", "Submitted for approval. The managers have been told by mail.")
    ]


def test_the_author_finds_no_approve_button_and_is_refused_anyway(client_as, statement_in):
    manager_author = factories.make_manager("manager-author")
    statement = factories.make_statement(
        factories.make_incident(manager_author), manager_author, status=S.IN_REVIEW
    )
    client = client_as(manager_author)
    page = client.get(statement.get_absolute_url())
    before = factories.snapshot(statement)

    response = client.post(
        action_url("approve", statement), {"version": statement.version}, follow=True
    )

    assert "Approve</button>" not in factories.page_text(page)
    assert "You wrote this statement, so someone else reviews it." in factories.page_text(page)
    assert factories.snapshot(statement) == before
    assert factories.messages_shown(response) == [
        ("danger", "You wrote this statement, so another manager must review it.")
    ]


def test_a_manager_approves_from_the_page(client_as, manager, statement_in):
    statement = statement_in(S.IN_REVIEW)
    client = client_as(manager)
    form = factories.form_values(client.get(statement.get_absolute_url()), "comment")
    form["comment"] = "Clear and kind."

    response = client.post(action_url("approve", statement), dict(form.lists()), follow=True)

    stored = factories.reload(statement)
    assert (stored.status, stored.approved_by) == (S.APPROVED, manager)
    assert Review.objects.get().comment == "Clear and kind."
    assert factories.messages_shown(response) == [("success", "Approved. It can now be published.")]


def test_approving_without_the_version_read_is_refused(client_as, manager, statement_in):
    statement = statement_in(S.IN_REVIEW)

    response = client_as(manager).post(action_url("approve", statement), {}, follow=True)

    assert factories.reload(statement).status == S.IN_REVIEW
    assert factories.messages_shown(response) == [
        ("danger", "Reload the statement and try again: the form was incomplete.")
    ]


def test_approving_a_stale_page_is_refused(client_as, manager, author, statement_in):
    statement = statement_in(S.IN_REVIEW)
    read = statement.version
    fresh = factories.reload(statement)
    fresh.body = "Changed while the manager was reading."
    fresh.save_wording(by=author, expected_version=read, fields=["body"])
    factories.reload(statement).submit(by=author)

    response = client_as(manager).post(
        action_url("approve", statement), {"version": read}, follow=True
    )

    assert factories.reload(statement).approved_at is None
    assert factories.messages_shown(response) == [
        ("danger", "The statement changed after you opened it. Read the new wording, then decide.")
    ]


def test_requesting_changes_needs_a_comment(client_as, manager, statement_in):
    statement = statement_in(S.IN_REVIEW)

    response = client_as(manager).post(
        action_url("request-changes", statement),
        {"version": statement.version, "comment": "  "},
        follow=True,
    )

    assert factories.reload(statement).status == S.IN_REVIEW
    assert factories.messages_shown(response) == [
        ("danger", "Say what should change: the author reads your comment.")
    ]


def test_requesting_changes_returns_it_to_draft(client_as, manager, statement_in):
    statement = statement_in(S.IN_REVIEW)

    response = client_as(manager).post(
        action_url("request-changes", statement),
        {"version": statement.version, "comment": "Name the date."},
        follow=True,
    )

    assert factories.reload(statement).status == S.DRAFT
    assert factories.messages_shown(response) == [
        ("success", "Changes requested. The statement is back in Draft.")
    ]


@pytest.mark.parametrize("status", [S.DRAFT, S.IN_REVIEW])
def test_publishing_an_unapproved_statement_is_refused(status, client_as, manager, statement_in):
    statement = statement_in(status)

    response = client_as(manager).post(action_url("publish", statement), {}, follow=True)

    assert factories.reload(statement).status == status
    assert not statement.publications.exists()
    assert factories.reload(statement.incident).first_acknowledged_at is None
    label = "Draft" if status == S.DRAFT else "In review"
    assert factories.messages_shown(response) == [
        ("danger", f"“Publish” is not possible while the statement is {label}.")
    ]


def test_publishing_records_the_links_given(client_as, manager, statement_in):
    statement = statement_in(S.APPROVED, target_platforms=["x", "facebook"])

    response = client_as(manager).post(
        action_url("publish", statement),
        {"link_x": "https://x.com/brand/status/1", "link_facebook": ""},
        follow=True,
    )

    stored = factories.reload(statement)
    assert stored.status == S.PUBLISHED
    assert [(p.platform, p.url) for p in stored.publications.all()] == [
        ("x", "https://x.com/brand/status/1"),
        ("facebook", ""),
    ]
    assert factories.reload(statement.incident).first_acknowledged_at == stored.published_at
    assert factories.messages_shown(response) == [
        (
            "success",
            "Published to X, Facebook. Add links as posts go up. This is the incident’s first "
            "public word: open its public page so the audience can follow every update in one "
            "place.",
        )
    ]


@pytest.mark.parametrize("link", ["javascript:alert(1)", "not a link", "ftp://files.example/a"])
def test_a_bad_link_at_publish_time_publishes_nothing(link, client_as, manager, statement_in):
    statement = statement_in(S.APPROVED)

    response = client_as(manager).post(action_url("publish", statement), {"link_x": link})

    assert response.status_code == 400
    assert factories.reload(statement).status == S.APPROVED
    assert factories.messages_shown(response) == [
        ("danger", "Some links are not web addresses; nothing was published.")
    ]
    assert factories.form_values(response, "link_x")["link_x"] == link


def test_a_link_is_added_after_publishing(client_as, comms, statement_in):
    statement = statement_in(S.PUBLISHED)
    publication = statement.publications.get()

    response = client_as(comms).post(
        reverse("responses:publication-link", args=[statement.pk, publication.pk]),
        {"url": "https://x.com/brand/status/7"},
        follow=True,
    )

    assert factories.reload(publication).url == "https://x.com/brand/status/7"
    assert publication.history.first().history_user == comms
    assert factories.messages_shown(response) == [("success", "Link on X saved.")]


def test_a_bad_link_is_not_saved(client_as, comms, statement_in):
    statement = statement_in(S.PUBLISHED)
    publication = statement.publications.get()

    response = client_as(comms).post(
        reverse("responses:publication-link", args=[statement.pk, publication.pk]),
        {"url": "javascript:alert(1)"},
        follow=True,
    )

    assert factories.reload(publication).url == ""
    assert factories.messages_shown(response) == [
        ("danger", "Link on X not saved: Enter a valid URL.")
    ]


def test_a_link_for_another_statements_publication_is_not_found(client_as, comms, statement_in):
    one, other = statement_in(S.PUBLISHED), statement_in(S.PUBLISHED)

    response = client_as(comms).post(
        reverse("responses:publication-link", args=[one.pk, other.publications.get().pk]),
        {"url": "https://x.com/a"},
    )

    assert response.status_code == 404


def test_withdrawing_ends_it(client_as, author, statement_in):
    statement = statement_in(S.IN_REVIEW)

    response = client_as(author).post(
        action_url("withdraw", statement), {"reason": "Facts changed"}, follow=True
    )

    stored = factories.reload(statement)
    assert (stored.status, stored.withdrawn_by) == (S.WITHDRAWN, author)
    assert statement.history.first().history_change_reason == "Withdrawn: Facts changed"
    assert factories.messages_shown(response) == [
        ("success", "Withdrawn. It will not be published.")
    ]


def test_a_published_statement_cannot_be_withdrawn(client_as, manager, statement_in):
    statement = statement_in(S.PUBLISHED)

    response = client_as(manager).post(action_url("withdraw", statement), follow=True)

    assert factories.reload(statement).status == S.PUBLISHED
    assert factories.messages_shown(response) == [
        ("danger", "“Withdraw” is not possible while the statement is Published.")
    ]


@pytest.mark.parametrize(
    ("role", "status", "buttons"),
    [
        ("viewer", S.DRAFT, []),
        ("comms", S.DRAFT, ["Submit for approval", "Withdraw statement"]),
        ("comms", S.IN_REVIEW, ["Withdraw statement"]),
        ("manager", S.IN_REVIEW, ["Approve", "Request changes", "Withdraw statement"]),
        ("manager", S.APPROVED, ["Publish", "Withdraw statement"]),
        ("comms", S.APPROVED, ["Withdraw statement"]),
        ("manager", S.PUBLISHED, ["Save link on X"]),
    ],
)
def test_each_role_sees_only_the_buttons_it_may_use(
    role, status, buttons, request, client_as, statement_in
):
    statement = statement_in(status)

    response = client_as(request.getfixturevalue(role)).get(statement.get_absolute_url())

    html = factories.page_text(response)
    shown = [
        label
        for label in [
            "Submit for approval",
            "Approve",
            "Request changes",
            "Publish",
            "Withdraw statement",
            "Save link on X",
        ]
        if f">{label}</button>"
        in html.replace('<span class="visually-hidden"> on X</span>', " on X")
    ]
    assert shown == buttons


# The incident page and the dashboard


def test_the_incident_page_lists_statements_with_what_comes_next(client_as, manager, author):
    incident = factories.make_incident(author)
    factories.make_statement(incident, author, status=S.IN_REVIEW, body="Please wait for news.")
    factories.make_statement(incident, author, status=S.PUBLISHED, body="We are on it.")

    as_manager = factories.page_text(client_as(manager).get(incident.get_absolute_url()))
    as_author = factories.page_text(client_as(author).get(incident.get_absolute_url()))

    assert "Please wait for news." in as_manager and "We are on it." in as_manager
    assert "Waiting for your approval" in as_manager
    assert "Waiting for your approval" not in as_author
    assert "Waiting for a manager’s approval" in as_author


@pytest.mark.parametrize("count", [1, 30])
def test_the_incident_page_query_count_does_not_grow_with_statements(
    count, client_as, manager, author, django_assert_max_num_queries
):
    incident = factories.make_incident(author)
    for _ in range(count):
        factories.make_statement(incident, author)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(incident.get_absolute_url())

    assert len(response.context["statements"]) == count
    # Declared, then each drafted.
    assert len(response.context["timeline"]) == min(30, 1 + count)


def test_the_dashboard_lists_statements_waiting_for_my_approval(client_as, manager, author):
    waiting = factories.make_statement(factories.make_incident(author), author, status=S.IN_REVIEW)
    factories.make_statement(factories.make_incident(author), author, status=S.APPROVED)
    own = factories.make_statement(factories.make_incident(manager), manager, status=S.IN_REVIEW)

    response = client_as(manager).get(reverse("incidents:dashboard"))

    assert response.context["awaiting_review"] == [waiting]
    html = factories.page_text(response)
    assert "Waiting for your approval" in html
    assert waiting.get_absolute_url() in html
    assert own.get_absolute_url() not in html


@pytest.mark.parametrize("role", ["viewer", "comms"])
def test_the_dashboard_shows_no_approval_box_to_those_who_never_approve(
    role, request, client_as, author
):
    factories.make_statement(factories.make_incident(author), author, status=S.IN_REVIEW)

    response = client_as(request.getfixturevalue(role)).get(reverse("incidents:dashboard"))

    assert "awaiting_review" not in response.context
    assert "Waiting for your approval" not in factories.page_text(response)


def test_the_incident_timeline_includes_what_happened_to_its_statements(client_as, viewer, author):
    incident = factories.make_incident(author)
    factories.make_statement(incident, author, status=S.IN_REVIEW)

    response = client_as(viewer).get(incident.get_absolute_url())

    reasons = [(e.reason, e.subject) for e in response.context["timeline"]]
    assert ("Submitted for approval", "Statement: Holding statement") in reasons
    assert ("Drafted", "Statement: Holding statement") in reasons
