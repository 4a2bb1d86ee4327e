"""The library's pages: the list, writing, editing, approving and retiring a line, its history,
and the lines offered on the statement form."""

import datetime

import pytest
from django.urls import reverse

from incidents.models import Incident
from lines.models import ApprovedLine
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def write(client, **fields):
    values = factories.form_values(client.get(reverse("lines:create")), "text")
    values.update(
        {
            "category": "data_breach",
            "kind": "a_line",
            "text": "We take your data seriously.",
            "review_by": "2099-01-01",
            **fields,
        }
    )
    return client.post(reverse("lines:create"), values)


def test_comms_write_a_line_that_waits_for_approval(client_as, comms):
    response = write(client_as(comms))

    line = ApprovedLine.objects.get()
    assert response.status_code == 302 and response["Location"] == line.get_absolute_url()
    assert (line.owner, line.worded_by, line.is_approved) == (comms, comms, False)
    assert line.history.get().history_user == comms
    page = client_as(comms).get(reverse("lines:list"))
    assert b'data-testid="unapproved"' in page.content


def test_sending_the_form_twice_writes_one_line(client_as, comms):
    client = client_as(comms)
    values = factories.form_values(client.get(reverse("lines:create")), "text")
    values.update({"category": "any", "kind": "a_line", "text": "Once", "review_by": "2099-01-01"})

    first = client.post(reverse("lines:create"), values)
    again = client.post(reverse("lines:create"), values, follow=True)

    assert ApprovedLine.objects.count() == 1
    assert first["Location"] == again.redirect_chain[-1][0]
    assert ("info", "This was already saved: here it is.") in factories.messages_shown(again)


def test_an_answer_without_its_question_is_shown_again_with_the_message(client_as, comms):
    response = write(client_as(comms), kind="answer", question="", text="Kept as typed")

    assert response.status_code == 200
    assert "Say which question this answers." in factories.page_text(response)
    assert "Kept as typed" in factories.page_text(response)
    assert not ApprovedLine.objects.exists()


def test_a_manager_approves_from_the_line_page_and_the_writer_cannot(client_as, comms, manager):
    line = factories.make_line(comms)
    url = reverse("lines:approve", args=[line.pk])

    # The writer is not offered the button (and comms may not approve at all: the matrix).
    assert url not in client_as(comms).get(line.get_absolute_url()).content.decode()
    page = client_as(manager).get(line.get_absolute_url())
    assert url in page.content.decode()
    response = client_as(manager).post(url, {"version": line.version}, follow=True)

    assert factories.reload(line).approved_by == manager
    assert ("success", "Wording approved: drafting now offers this line.") in (
        factories.messages_shown(response)
    )


def test_a_manager_may_not_approve_their_own_line(client_as, manager):
    line = factories.make_line(manager)

    response = client_as(manager).post(
        reverse("lines:approve", args=[line.pk]), {"version": line.version}, follow=True
    )

    assert not factories.reload(line).is_approved
    assert (
        "danger",
        "Nobody approves their own line: another manager must approve it.",
    ) in factories.messages_shown(response)


def test_editing_the_wording_clears_the_approval_and_says_so(client_as, comms, manager):
    line = factories.make_line(comms, approved_by=manager)
    client = client_as(comms)
    values = factories.form_values(client.get(line.get_absolute_url()), "text")
    values["text"] = "A better line."

    response = client.post(line.get_absolute_url(), values, follow=True)

    line.refresh_from_db()
    assert line.text == "A better line." and not line.is_approved
    assert (
        "warning",
        "Saved. The wording changed, so a manager must approve it again.",
    ) in factories.messages_shown(response)


def test_an_edit_saved_meanwhile_is_shown_and_mine_is_kept(client_as, comms):
    line = factories.make_line(comms)
    client = client_as(comms)
    values = factories.form_values(client.get(line.get_absolute_url()), "text")
    theirs = factories.reload(line)
    theirs.text = "Their wording"
    theirs.save_wording(
        by=factories.make_comms("other"), expected_version=theirs.version, fields=["text"]
    )
    values["text"] = "My wording"

    response = client.post(line.get_absolute_url(), values)

    assert response.status_code == 200
    assert factories.reload(line).text == "Their wording"
    text = factories.page_text(response)
    assert "Someone else saved this line after you opened it." in text
    assert "Their wording" in text and "My wording" in text


def test_the_owner_retires_a_line_and_it_leaves_the_library(client_as, comms):
    line = factories.make_line(comms)

    response = client_as(comms).post(
        reverse("lines:retire", args=[line.pk]), {"version": line.version}, follow=True
    )

    assert factories.reload(line).is_retired
    assert ("success", "Line retired: it is no longer offered.") in factories.messages_shown(
        response
    )
    assert not response.context["rows"]


def test_another_comms_person_may_not_retire_it(client_as, comms):
    line = factories.make_line(comms)

    client_as(factories.make_comms("other")).post(
        reverse("lines:retire", args=[line.pk]), {"version": line.version}
    )

    assert not factories.reload(line).is_retired


def test_a_retired_line_is_not_edited(client_as, comms):
    line = factories.make_line(comms)
    line.retire(by=comms, version=line.version)

    response = client_as(comms).get(line.get_absolute_url())

    assert response.status_code == 302 and response["Location"] == reverse("lines:list")


def test_the_library_filters_by_category_and_words(client_as, viewer, comms):
    factories.make_line(comms, category="data_breach", text="Your passwords were not taken.")
    factories.make_line(comms, category="any", text="We are looking into it.")
    factories.make_line(comms, category="other", text="Passwords are safe elsewhere.")
    client = client_as(viewer)

    def texts(**query):
        rows = client.get(reverse("lines:list"), query).context["rows"]
        return sorted(line.text for line, _past in rows)

    assert texts(category="data_breach") == [
        "We are looking into it.",
        "Your passwords were not taken.",
    ]
    assert texts(category="any") == ["We are looking into it."]
    assert texts(q="passwords") == [
        "Passwords are safe elsewhere.",
        "Your passwords were not taken.",
    ]
    everything = texts()
    assert len(everything) == 3
    assert texts(category="nonsense") == everything


def test_the_library_marks_lines_past_their_review_date(client_as, viewer, comms):
    factories.make_line(comms, review_by=datetime.date(2020, 1, 1), text="Old")
    factories.make_line(comms, text="Fresh")

    response = client_as(viewer).get(reverse("lines:list"))

    marks = {line.text: past for line, past in response.context["rows"]}
    assert marks == {"Old": True, "Fresh": False}
    html = response.content.decode()
    assert html.count('data-testid="past-review"') == 1
    assert "1 Jan 2020" in html and "days ago" in html


@pytest.mark.parametrize("rows", [1, 30])
def test_the_library_queries_do_not_grow_with_its_lines(
    client_as, viewer, comms, manager, django_assert_max_num_queries, rows
):
    for number in range(rows):
        factories.make_line(
            factories.make_comms(f"owner-{number}"), text=f"Line {number}", approved_by=manager
        )
    client = client_as(viewer)

    # Session and user, permissions, the count, the page's lines with owners and approvers.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("lines:list"))
    assert len(response.context["rows"]) == rows


def test_hostile_text_is_shown_as_text(client_as, viewer, comms, manager):
    line = factories.make_line(
        comms, kind="answer", question=HOSTILE, text=HOSTILE, approved_by=manager
    )
    incident = factories.make_incident(comms)
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"

    for response in (
        client_as(viewer).get(reverse("lines:list")),
        client_as(comms).get(line.get_absolute_url()),
        client_as(viewer).get(reverse("lines:history", args=[line.pk])),
        client_as(comms).get(reverse("responses:statement-create", args=[incident.reference])),
    ):
        html = response.content.decode()
        assert "<script>alert" not in html
        assert escaped in html


def test_the_history_page_shows_who_approved(client_as, viewer, comms, manager):
    line = factories.make_line(comms, approved_by=manager)

    response = client_as(viewer).get(reverse("lines:history", args=[line.pk]))

    reasons = [entry.reason for entry in response.context["entries"]]
    assert reasons == ["Approved", "Drafted"]
    assert response.context["entries"][0].by == manager


def test_drafting_a_statement_offers_only_approved_lines_of_its_category(client_as, comms, manager):
    incident = factories.make_incident(comms, category=Incident.Category.DATA_BREACH)
    factories.make_line(comms, category="data_breach", text="Offered line", approved_by=manager)
    factories.make_line(
        comms,
        category="any",
        text="Old but offered",
        approved_by=manager,
        review_by=datetime.date(2020, 1, 1),
    )
    factories.make_line(comms, category="data_breach", text="Unapproved line")
    factories.make_line(comms, category="other", text="Other category", approved_by=manager)
    statement = factories.make_statement(incident, comms)

    for url in (
        reverse("responses:statement-create", args=[incident.reference]),
        reverse("responses:statement-edit", args=[statement.pk]),
    ):
        html = client_as(comms).get(url).content.decode()
        assert "Offered line" in html and "Old but offered" in html
        assert "Unapproved line" not in html and "Other category" not in html
        assert html.count('data-testid="past-review"') == 1
        assert 'data-target="id_body"' in html
        assert "js/lines-offer.js" in html


def test_the_statement_form_offers_nothing_when_no_line_is_approved(client_as, comms):
    incident = factories.make_incident(comms)
    factories.make_line(comms, category="any", text="Unapproved line")

    html = (
        client_as(comms)
        .get(reverse("responses:statement-create", args=[incident.reference]))
        .content.decode()
    )

    assert "data-lines-offer" not in html


def test_the_library_pages_keep_the_filters(client_as, viewer, comms, monkeypatch):
    from lines import views

    monkeypatch.setattr(views, "PER_PAGE", 2)
    for number in range(3):
        factories.make_line(comms, category="data_breach", text=f"Breach line {number}")
    factories.make_line(comms, category="other", text="Other line")

    first = client_as(viewer).get(reverse("lines:list"), {"category": "data_breach"})
    second = client_as(viewer).get(reverse("lines:list"), {"category": "data_breach", "page": 2})

    assert "3 lines match the filters." in factories.page_text(first)
    assert 'href="?category=data_breach&amp;page=2"' in first.content.decode()
    assert [line.text for line, _past in second.context["rows"]] == ["Breach line 2"]
