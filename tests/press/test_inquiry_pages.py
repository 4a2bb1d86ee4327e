"""The pages of media inquiries: logging one on an incident (bad input stays by its field), the
answer with the approved lines offered beside it, the approval and answered buttons, the list of
open inquiries across incidents, and the incident page's panel, at one query."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis import panels, timekeeper
from incidents.models import Incident
from press import panels as press_panels
from press.models import MediaInquiry
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> & <b>bold</b>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
NEW_WORDS = "We are still counting and will say more by noon."


def log(client, incident, **fields):
    url = reverse("press:create", args=[incident.reference])
    values = factories.form_values(client.get(url), "question")
    values.update(
        {
            "outlet": "Daily Courier",
            "journalist": "Ana Reyes",
            "contact": "ana@courier.example",
            "question": "How many customers are affected?",
            "received_at": "2026-03-14T10:00",
            "deadline": "2026-03-14T12:00",
            **fields,
        }
    )
    return client.post(url, values)


def test_comms_log_an_inquiry_with_its_deadline_in_their_time_zone(client_as, comms, manager):
    incident = factories.make_incident(comms)

    response = log(client_as(comms), incident, spokesperson=str(manager.pk))

    inquiry = MediaInquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == inquiry.get_absolute_url()
    assert (inquiry.status, inquiry.spokesperson, inquiry.logged_by) == (
        MediaInquiry.Status.ASSIGNED,
        manager,
        comms,
    )
    # Tests run in UTC (the desk's zone): what was typed is the moment stored.
    assert inquiry.deadline == datetime.datetime(2026, 3, 14, 12, 0, tzinfo=datetime.UTC)


def test_sending_the_form_twice_logs_one_inquiry(client_as, comms):
    incident = factories.make_incident(comms)
    client = client_as(comms)
    url = reverse("press:create", args=[incident.reference])
    values = factories.form_values(client.get(url), "question")
    values.update(
        {
            "outlet": "Courier",
            "journalist": "Ana",
            "contact": "+44 20 7946 0958",
            "question": "Why?",
            "received_at": "2026-03-14T10:00",
            "deadline": "2026-03-14T12:00",
        }
    )

    client.post(url, values)
    again = client.post(url, values, follow=True)

    assert MediaInquiry.objects.count() == 1
    assert ("info", "This was already saved: here it is.") in factories.messages_shown(again)


@pytest.mark.parametrize(
    "fields, field, message",
    [
        (
            {"deadline": "2026-03-14T09:00"},
            "deadline",
            "The deadline cannot be before the inquiry was received.",
        ),
        (
            {"spokesperson": "999999"},
            "spokesperson",
            "Choose a spokesperson from the list: that person is not on the team.",
        ),
        ({"spokesperson": "9" * 40}, "spokesperson", "Choose a spokesperson from the list"),
        ({"contact": "call me maybe"}, "contact", "Enter a mail address or a phone number"),
        ({"deadline": ""}, "deadline", "Ask the journalist for their deadline"),
        ({"deadline": "0001-01-01T00:00"}, "deadline", "Choose a date from"),
        ({"outlet": "x" * 201}, "outlet", "at most 200 characters"),
        ({"question": "q\x00"}, "question", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_by_its_field_and_what_was_typed_stays(
    client_as, comms, fields, field, message
):
    incident = factories.make_incident(comms)

    response = log(client_as(comms), incident, journalist="Kept Name", **fields)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in error for error in errors[field]), errors
    assert 'value="Kept Name"' in response.content.decode()
    assert not MediaInquiry.objects.exists()


def test_hostile_text_is_shown_as_text_everywhere(client_as, comms, manager):
    incident = factories.make_incident(comms)
    inquiry = factories.make_inquiry(
        incident, comms, outlet=HOSTILE, journalist=HOSTILE, question=HOSTILE, answer=HOSTILE
    )
    inquiry.decline(by=comms, version=inquiry.version, reason=HOSTILE)
    open_one = factories.make_inquiry(incident, comms, outlet=HOSTILE, question=HOSTILE)
    client = client_as(manager)

    for url in (
        inquiry.get_absolute_url(),
        reverse("press:history", args=[inquiry.pk]),
        reverse("press:list"),
        reverse("press:answer", args=[open_one.pk]),
        incident.get_absolute_url(),
        reverse("incidents:timeline", args=[incident.reference]),
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert ESCAPED in html or "&lt;script&gt;" in html, url


def test_the_answer_page_offers_the_approved_lines_of_the_category(client_as, comms, manager):
    incident = factories.make_incident(comms)
    factories.make_line(comms, category=incident.category, approved_by=manager)
    factories.make_line(comms, category="data_breach", approved_by=manager, text="Not this one.")
    inquiry = factories.make_inquiry(incident, comms)

    response = client_as(comms).get(reverse("press:answer", args=[inquiry.pk]))

    html = factories.page_text(response)
    assert html.count('data-testid="offered-line"') == 1
    assert "We hear you, and we are sorry for the wait." in html
    assert 'data-target="id_answer"' in html


def test_an_answer_from_lines_is_marked_answered_at_once(client_as, comms, manager):
    incident = factories.make_incident(comms)
    line = factories.make_line(comms, category=incident.category, approved_by=manager)
    inquiry = factories.make_inquiry(incident, comms)
    client = client_as(comms)
    url = reverse("press:answer", args=[inquiry.pk])
    values = factories.form_values(client.get(url), "answer")
    values["answer"] = line.text

    client.post(url, values)
    page = factories.page_text(client.get(inquiry.get_absolute_url()))
    assert "Made wholly of approved lines" in page
    response = client.post(
        reverse("press:answered", args=[inquiry.pk]), {"version": inquiry.version + 1}
    )

    assert response["Location"] == inquiry.get_absolute_url()
    assert MediaInquiry.objects.get().status == MediaInquiry.Status.ANSWERED


def test_new_wording_waits_for_another_managers_approval_on_the_page(client_as, comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms, answer=NEW_WORDS)

    as_comms = factories.page_text(client_as(comms).get(inquiry.get_absolute_url()))
    assert "Not ready to mark answered: The answer's new wording is not approved yet." in as_comms
    assert "Approve this answer" not in as_comms
    # The approval's rule is said once, by the approval, not again by the refusal.
    assert as_comms.count("a manager who did not write it approves it") == 1
    refused = client_as(comms).post(
        reverse("press:answered", args=[inquiry.pk]), {"version": inquiry.version}, follow=True
    )
    assert refused.status_code == 200
    assert factories.messages_shown(refused)[0][0] == "danger"

    client = client_as(manager)
    client.post(reverse("press:approve", args=[inquiry.pk]), {"version": inquiry.version})
    client.post(reverse("press:answered", args=[inquiry.pk]), {"version": inquiry.version + 1})

    inquiry.refresh_from_db()
    assert (inquiry.answer_approved_by, inquiry.status) == (manager, MediaInquiry.Status.ANSWERED)


def test_the_writer_of_the_answer_is_not_offered_the_approval(client_as, manager):
    inquiry = factories.make_inquiry(factories.make_incident(manager), manager, answer=NEW_WORDS)

    page = factories.page_text(client_as(manager).get(inquiry.get_absolute_url()))

    assert "Approve this answer" not in page
    assert "You wrote this answer, so another manager must approve it." in page


RECEIVED = datetime.datetime(2026, 3, 14, 10, 0, tzinfo=datetime.UTC)


def deadline_said(response):
    """The inquiry page's deadline: its markup, and its words without the markup."""
    cell = re.search(r'data-testid="deadline">(.*?)</dd>', factories.page_text(response), re.S)
    return cell[1], " ".join(re.sub(r"<[^>]+>", " ", cell[1]).split())


@pytest.mark.parametrize(
    "hours_later, answer, said",
    [
        (0, False, "◷ Deadline in 2 h (14 Mar 2026, 12:00 UTC)"),
        (1.75, False, "⏱ Deadline soon, in 15 min (14 Mar 2026, 12:00 UTC)"),
        (3, False, "⚠ Deadline passed, 1 h ago (14 Mar 2026, 12:00 UTC)"),
        (3, True, "⚠ Answered after the deadline Deadline 1 h ago (14 Mar 2026, 12:00 UTC)"),
    ],
)
def test_the_inquiry_page_says_its_deadline_once_relative_and_absolute(
    hours_later, answer, said, client_as, comms, manager
):
    with time_machine.travel(RECEIVED, tick=False):
        inquiry = factories.make_inquiry(
            factories.make_incident(comms), comms, received_at=RECEIVED, answer=NEW_WORDS
        )
    now = RECEIVED + datetime.timedelta(hours=hours_later)
    with time_machine.travel(now, tick=False):
        if answer:
            inquiry.approve_answer(by=manager, version=inquiry.version)
            inquiry.mark_answered(by=comms, version=inquiry.version)
        cell, text = deadline_said(client_as(comms).get(inquiry.get_absolute_url()))

    assert text == said
    assert cell.count("<time") == 1


def test_declining_keeps_the_reason(client_as, comms):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)

    client_as(comms).post(
        reverse("press:decline", args=[inquiry.pk]),
        {"version": inquiry.version, "reason": "Off the record only"},
    )

    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.decline_reason) == ("declined", "Off the record only")


def test_an_over_long_decline_reason_is_refused_with_a_message(client_as, comms):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)

    response = client_as(comms).post(
        reverse("press:decline", args=[inquiry.pk]),
        {"version": inquiry.version, "reason": "x" * 3000},
        follow=True,
    )

    assert factories.messages_shown(response)[0][0] == "danger"
    assert MediaInquiry.objects.get().is_open


def test_a_stale_answer_keeps_what_was_typed_and_shows_theirs(client_as, comms, manager):
    inquiry = factories.make_inquiry(factories.make_incident(comms), comms)
    client = client_as(comms)
    url = reverse("press:answer", args=[inquiry.pk])
    values = factories.form_values(client.get(url), "answer")
    other = MediaInquiry.objects.get()
    other.answer = "Their words"
    other.save_answer(by=manager, expected_version=other.version, fields=["answer"])
    values["answer"] = "My words"

    response = client.post(url, values)

    assert response.status_code == 200
    html = factories.page_text(response)
    assert "Their words" in html and "My words" in html
    assert MediaInquiry.objects.get().answer == "Their words"


# The list of open inquiries across incidents


def test_the_list_shows_open_inquiries_soonest_deadline_first(client_as, viewer, comms, manager):
    now = timekeeper.now()
    first = factories.make_incident(comms)
    second = factories.make_incident(comms, title="Misleading post")
    later = factories.make_inquiry(first, comms, outlet="Later Times", received_at=now)
    sooner = factories.make_inquiry(
        second, comms, outlet="Sooner News", received_at=now - datetime.timedelta(hours=1)
    )
    done = factories.make_inquiry(first, comms, outlet="Done Daily")
    done.decline(by=comms, version=done.version)
    closed = factories.make_incident(comms, title="Over")
    factories.make_inquiry(closed, comms, outlet="Frozen Weekly")
    factories.walk_to(closed, Incident.Status.CLOSED)

    response = client_as(viewer).get(reverse("press:list"))

    assert [inquiry for inquiry, _clock in response.context["rows"]] == [sooner, later]
    html = factories.page_text(response)
    assert html.count("Deadline in") == 0 and html.count("Deadline</span> <time") == 2
    assert "Done Daily" not in html and "Frozen Weekly" not in html


def test_the_list_says_when_nothing_waits(client_as, viewer):
    response = client_as(viewer).get(reverse("press:list"))

    assert "No inquiry is waiting for an answer." in factories.page_text(response)


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_queries_do_not_grow_with_inquiries(
    count, client_as, comms, manager, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    for n in range(count):
        factories.make_inquiry(incident, comms, outlet=f"Outlet {n}", spokesperson=manager)
    client = client_as(comms)

    # Session and user, permissions, the count and the page's rows.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("press:list"))

    assert len(response.context["rows"]) == count


def test_the_more_menu_links_to_the_list(client_as, viewer):
    html = client_as(viewer).get(reverse("incidents:dashboard")).content.decode()

    assert f'href="{reverse("press:list")}">Media inquiries' in html


# The incident page


def incident_page_queries(client, incident):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    return len(queries), response


def test_the_incident_page_shows_inquiries_with_their_deadline(client_as, comms, manager):
    incident = factories.make_incident(comms)
    factories.make_inquiry(incident, comms, outlet="Daily Courier", spokesperson=manager)

    html = factories.page_text(client_as(comms).get(incident.get_absolute_url()))

    assert 'id="media-inquiries"' in html and "Daily Courier" in html
    assert "Deadline</span> <time" in html and "Log an inquiry" in html
    assert "Media inquiry received" in html  # the timeline


def test_a_viewer_sees_no_panel_without_inquiries(client_as, viewer, comms):
    incident = factories.make_incident(comms)

    html = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    assert 'id="media-inquiries"' not in html


@pytest.mark.parametrize("count", [1, 30])
def test_inquiries_cost_the_incident_page_one_query_however_many(
    count, client_as, comms, manager, monkeypatch, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    for n in range(count):
        inquiry = factories.make_inquiry(incident, comms, outlet=f"Outlet {n}", answer="Words")
        inquiry.approve_answer(by=manager, version=inquiry.version)
    client = client_as(manager)
    incident_page_queries(client, incident)  # warm the caches (targets, content types)

    with_press, response = incident_page_queries(client, incident)
    without = [p for p in panels.incident_panels if p.func is not press_panels.inquiries_panel]
    monkeypatch.setattr(panels, "incident_panels", without)
    monkeypatch.setattr(
        panels,
        "timeline_providers",
        [p for p in panels.timeline_providers if p.func is not press_panels.inquiry_entries],
    )
    without_press, _ = incident_page_queries(client, incident)

    assert with_press - without_press == 1
    assert response.content.decode().count('data-testid="inquiry"') == count
    monkeypatch.undo()
    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        client.get(incident.get_absolute_url())


@pytest.mark.parametrize("rewordings", [1, 20])
def test_the_inquiry_page_queries_do_not_grow_with_its_history(
    rewordings, client_as, comms, manager, django_assert_max_num_queries
):
    incident = factories.make_incident(comms)
    factories.make_line(comms, category=incident.category, approved_by=manager)
    inquiry = factories.make_inquiry(incident, comms, spokesperson=manager)
    for n in range(rewordings):
        inquiry.answer = f"Words {n}"
        inquiry.save_answer(by=comms, expected_version=inquiry.version, fields=["answer"])
    client = client_as(manager)

    # The session, the user, their permissions, the inquiry with its people, the lines
    # offered, the answer's writers (the four-eyes rule).
    with django_assert_max_num_queries(6):
        response = client.get(inquiry.get_absolute_url())

    assert "Approve this answer" in factories.page_text(response)
