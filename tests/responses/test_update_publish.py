"""Publishing and withdrawing a public update (responses:update-publish, -withdraw), the incident
page's Updates panel and the dashboard's list of public updates waiting for publication."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.models import ProgressUpdate
from tests import factories

S = ProgressUpdate.Status
K = ProgressUpdate.Kind
NOW = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
DASHBOARD = reverse("incidents:dashboard")


@pytest.fixture(autouse=True)
def at_nine():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def author(db):
    # Not one of the personas, so the manager and admin may publish what it wrote.
    return factories.make_comms("author", email="author@example.com")


@pytest.fixture
def incident(author):
    return factories.make_incident(author, severity=Incident.Severity.MAJOR)


def draft(incident, by, **fields):
    return factories.make_update(incident, by, kind=K.PUBLIC, **fields)


def url_for(name, incident, update=None):
    if update is None:
        return reverse(f"responses:{name}", args=[incident.reference])
    return reverse(f"responses:{name}", args=[incident.reference, update.pk])


def post_data(update=None):
    return {
        "body": "Refunds go out on Monday.",
        "next_update_at": "2031-05-02T12:00",
        "version": update.version if update else 1,
        "once_token": factories.once_token(),
    }


def local_input(value):
    return value.strftime("%Y-%m-%dT%H:%M")


# Publishing and withdrawing.


def test_a_manager_publishes_from_the_incident_page(client_as, manager, incident, author):
    update = draft(incident, author)
    client = client_as(manager)
    data = factories.form_values(client.get(incident.get_absolute_url()), "version")

    response = client.post(
        url_for("update-publish", incident, update), dict(data.lists()), follow=True
    )

    update = factories.reload(update)
    assert (update.status, update.published_by) == (S.PUBLISHED, manager)
    assert update.next_update_at == NOW + timedelta(hours=2)
    assert factories.messages_shown(response) == [
        ("success", "Published. The audience sees it on the public page.")
    ]


def test_a_draft_whose_promise_passed_offers_a_new_one(
    client_as, manager, incident, author, at_nine
):
    draft(incident, author, next_update_at=NOW + timedelta(minutes=20))
    at_nine.move_to(NOW + timedelta(hours=1))

    values = factories.form_values(client_as(manager).get(incident.get_absolute_url()), "version")

    assert values["next_update_at"] == local_input(NOW + timedelta(hours=3))


def test_publishing_with_a_promise_in_the_past_shows_it_by_the_field(
    client_as, manager, incident, author
):
    update = draft(incident, author)

    response = client_as(manager).post(
        url_for("update-publish", incident, update),
        {"version": update.version, "next_update_at": "2031-05-02T08:00"},
    )

    assert response.status_code == 400
    assert factories.reload(update).status == S.DRAFT
    html = factories.page_text(response)
    assert "cannot be promised for a time that has already passed" in html
    assert factories.form_values(response, "version")["next_update_at"] == "2031-05-02T08:00"
    assert update.body in html


def test_the_author_manager_is_told_why_they_may_not_publish(client_as, manager, incident):
    update = draft(incident, manager)
    client = client_as(manager)

    page = factories.page_text(client.get(incident.get_absolute_url()))
    response = client.post(
        url_for("update-publish", incident, update), post_data(update), follow=True
    )

    assert url_for("update-publish", incident, update) not in page
    assert "You wrote this update, so another manager must publish it." in page
    assert factories.reload(update).status == S.DRAFT
    assert factories.messages_shown(response) == [
        ("danger", "You wrote this update, so another manager must publish it.")
    ]


def test_comms_sees_the_draft_wait_for_a_manager(client_as, comms, incident, author):
    update = draft(incident, author)

    page = factories.page_text(client_as(comms).get(incident.get_absolute_url()))

    assert "Waiting for a manager to publish it." in page
    assert url_for("update-publish", incident, update) not in page
    assert url_for("update-withdraw", incident, update) in page
    assert url_for("update-edit", incident, update) in page


def test_a_viewer_reads_the_updates_but_gets_no_forms(client_as, viewer, incident, author):
    factories.make_update(incident, author, body="Log line for the team.")
    update = draft(incident, author, body="Draft for the audience.")

    page = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    assert "Log line for the team." in page and "Draft for the audience." in page
    for url in (
        url_for("update-post", incident),
        url_for("update-draft", incident),
        url_for("update-edit", incident, update),
        url_for("update-withdraw", incident, update),
    ):
        assert url not in page


def test_publishing_words_changed_since_they_were_read_is_refused(
    client_as, manager, incident, author
):
    update = draft(incident, author)
    client = client_as(manager)
    data = factories.form_values(client.get(incident.get_absolute_url()), "version")
    update.body = "Changed while the manager read."
    update.save_draft(by=author, expected_version=update.version, fields=["body"])

    response = client.post(
        url_for("update-publish", incident, update), dict(data.lists()), follow=True
    )

    assert factories.reload(update).status == S.DRAFT
    assert factories.messages_shown(response) == [
        ("danger", "The update changed after you opened it. Read the new text, then publish.")
    ]


def test_comms_withdraws_a_draft(client_as, comms, incident, author):
    update = draft(incident, author)

    response = client_as(comms).post(url_for("update-withdraw", incident, update), follow=True)

    assert factories.reload(update).status == S.WITHDRAWN
    assert factories.messages_shown(response) == [
        ("success", "Withdrawn. It will not be published.")
    ]


def test_the_panel_lists_updates_newest_first(client_as, viewer, incident, author, at_nine):
    factories.make_update(incident, author, body="Log ONE")
    at_nine.shift(timedelta(minutes=5))
    factories.make_update(incident, author, body="Log TWO")
    draft(incident, author, body="Public ONE", status=S.PUBLISHED)
    at_nine.shift(timedelta(minutes=5))
    draft(incident, author, body="Public TWO")

    html = factories.page_text(client_as(viewer).get(incident.get_absolute_url()))

    assert html.index("Log TWO") < html.index("Log ONE")
    assert html.index("Public TWO") < html.index("Public ONE")
    assert "Published <time" in html and "by Factory-Manager Tester" in html


@pytest.mark.parametrize("count", [1, 20])
def test_the_incident_page_queries_do_not_grow_with_updates(
    count, client_as, manager, incident, author, django_assert_max_num_queries
):
    for n in range(count):
        factories.make_update(incident, author, body=f"Log {n}")
        draft(incident, author, body=f"Draft {n}")
        draft(incident, author, body=f"Out {n}", status=S.PUBLISHED)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.INCIDENT_PAGE_QUERIES):
        response = client.get(incident.get_absolute_url())

    html = factories.page_text(response)
    assert html.count('action="/incidents/' + incident.reference + "/updates/") >= 2 * count
    timeline = client.get(reverse("incidents:timeline", args=[incident.reference]))
    assert factories.page_text(timeline).count('data-kind="update"') == 4 * count


# The dashboard.


def test_the_dashboard_lists_public_updates_waiting_for_the_manager(
    client_as, manager, incident, author
):
    theirs = draft(incident, author, body="Refunds go out on Monday.")
    draft(incident, manager, body="My own draft.")

    html = factories.page_text(client_as(manager).get(DASHBOARD))

    assert "Public updates waiting for publication" in html
    assert f'href="{theirs.get_absolute_url()}">Public update · {incident.reference}</a>' in html
    assert "Refunds go out on Monday." in html
    assert "My own draft." not in html


def test_the_dashboard_says_when_nothing_waits(client_as, manager, incident):
    html = factories.page_text(client_as(manager).get(DASHBOARD))

    assert "No public update waits for you." in html


@pytest.mark.parametrize("role", ["viewer", "comms"])
def test_the_dashboard_list_is_only_for_people_who_publish(
    role, request, client_as, incident, author
):
    draft(incident, author)

    html = factories.page_text(client_as(request.getfixturevalue(role)).get(DASHBOARD))

    assert "Public updates waiting for publication" not in html


@pytest.mark.parametrize("count", [1, 20])
def test_the_dashboard_queries_do_not_grow_with_waiting_updates(
    count, client_as, manager, author, django_assert_max_num_queries
):
    for n in range(count):
        incident = factories.make_incident(author, title=f"Open {n}")
        draft(incident, author, body=f"Draft {n}")
    client = client_as(manager)

    # Two of them read the waiting drafts and who wrote them.
    with django_assert_max_num_queries(factories.DASHBOARD_QUERIES):
        response = client.get(DASHBOARD)

    assert factories.page_text(response).count("Public update · CR-") == count
