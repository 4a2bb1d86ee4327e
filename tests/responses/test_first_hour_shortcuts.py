"""The first hour's shortcuts: **Save and submit for review** on the statement form
(responses:statement-create, responses:statement-edit) and **Approve and publish** on the
statement page (responses:statement-approve-publish, Statement.approve_and_publish). Neither
weakens a rule: the approval is still bound to the wording read, and never given by a writer."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from crisis.lifecycle import TransitionRefused
from responses.models import Publication, Review, Statement
from tests import factories
from tests.outbox import deliver

S = Statement.Status
BODY = "Some orders are late. We are sorry and will update you here by 18:00."


@pytest.fixture
def author(db):
    # Not one of the personas, so that the manager and admin may review what it wrote.
    return factories.make_comms("author")


def create_url(incident):
    return reverse("responses:statement-create", args=[incident.reference])


def edit_url(statement):
    return reverse("responses:statement-edit", args=[statement.pk])


def shortcut_url(statement):
    return reverse("responses:statement-approve-publish", args=[statement.pk])


def new_statement(**overrides):
    data = {
        "kind": "holding",
        "body": BODY,
        "target_platforms": ["x", "facebook"],
        "once_token": factories.once_token(),
        "then": "submit",
    }
    data.update(overrides)
    return data


def reasons(statement):
    return [r.history_change_reason for r in statement.history.order_by("history_id")]


# Save and submit for review.


def test_save_and_submit_drafts_and_submits_in_one_go(
    client_as, author, manager, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(author).post(create_url(incident), new_statement(), follow=True)
    deliver()

    statement = Statement.objects.get()
    assert statement.status == S.IN_REVIEW
    assert statement.author == author
    assert reasons(statement) == ["Drafted", "Submitted for approval"]
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]
    assert factories.messages_shown(response) == [
        (
            "success",
            "Draft saved and submitted for approval. The managers have been told by mail.",
        )
    ]


def test_save_alone_still_keeps_a_draft(client_as, author, incident):
    data = new_statement()
    del data["then"]

    client_as(author).post(create_url(incident), data)

    assert Statement.objects.get().status == S.DRAFT


def test_save_and_submit_on_an_edited_draft_submits_the_new_wording(client_as, author, incident):
    statement = factories.make_statement(incident, author)
    data = {**new_statement(body="Sorry: orders are late."), "version": statement.version}
    del data["once_token"]

    client_as(author).post(edit_url(statement), data)

    statement.refresh_from_db()
    assert statement.status == S.IN_REVIEW
    assert statement.body == "Sorry: orders are late."
    assert reasons(statement) == ["Drafted", "Edited", "Submitted for approval"]


def test_a_refused_submit_keeps_the_draft_and_says_why(client_as, incident):
    # Someone who may draft but not submit (a role an admin might set up).
    drafter = factories.make_user("drafter")
    drafter.user_permissions.add(
        Permission.objects.get(codename="add_statement", content_type__app_label="responses")
    )

    response = client_as(drafter).post(create_url(incident), new_statement(), follow=True)

    statement = Statement.objects.get()
    assert statement.status == S.DRAFT
    assert statement.body == BODY
    assert factories.messages_shown(response) == [
        ("warning", "Draft saved, but not submitted for approval: You may not submit for approval.")
    ]


def test_save_and_submit_on_a_statement_in_review_saves_and_says_it_is_already_there(
    client_as, author, incident
):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
    data = {**new_statement(body=statement.body, target_platforms=["x"])}
    data["version"] = statement.version
    del data["once_token"]

    response = client_as(author).post(edit_url(statement), data, follow=True)

    statement.refresh_from_db()
    assert statement.status == S.IN_REVIEW
    (level, text), *_ = factories.messages_shown(response)
    assert level == "warning"
    assert text.startswith("Saved, but not submitted for approval: “Submit for approval”")


def test_a_too_long_body_is_not_saved_nor_submitted(client_as, author, incident):
    response = client_as(author).post(create_url(incident), new_statement(body="x" * 281))

    assert response.status_code == 200
    assert "Too long for X by 1 character" in factories.page_text(response)
    assert not Statement.objects.exists()


def test_sending_save_and_submit_twice_drafts_and_submits_once(client_as, author, incident):
    client = client_as(author)
    data = new_statement()
    client.post(create_url(incident), data, follow=True)

    again = client.post(create_url(incident), data, follow=True)

    statement = Statement.objects.get()
    assert reasons(statement) == ["Drafted", "Submitted for approval"]
    assert factories.messages_shown(again) == [("info", "This was already saved: here it is.")]


def test_the_form_offers_save_and_submit_on_a_draft_only(client_as, author, incident):
    client = client_as(author)
    draft = factories.make_statement(incident, author)
    in_review = factories.make_statement(incident, author, status=S.IN_REVIEW)

    new_form = factories.page_text(client.get(create_url(incident)))
    draft_form = factories.page_text(client.get(edit_url(draft)))
    review_form = factories.page_text(client.get(edit_url(in_review)))

    button = '<button type="submit" name="then" value="submit" class="btn btn-primary">'
    assert f"{button}Save and submit for review</button>" in new_form
    assert f"{button}Save and submit for review</button>" in draft_form
    assert "Save and submit for review" not in review_form
    # Enter in a field saves without submitting: the plain save comes first.
    assert new_form.index("Save draft</button>") < new_form.index("Save and submit")


@pytest.mark.parametrize(
    ("role", "answer"),
    [("anonymous", 302), ("viewer", 403), ("comms", 302), ("manager", 302), ("admin", 302)],
)
def test_save_and_submit_lets_in_exactly_the_writers(role, answer, request, client_as, incident):
    user = None if role == "anonymous" else request.getfixturevalue(role)

    response = client_as(user).post(create_url(incident), new_statement())

    assert response.status_code == answer
    if role in ("anonymous", "viewer"):
        assert not Statement.objects.exists()
        if role == "anonymous":
            assert response.url.startswith(reverse("login"))
    else:
        assert Statement.objects.get().status == S.IN_REVIEW


# Approve and publish: the model verb.


def test_approve_and_publish_approves_the_wording_read_and_publishes_it(
    author, manager, incident, django_capture_on_commit_callbacks
):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
    read = statement.version
    deliver()
    mail.outbox.clear()  # the review request of the walk to In review

    with django_capture_on_commit_callbacks(execute=True):
        statement.approve_and_publish(
            by=manager, comment="Good.", version=read, links={"x": "https://x.com/b/status/1"}
        )
    deliver()

    statement.refresh_from_db()
    incident.refresh_from_db()
    assert statement.status == S.PUBLISHED
    assert statement.approved_by == manager and statement.approved_version == read
    assert statement.published_by == manager
    assert incident.first_acknowledged_at == statement.published_at
    review = Review.objects.get()
    assert (review.reviewer, review.decision, review.statement_version, review.comment) == (
        manager,
        Review.Decision.APPROVE,
        read,
        "Good.",
    )
    assert [(p.platform, p.url) for p in statement.publications.all()] == [
        ("x", "https://x.com/b/status/1")
    ]
    assert reasons(statement)[-2:] == ["Approved: Good.", "Published"]
    assert [m.subject.split("] ")[1] for m in mail.outbox] == [
        "Approved: Holding statement",
        "Published: Holding statement",
    ]


@pytest.mark.parametrize(
    "who", ["the author", "a contributor", "comms", "a reviewer who may not publish"]
)
def test_approve_and_publish_is_refused_and_leaves_nothing_half_done(
    who, author, manager, second_manager, comms, incident
):
    if who == "the author":
        statement = factories.make_statement(incident, manager, status=S.IN_REVIEW)
        by = manager
    elif who == "a contributor":
        statement = factories.make_statement(incident, author)
        statement.body = "Reworded by the manager."
        statement.save_wording(by=manager, expected_version=statement.version, fields=["body"])
        statement.submit(by=author)
        by = manager
    elif who == "comms":
        statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
        by = comms
    else:
        statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
        by = factories.make_user("approver")
        by.user_permissions.add(
            Permission.objects.get(codename="approve_statement"),
            Permission.objects.get(codename="change_statement"),
        )
    before = factories.snapshot(statement)
    incident_before = factories.snapshot(incident)

    with pytest.raises(TransitionRefused):
        statement.approve_and_publish(by=by, version=statement.version)

    assert factories.snapshot(statement) == before
    assert factories.snapshot(incident) == incident_before
    assert not Review.objects.exists() and not Publication.objects.exists()
    # The copy in memory forgets the approval that was rolled back, too.
    assert statement.status == S.IN_REVIEW


def test_approve_and_publish_refuses_a_wording_changed_since_it_was_read(author, manager, incident):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
    read = statement.version
    statement.body = "Changed meanwhile."
    statement.save_wording(by=author, expected_version=read, fields=["body"])
    statement.submit(by=author)

    with pytest.raises(TransitionRefused, match="changed after you opened it"):
        statement.approve_and_publish(by=manager, version=read)

    assert factories.reload(statement).status == S.IN_REVIEW


# Approve and publish: the page and its button.


def test_the_button_publishes_with_the_links_given(client_as, author, manager, incident):
    statement = factories.make_statement(
        incident, author, status=S.IN_REVIEW, target_platforms=["x", "facebook"]
    )
    data = {
        "version": statement.version,
        "comment": "",
        "link_x": "https://x.com/brand/status/1",
        "link_facebook": "",
    }

    response = client_as(manager).post(shortcut_url(statement), data, follow=True)

    statement.refresh_from_db()
    assert statement.status == S.PUBLISHED
    assert dict(statement.publications.values_list("platform", "url")) == {
        "x": "https://x.com/brand/status/1",
        "facebook": "",
    }
    (level, text), *_ = factories.messages_shown(response)
    assert level == "success"
    assert text.startswith("Approved and published to X, Facebook. Add links as posts go up.")
    assert "first public word" in text


def test_the_button_refuses_the_author_with_a_message(client_as, manager, incident):
    statement = factories.make_statement(incident, manager, status=S.IN_REVIEW)
    before = factories.snapshot(statement)

    response = client_as(manager).post(
        shortcut_url(statement), {"version": statement.version}, follow=True
    )

    assert factories.snapshot(statement) == before
    assert factories.messages_shown(response) == [
        (
            "danger",
            "Nothing was approved or published: You wrote this statement, so another manager "
            "must review it.",
        )
    ]


def test_a_bad_link_changes_nothing_and_keeps_what_was_typed(client_as, author, manager, incident):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
    before = factories.snapshot(statement)

    response = client_as(manager).post(
        shortcut_url(statement),
        {"version": statement.version, "link_x": "javascript:alert(1)", "comment": "Fine."},
    )

    assert response.status_code == 400
    assert factories.snapshot(statement) == before
    html = factories.page_text(response)
    assert "Enter a valid URL." in html
    assert 'value="javascript:alert(1)"' in html
    assert factories.messages_shown(response)[0][0] == "danger"


def test_pressing_it_twice_publishes_once(client_as, author, manager, incident):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
    client = client_as(manager)
    data = {"version": statement.version, "link_x": "https://x.com/brand/status/1"}
    client.post(shortcut_url(statement), data, follow=True)
    published = factories.snapshot(statement)
    rows = statement.history.count()

    again = client.post(shortcut_url(statement), data, follow=True)

    assert factories.snapshot(statement) == published
    assert statement.history.count() == rows
    assert Publication.objects.count() == 1 and Review.objects.count() == 1
    (level, text), *_ = factories.messages_shown(again)
    assert level == "danger" and text.startswith("Nothing was approved or published:")


def test_a_stale_version_is_refused(client_as, author, manager, incident):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)

    client_as(manager).post(shortcut_url(statement), {"version": statement.version - 1})

    assert factories.reload(statement).status == S.IN_REVIEW


def test_a_frozen_incident_is_refused(client_as, author, manager, second_manager, incident):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
    incident.cancel(by=second_manager, reason="False alarm")

    client_as(manager).post(shortcut_url(statement), {"version": statement.version})

    assert factories.reload(statement).status == S.IN_REVIEW


@pytest.mark.parametrize(
    ("role", "offered"),
    [("viewer", False), ("comms", False), ("author", False), ("manager", True), ("admin", True)],
)
def test_the_button_is_offered_to_whoever_may_approve_and_publish(
    role, offered, request, client_as, author, incident
):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)

    html = factories.page_text(
        client_as(request.getfixturevalue(role)).get(statement.get_absolute_url())
    )

    assert ("Approve and publish</button>" in html) == offered
    assert ('id="id_link_x"' in html) == offered


def test_the_dashboard_leads_straight_to_the_button(client_as, author, manager, incident):
    statement = factories.make_statement(incident, author, status=S.IN_REVIEW)
    client = client_as(manager)

    dashboard = factories.page_text(client.get(reverse("incidents:dashboard")))
    page = factories.page_text(client.get(statement.get_absolute_url()))

    assert f'<a class="fw-semibold" href="{statement.get_absolute_url()}">' in dashboard
    assert f'formaction="{shortcut_url(statement)}">Approve and publish</button>' in page


def test_the_button_is_not_offered_once_approved(client_as, author, manager, incident):
    statement = factories.make_statement(incident, author, status=S.APPROVED)

    html = factories.page_text(client_as(manager).get(statement.get_absolute_url()))

    assert "Approve and publish" not in html
    assert ">Publish</button>" in html
