"""The post-mortem pages: the form (drafts, submission, refusals), the report, its Markdown twin
and its history, for every role."""

import re

import pytest
from django.urls import reverse

from incidents.models import Incident, PostMortem
from responses.models import ActionItem, Statement
from tests import factories

S = Incident.Status


@pytest.fixture
def resolved(comms):
    incident = factories.make_incident(comms, status=S.RESPONDING)
    factories.make_party(incident, impact="Orders three days late.")
    incident.resolve(by=comms)
    return factories.reload(incident)


def form_url(incident):
    return reverse("incidents:postmortem", args=[incident.reference])


def report_url(incident, kind="postmortem-report"):
    return reverse(f"incidents:{kind}", args=[incident.reference])


def complete(**overrides):
    return {**factories.POSTMORTEM_TEXT, **overrides}


# Who may open the form


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_form_signs_in_first(method, client, resolved):
    response = getattr(client, method)(form_url(resolved))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_viewer_may_not_write_it(method, client_as, viewer, resolved):
    response = getattr(client_as(viewer), method)(form_url(resolved), complete(action="submit"))

    assert response.status_code == 403
    assert factories.reload(resolved).status == S.RESOLVED
    assert not PostMortem.objects.exists()


def test_comms_gets_the_form_prefilled_and_may_only_save_a_draft(client_as, comms, resolved):
    response = client_as(comms).get(form_url(resolved))

    assert response.status_code == 200
    values = factories.form_values(response, "summary")
    assert values["summary"] == resolved.summary
    assert "Customers (about 1,200)" in values["impact"]
    assert "Orders three days late." in values["impact"]
    assert (
        "Detection to first public acknowledgement: never acknowledged publicly"
        in (values["went_wrong"])
    )
    assert values["root_cause"] == ""
    text = factories.page_text(response)
    assert "Save draft" in text
    assert "Submit and close the incident" not in text
    assert "Key moments" in text and "Mark resolved" in text


def test_a_manager_sees_the_submit_button(client_as, manager, resolved):
    text = factories.page_text(client_as(manager).get(form_url(resolved)))

    assert "Submit and close the incident" in text


def test_the_prefill_never_replaces_what_was_written(client_as, comms, resolved):
    factories.make_postmortem(resolved, by=comms, summary="Our own words", impact="")

    values = factories.form_values(client_as(comms).get(form_url(resolved)), "summary")

    assert values["summary"] == "Our own words"
    assert "Customers (about 1,200)" in values["impact"]


def test_the_form_lists_what_blocks_closing_before_anything_is_typed(
    client_as, manager, comms, resolved
):
    item = factories.make_action_item(resolved, title="Refund the late orders")

    text = factories.page_text(client_as(manager).get(form_url(resolved)))

    assert "Before the incident can close" in text
    assert "Rectify item “Refund the late orders” is open" in text
    assert f'href="/incidents/{resolved.reference}/#item-{item.pk}"' in text
    # The empty fields are the form itself, not listed twice.
    assert "Fill in" not in text


# Saving and submitting


def test_comms_saves_a_draft(client_as, comms, resolved):
    response = client_as(comms).post(
        form_url(resolved), complete(root_cause="", action="save"), follow=True
    )

    assert factories.messages_shown(response) == [("success", "Post-mortem draft saved.")]
    stored = PostMortem.objects.get(incident=resolved)
    assert stored.summary == factories.POSTMORTEM_TEXT["summary"]
    assert stored.history.first().history_user == comms
    assert factories.reload(resolved).status == S.RESOLVED


def test_comms_cannot_close_by_a_crafted_submission(client_as, comms, resolved):
    response = client_as(comms).post(form_url(resolved), complete(action="submit"))

    assert response.status_code == 200
    assert factories.messages_shown(response)[0][1].startswith("You may not close the incident")
    assert factories.reload(resolved).status == S.RESOLVED
    assert not PostMortem.objects.exists()


def test_a_manager_closes_the_incident_by_submitting(client_as, manager, resolved):
    response = client_as(manager).post(form_url(resolved), complete(action="submit"), follow=True)

    assert response.redirect_chain[-1][0] == report_url(resolved)
    assert factories.messages_shown(response) == [
        ("success", f"{resolved.reference} is now Closed. Its post-mortem is on record.")
    ]
    closed = factories.reload(resolved)
    assert closed.status == S.CLOSED
    assert PostMortem.objects.get().completed_by == manager


def test_a_crafted_submission_while_gates_fail_changes_nothing(client_as, manager, comms, resolved):
    item = factories.make_action_item(resolved, title="Refund the late orders")
    statement = factories.make_statement(resolved, comms)
    statement.submit(by=comms)
    factories.make_postmortem(resolved, by=comms)
    incident_before = factories.snapshot(resolved)
    postmortem_before = factories.snapshot(PostMortem.objects.get())
    rows_before = PostMortem.history.count()

    response = client_as(manager).post(
        form_url(resolved), complete(summary="Changed words", action="submit", version=1)
    )

    assert response.status_code == 200
    assert factories.messages_shown(response) == [
        (
            "danger",
            "Not closed: 2 conditions are still unmet (listed above the form). What you typed is "
            "still in the form.",
        )
    ]
    text = factories.page_text(response)
    assert f'<a href="/incidents/{resolved.reference}/#item-{item.pk}"' in text
    assert f'<a href="/statements/{statement.pk}/"' in text
    assert factories.form_values(response, "summary")["summary"] == "Changed words"
    assert factories.snapshot(resolved) == incident_before
    assert factories.snapshot(PostMortem.objects.get()) == postmortem_before
    assert PostMortem.history.count() == rows_before


def test_an_incomplete_submission_lists_each_empty_field(client_as, manager, resolved):
    response = client_as(manager).post(
        form_url(resolved), complete(root_cause="", lessons_learned=" ", action="submit")
    )

    assert response.status_code == 200
    text = factories.page_text(response)
    for name, label in (("root_cause", "root cause"), ("lessons_learned", "lessons learned")):
        assert f'<a href="{form_url(resolved)}#id_{name}" dir="auto">Fill in “{label}”.</a>' in text
    assert (
        factories.form_values(response, "summary")["went_well"]
        == (factories.POSTMORTEM_TEXT["went_well"])
    )
    assert factories.reload(resolved).status == S.RESOLVED
    assert not PostMortem.objects.exists()


def test_too_long_or_nul_text_is_refused_by_its_field(client_as, manager, resolved):
    response = client_as(manager).post(
        form_url(resolved),
        complete(summary="x" * 20001, root_cause="a\x00b", action="submit"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "at most 20000 characters" in errors["summary"][0]
    assert errors["root_cause"] == ["Null characters are not allowed."]
    assert factories.reload(resolved).status == S.RESOLVED


def test_a_stale_draft_shows_the_version_saved_meanwhile(client_as, comms, manager, resolved):
    factories.make_postmortem(resolved, by=comms)
    elsewhere = PostMortem.objects.get()
    elsewhere.summary = "Saved meanwhile"
    elsewhere.save_draft(by=manager, expected_version=1)

    response = client_as(comms).post(
        form_url(resolved), complete(summary="Mine", action="save", version=1)
    )

    assert response.status_code == 200
    assert "Saved meanwhile by someone else" in factories.page_text(response)
    assert factories.form_values(response, "summary")["summary"] == "Mine"
    assert PostMortem.objects.get().summary == "Saved meanwhile"


def test_the_form_of_a_closed_incident_sends_to_the_report(client_as, manager, resolved):
    factories.close_with_postmortem(resolved, by=manager)

    response = client_as(manager).post(form_url(resolved), complete(action="save", version=1))

    assert response.status_code == 302
    assert response["Location"] == report_url(resolved)
    assert PostMortem.objects.get().history.count() == 1


def test_a_reopened_incident_shows_its_postmortem_needs_review(client_as, manager, resolved):
    factories.close_with_postmortem(resolved, by=manager)
    client = client_as(manager)
    client.post(
        reverse("incidents:move", args=[resolved.reference, "reopen_frozen"]),
        {"reason": "A second wave"},
    )

    text = factories.page_text(client.get(form_url(resolved)))
    detail = factories.page_text(client.get(resolved.get_absolute_url()))

    assert "Needs review." in text
    assert "Needs review" in detail
    assert PostMortem.objects.get().needs_review is True


# The incident page's panel


def test_the_incident_page_offers_close_with_postmortem_to_a_manager(
    client_as, manager, viewer, resolved
):
    manager_text = factories.page_text(client_as(manager).get(resolved.get_absolute_url()))
    assert f'href="{form_url(resolved)}">Close with post-mortem</a>' in manager_text

    viewer_text = factories.page_text(client_as(viewer).get(resolved.get_absolute_url()))
    assert "Close with post-mortem" not in viewer_text
    assert "Write the post-mortem" not in viewer_text


def test_an_open_incident_without_postmortem_shows_no_panel(client_as, manager, comms):
    incident = factories.make_incident(comms, status=S.RESPONDING)

    text = factories.page_text(client_as(manager).get(incident.get_absolute_url()))

    assert 'id="postmortem"' not in text


# The report and its Markdown twin


def closed_with_records(comms, manager, *, items=1):
    incident = factories.make_incident(comms, status=S.RESPONDING)
    statement = factories.make_statement(
        incident, comms, status=Statement.Status.PUBLISHED, target_platforms=["x", "reddit"]
    )
    statement.publications.get(platform="x").set_link("https://x.com/acme/status/1", by=manager)
    for n in range(items):
        item = factories.make_action_item(incident, title=f"Step {n}")
        item.complete(by=comms)
    factories.make_action_item(incident, title="Carrier check", kind=ActionItem.Kind.PREVENT)
    incident.resolve(by=comms)
    factories.close_with_postmortem(incident, by=manager)
    return factories.reload(incident)


def test_everyone_signed_in_reads_the_report(client_as, viewer, comms, manager):
    incident = closed_with_records(comms, manager)

    response = client_as(viewer).get(report_url(incident))

    assert response.status_code == 200
    text = factories.page_text(response)
    for words in factories.POSTMORTEM_TEXT.values():
        assert words in text
    assert "Published statements" in text
    assert 'href="https://x.com/acme/status/1"' in text
    assert "Reddit" in text and "(no link recorded)" in text
    assert "Rectify: Step 0" in text and "Prevent: Carrier check" in text
    assert "Timeline" in text and "Closed with the post-mortem" in text
    assert "css/print.css" in text
    assert "Draft:" not in text


@pytest.mark.parametrize("role", ["viewer", "comms", "manager"])
def test_every_link_on_a_closed_incidents_page_opens_for_its_reader(
    role, client_as, viewer, comms, manager
):
    # A viewer's "Post-mortem" entry on the timeline led to the form (403): each link the page
    # shows its reader, the timeline's included, must be one the reader may open.
    incident = closed_with_records(comms, manager)
    client = client_as({"viewer": viewer, "comms": comms, "manager": manager}[role])
    page = client.get(incident.get_absolute_url()).content.decode()
    links = set(re.findall(r'href="(/incidents/[^"#?]+)', page))
    assert report_url(incident) in links

    refused = {link: client.get(link).status_code for link in links}
    assert {link: code for link, code in refused.items() if code not in (200, 302)} == {}


def test_the_report_signs_in_first(client, comms, manager):
    incident = closed_with_records(comms, manager)

    for kind in ("postmortem-report", "postmortem-markdown", "postmortem-history"):
        response = client.get(report_url(incident, kind))
        assert response["Location"].startswith(reverse("login"))


def test_without_a_postmortem_the_report_sends_back_to_the_incident(client_as, viewer, comms):
    incident = factories.make_incident(comms)

    response = client_as(viewer).get(report_url(incident), follow=True)

    assert response.redirect_chain == [(incident.get_absolute_url(), 302)]
    assert factories.messages_shown(response) == [
        ("info", f"{incident.reference} has no post-mortem yet.")
    ]


def test_a_drafts_report_says_it_is_a_draft(client_as, viewer, comms, resolved):
    factories.make_postmortem(resolved, by=comms)

    text = factories.page_text(client_as(viewer).get(report_url(resolved)))

    assert "Draft:" in text


@pytest.mark.parametrize("items", [1, 20])
def test_the_report_and_form_queries_do_not_grow_with_the_records(
    items, client_as, comms, manager, django_assert_max_num_queries
):
    incident = closed_with_records(comms, manager, items=items)
    client = client_as(manager)

    with django_assert_max_num_queries(REPORT_QUERIES):
        client.get(report_url(incident))
    with django_assert_max_num_queries(REPORT_QUERIES):
        client.get(report_url(incident, "postmortem-markdown"))
    incident.reopen(by=manager, reason="Check the numbers")
    incident.resolve(by=manager)
    with django_assert_max_num_queries(FORM_QUERIES):
        client.get(form_url(incident))


# Session and user, the incident with its post-mortem; the facts (incident history, parties,
# public words, the plan, the mentions), the whole timeline (each provider) and the report's
# sections.
REPORT_QUERIES = 27
# Session and user, the incident; the facts (the mentions' one of them, the media inquiries'
# another), the gates and the frozen guard's check.
FORM_QUERIES = 15


def test_the_markdown_download_is_the_same_report_with_its_text_escaped(
    client_as, viewer, comms, manager, resolved
):
    factories.make_postmortem(
        resolved,
        by=comms,
        summary="[click me](javascript:alert(1)) <script>alert(1)</script>\n# Not a heading",
    )

    response = client_as(viewer).get(report_url(resolved, "postmortem-markdown"))

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{resolved.reference}-post-mortem.md"'
    )
    text = response.content.decode()
    reference = resolved.reference.replace("-", "\\-")
    assert text.startswith(f"# Post-mortem: {reference} Angry replies")
    assert "## Summary" in text
    assert (
        "\\[click me\\]\\(javascript\\:alert\\(1\\)\\) \\<script\\>alert\\(1\\)\\<\\/script\\>\\\n"
        "\\# Not a heading"
    ) in text
    assert "<script>" not in text
    assert "](javascript" not in text
    assert factories.POSTMORTEM_TEXT["root_cause"].replace(".", "\\.") in text


def test_the_postmortem_history_page_shows_each_version(client_as, viewer, comms, manager):
    incident = closed_with_records(comms, manager)

    text = factories.page_text(client_as(viewer).get(report_url(incident, "postmortem-history")))

    assert "Submitted: the incident is closed" in text
    assert "Draft saved" not in text  # closed_with_records submits without a draft


@pytest.mark.parametrize("drafts", [1, 40])
def test_the_incident_page_with_a_postmortem_keeps_its_query_budget(
    drafts, client_as, comms, manager, resolved, django_assert_max_num_queries
):
    factories.make_postmortem(resolved, by=comms)
    for n in range(drafts):
        postmortem = PostMortem.objects.get(incident=resolved)
        postmortem.summary = f"Draft {n}"
        postmortem.save_draft(by=manager if n % 2 else comms, expected_version=postmortem.version)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(resolved.get_absolute_url())

    assert "Post-mortem" in [e.subject for e in response.context["timeline"]]
