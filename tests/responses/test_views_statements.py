"""Drafting, editing and reading statements: responses:statement-create, -edit, -detail."""

import pytest
from django.urls import reverse

from incidents.models import Incident
from responses.models import Statement
from tests import factories
from tests.factories import FROZEN_NOTICE

S = Statement.Status
BODY = "We know some orders are late. We are sorry, and we will update you here by 18:00."


def create_url(incident):
    return reverse("responses:statement-create", args=[incident.reference])


def edit_url(statement):
    return reverse("responses:statement-edit", args=[statement.pk])


# Drafting


def test_comms_drafts_a_statement(client_as, comms, incident):
    response = client_as(comms).post(
        create_url(incident),
        {
            "kind": "holding",
            "body": BODY,
            "target_platforms": ["x", "instagram"],
            "once_token": factories.once_token(),
        },
        follow=True,
    )

    statement = Statement.objects.get()
    assert response.redirect_chain == [(statement.get_absolute_url(), 302)]
    assert (statement.incident, statement.author, statement.status) == (incident, comms, S.DRAFT)
    assert (statement.body, statement.target_platforms) == (BODY, ["x", "instagram"])
    row = statement.history.get()
    assert (row.history_user, row.history_change_reason) == (comms, "Drafted")
    assert factories.messages_shown(response) == [
        ("success", "Draft saved. Submit it for approval when it is ready.")
    ]


def test_the_form_offers_the_incidents_platforms_first_and_ticked(client_as, comms):
    incident = factories.make_incident(comms, platforms=["linkedin", "tiktok"])

    response = client_as(comms).get(create_url(incident))

    form = response.context["form"]
    codes = [code for code, _label in form.fields["target_platforms"].choices]
    assert codes[:2] == ["linkedin", "tiktok"]
    assert set(codes) == {
        "x",
        "facebook",
        "instagram",
        "linkedin",
        "tiktok",
        "youtube",
        "reddit",
        "threads",
        "bluesky",
        "mastodon",
        "other",
    }
    assert factories.form_values(response, "body").getlist("target_platforms") == [
        "linkedin",
        "tiktok",
    ]


def test_line_breaks_count_once(client_as, comms, incident):
    body = ("a" * 139 + "\r\n") * 2  # 280 characters once CRLF becomes LF and the end is trimmed

    client_as(comms).post(
        create_url(incident),
        {
            "kind": "holding",
            "body": body,
            "target_platforms": ["x"],
            "once_token": factories.once_token(),
        },
    )

    assert Statement.objects.get().body == "a" * 139 + "\n" + "a" * 139


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"body": "", "target_platforms": ["x"]}, "body", "Write the statement first."),
        ({"body": "   ", "target_platforms": ["x"]}, "body", "Write the statement first."),
        ({"body": BODY}, "target_platforms", "Choose at least one platform."),
        (
            {"body": "a" * 315, "target_platforms": ["x", "instagram"]},
            "body",
            "Too long for X by 35 characters (315 of 280).",
        ),
        (
            {"body": "a" * 501, "target_platforms": ["threads", "bluesky", "other"]},
            "body",
            "Too long for Bluesky by 201 characters (501 of 300).",
        ),
        ({"body": BODY, "target_platforms": ["myspace"]}, "target_platforms", "myspace"),
        ({"body": BODY, "target_platforms": ["x"], "kind": "rant"}, "kind", "rant"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(data, field, error, client_as, comms, incident):
    response = client_as(comms).post(create_url(incident), {"kind": "holding", **data})

    assert response.status_code == 200
    assert any(error in message for message in response.context["form"].errors[field])
    assert error in factories.page_text(response)
    assert not Statement.objects.exists()


def test_it_names_every_platform_the_body_is_too_long_for(client_as, comms, incident):
    response = client_as(comms).post(
        create_url(incident),
        {"kind": "holding", "body": "a" * 315, "target_platforms": ["x", "bluesky", "threads"]},
    )

    assert response.context["form"].errors["body"] == [
        "Too long for X by 35 characters (315 of 280).",
        "Too long for Bluesky by 15 characters (315 of 300).",
    ]


def test_the_form_shows_x_s_own_count_by_the_body(client_as, comms, incident):
    # 141 characters, but X counts each emoji as 2.
    response = client_as(comms).post(
        create_url(incident), {"kind": "holding", "body": "😷" * 141, "target_platforms": ["x"]}
    )

    assert response.context["form"].errors["body"] == [
        "Too long for X by 2 characters "
        "(282 of 280, as X counts: a link 23, most emoji and CJK characters 2)."
    ]
    assert "😷" * 141 in factories.page_text(response)  # what was typed is kept
    assert not Statement.objects.exists()


def test_the_edit_form_checks_the_new_platforms(client_as, comms, incident):
    statement = factories.make_statement(
        incident, comms, body="a" * 501, target_platforms=["tiktok"]
    )
    client = client_as(comms)
    data = factories.form_values(client.get(edit_url(statement)), "body")
    data.setlist("target_platforms", ["tiktok", "threads"])

    response = client.post(edit_url(statement), dict(data.lists()))

    assert response.context["form"].errors["body"] == [
        "Too long for Threads by 1 character (501 of 500)."
    ]
    assert factories.reload(statement).target_platforms == ["tiktok"]


def test_the_form_carries_the_limits_for_the_live_counter(client_as, comms, incident):
    response = client_as(comms).get(create_url(incident))

    html = factories.page_text(response)
    assert '"x": 280' in html
    assert "js/statement-counter.js" in html
    assert "<script>" not in html  # CSP: no inline script


def test_a_closed_incident_takes_no_new_statement(client_as, comms, manager):
    incident = factories.make_incident(comms, status=Incident.Status.CLOSED)

    response = client_as(comms).post(
        create_url(incident),
        {"kind": "holding", "body": BODY, "target_platforms": ["x"]},
        follow=True,
    )

    assert not Statement.objects.exists()
    assert factories.messages_shown(response) == [FROZEN_NOTICE]


def test_an_unknown_incident_is_not_found(client_as, comms):
    response = client_as(comms).get(reverse("responses:statement-create", args=["CR-1999-999"]))

    assert response.status_code == 404


# Editing


def test_editing_an_approved_statement_sends_it_back_to_draft_and_says_so(
    client_as, comms, incident
):
    statement = factories.make_statement(incident, comms, status=S.APPROVED)
    client = client_as(comms)
    data = factories.form_values(client.get(edit_url(statement)), "body")
    data["body"] = "We are sorry. Orders ship again on Monday."

    response = client.post(edit_url(statement), dict(data.lists()), follow=True)

    stored = factories.reload(statement)
    assert (stored.status, stored.body) == (S.DRAFT, "We are sorry. Orders ship again on Monday.")
    row = statement.history.first()
    assert (row.history_user, row.history_change_reason) == (
        comms,
        "Edited after approval: back to Draft",
    )
    assert factories.messages_shown(response) == [
        (
            "warning",
            "Saved. The wording changed, so the statement is back in Draft: submit it for "
            "approval again.",
        )
    ]


def test_changing_the_kind_of_an_approved_statement_sends_it_back_to_draft(
    client_as, comms, manager, incident
):
    statement = factories.make_statement(incident, comms, status=S.APPROVED)
    client = client_as(comms)
    data = factories.form_values(client.get(edit_url(statement)), "body")
    data["kind"] = Statement.Kind.APOLOGY

    response = client.post(edit_url(statement), dict(data.lists()), follow=True)

    stored = factories.reload(statement)
    assert (stored.status, stored.kind) == (S.DRAFT, Statement.Kind.APOLOGY)
    assert factories.messages_shown(response)[0][0] == "warning"
    page = factories.page_text(client_as(manager).get(statement.get_absolute_url()))
    assert "Kind: <del>Holding statement</del> → <ins>Apology</ins>" in page


def test_saving_a_draft_unchanged_keeps_it_a_draft(client_as, comms, incident):
    statement = factories.make_statement(incident, comms)
    client = client_as(comms)
    data = factories.form_values(client.get(edit_url(statement)), "body")

    response = client.post(edit_url(statement), dict(data.lists()), follow=True)

    assert factories.reload(statement).status == S.DRAFT
    assert factories.messages_shown(response) == [("success", "Statement saved.")]


@pytest.mark.parametrize("status", [S.PUBLISHED, S.WITHDRAWN])
def test_a_frozen_statement_refuses_the_edit_form(status, client_as, comms, incident):
    statement = factories.make_statement(incident, comms, status=status)
    before = factories.snapshot(statement)
    client = client_as(comms)

    shown = client.get(edit_url(statement), follow=True)
    posted = client.post(
        edit_url(statement),
        {
            "version": statement.version,
            "kind": "holding",
            "body": "Changed",
            "target_platforms": ["x"],
        },
        follow=True,
    )

    assert factories.snapshot(statement) == before
    expected = (
        f"A {statement.get_status_display().lower()} statement cannot be edited. Write a "
        "correction as a new statement instead."
    )
    assert factories.messages_shown(shown) == [("danger", expected)]
    assert factories.messages_shown(posted) == [("danger", expected)]


def test_the_second_of_two_editors_is_refused_and_loses_nothing(
    client_as, comms, manager, incident
):
    statement = factories.make_statement(incident, comms)
    first, second = factories.make_comms("first"), factories.make_comms("second")
    form_one = factories.form_values(client_as(first).get(edit_url(statement)), "body")
    form_two = factories.form_values(client_as(second).get(edit_url(statement)), "body")
    form_one["body"] = "First editor's words."
    form_two["body"] = "Second editor's words."
    client_as(first).post(edit_url(statement), dict(form_one.lists()))

    response = client_as(second).post(edit_url(statement), dict(form_two.lists()))

    assert response.status_code == 200
    assert factories.reload(statement).body == "First editor's words."
    html = factories.page_text(response)
    assert "First editor's words." in html  # their text, shown beside the form
    resubmit = factories.form_values(response, "body")
    assert resubmit["body"] == "Second editor's words."  # mine, still in the form
    assert resubmit["version"] == "2"
    assert factories.messages_shown(response) == [
        (
            "danger",
            "Someone else saved this statement after you opened it. Their version is shown with "
            "the form; your changes are still in the form. Saving again replaces their version "
            "with yours.",
        )
    ]
    assert "Saved meanwhile by First Tester" in html

    client_as(second).post(edit_url(statement), dict(resubmit.lists()))

    assert factories.reload(statement).body == "Second editor's words."


def test_a_stale_form_without_a_version_is_refused(client_as, comms, incident):
    statement = factories.make_statement(incident, comms)

    response = client_as(comms).post(
        edit_url(statement), {"kind": "holding", "body": "x", "target_platforms": ["x"]}
    )

    assert response.status_code == 200
    assert "version" in response.context["form"].errors
    assert factories.reload(statement).body != "x"


# Reading


def test_the_page_shows_text_length_check_status_and_reviews(client_as, viewer, comms, manager):
    incident = factories.make_incident(comms)
    statement = factories.make_statement(
        incident, comms, status=S.IN_REVIEW, target_platforms=["x", "other"]
    )
    statement.request_changes(by=manager, comment="Add the date.")

    response = client_as(viewer).get(statement.get_absolute_url())

    html = factories.page_text(response)
    assert statement.body in html
    assert "Changes requested" in html and "Add the date." in html
    assert [row[:4] for row in response.context["length_check"]] == [
        ("X", 280, len(statement.body), len(statement.body) - 280),
        ("Other", None, len(statement.body), 0),
    ]
    assert response.context["moves"] == {}  # a viewer gets no buttons


def test_the_length_table_shows_each_platform_s_own_count(client_as, viewer, comms):
    link = "https://example.com/orders/late-deliveries/what-we-are-doing-about-it"
    body = f"Orders are late. Read more: {link} 👨‍👩‍👧‍👦"
    statement = factories.make_statement(
        factories.make_incident(comms), comms, body=body, target_platforms=["x", "bluesky", "other"]
    )

    response = client_as(viewer).get(statement.get_absolute_url())

    counts = {row.label: row.length for row in response.context["length_check"]}
    # X: 28 characters, the link as 23, the emoji as 2; Bluesky: the family is one character.
    assert counts == {"X": 28 + 23 + 1 + 2, "Bluesky": 28 + len(link) + 2, "Other": len(body)}
    html = factories.page_text(response)
    assert "as X counts: a link 23, most emoji and CJK characters 2" in html
    assert "as a reader sees them: an emoji counts 1" in html


def test_a_reviewer_sees_what_changed_since_approval(client_as, comms, manager):
    incident = factories.make_incident(comms)
    statement = factories.make_statement(
        incident, comms, status=S.APPROVED, body="Orders ship Monday. We are sorry."
    )
    approved_version = factories.reload(statement).approved_version
    fresh = factories.reload(statement)
    fresh.body = "Orders ship Tuesday. We are sorry."
    fresh.save_wording(by=comms, expected_version=fresh.version, fields=["body"])

    response = client_as(manager).get(statement.get_absolute_url())

    comparisons = response.context["comparisons"]
    assert [c["name"] for c in comparisons] == ["the previous version", "the approved version"]
    against_approved = comparisons[1]
    assert against_approved["before"].version == approved_version
    assert [(s.op, s.text) for s in against_approved["segments"] if s.op != "equal"] == [
        ("delete", "Monday. "),
        ("insert", "Tuesday. "),
    ]
    html = factories.page_text(response)
    assert "<del>Monday. </del><ins>Tuesday. </ins>" in html


def test_the_versions_list_says_who_when_and_status(client_as, viewer, comms, manager):
    statement = factories.make_statement(factories.make_incident(comms), comms, status=S.APPROVED)

    response = client_as(viewer).get(statement.get_absolute_url())

    versions = [
        (r.version, r.status, r.history_user, r.history_change_reason)
        for r in response.context["versions"]
    ]
    assert versions == [
        (3, S.APPROVED, factories.reload(statement).approved_by, "Approved"),
        (2, S.IN_REVIEW, comms, "Submitted for approval"),
        (1, S.DRAFT, comms, "Drafted"),
    ]


@pytest.mark.parametrize("asked", ["1", "abc", "999", "-1", ""])
def test_any_version_parameter_shows_a_page(asked, client_as, viewer, comms):
    statement = factories.make_statement(factories.make_incident(comms), comms, status=S.APPROVED)

    response = client_as(viewer).get(statement.get_absolute_url(), {"version": asked})

    assert response.status_code == 200
    assert response.context["selected"].version == (1 if asked == "1" else 3)


def test_the_first_version_compares_with_nothing(client_as, viewer, comms):
    statement = factories.make_statement(factories.make_incident(comms), comms)

    response = client_as(viewer).get(statement.get_absolute_url(), {"version": 1})

    assert response.context["comparisons"] == []
    assert "The first version: nothing to compare with." in factories.page_text(response)


@pytest.mark.parametrize("versions", [1, 30])
def test_the_statement_page_query_count_does_not_grow_with_versions(
    versions, client_as, manager, comms, django_assert_max_num_queries
):
    statement = factories.make_statement(factories.make_incident(comms), comms)
    for n in range(versions - 1):
        fresh = factories.reload(statement)
        fresh.body = f"Version {n + 2} of the words."
        fresh.save_wording(by=comms, expected_version=fresh.version, fields=["body"])
    client = client_as(manager)

    # The chain: its latest round, and the version the reader last approved.
    with django_assert_max_num_queries(11):
        response = client.get(statement.get_absolute_url())

    assert len(response.context["versions"]) == versions


def test_the_history_page_lists_every_change(client_as, viewer, comms):
    statement = factories.make_statement(factories.make_incident(comms), comms, status=S.IN_REVIEW)

    response = client_as(viewer).get(reverse("responses:statement-history", args=[statement.pk]))

    reasons = [entry.reason for entry in response.context["entries"]]
    assert reasons == ["Submitted for approval", "Drafted"]


def test_an_unknown_statement_is_not_found(client_as, viewer):
    response = client_as(viewer).get(reverse("responses:statement-detail", args=[999]))

    assert response.status_code == 404
