"""The progress-update views (responses:update-*), the incident page's Updates panel and the
dashboard's list of public updates waiting for publication."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from incidents.models import Incident
from responses.models import ProgressUpdate
from tests import factories

S = ProgressUpdate.Status
K = ProgressUpdate.Kind
NOW = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
ROLES = ["anonymous", "viewer", "comms", "manager", "admin"]
WRITERS = {"comms", "manager", "admin"}
MANAGERS = {"manager", "admin"}
DASHBOARD = reverse("incidents:dashboard")

# name, method, status of the update it acts on (None: a creating view), who may, answer.
VIEWS = [
    ("update-post", "get", None, WRITERS, 200),
    ("update-post", "post", None, WRITERS, 302),
    ("update-draft", "get", None, WRITERS, 200),
    ("update-draft", "post", None, WRITERS, 302),
    ("update-edit", "get", S.DRAFT, WRITERS, 200),
    ("update-edit", "post", S.DRAFT, WRITERS, 302),
    ("update-publish", "post", S.DRAFT, MANAGERS, 302),
    ("update-withdraw", "post", S.DRAFT, WRITERS, 302),
]
ACTIONS = [v for v in VIEWS if v[1] == "post"]


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


def user_for(role, request):
    return None if role == "anonymous" else request.getfixturevalue(role)


def local_input(value):
    return value.strftime("%Y-%m-%dT%H:%M")


# Who gets in.


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "status", "allowed", "answer"), VIEWS)
def test_each_view_lets_in_exactly_the_roles_that_may(
    name, method, status, allowed, answer, role, request, client_as, incident, author
):
    update = draft(incident, author) if status else None
    client = client_as(user_for(role, request))
    url = url_for(name, incident, update)

    response = client.get(url) if method == "get" else client.post(url, post_data(update))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif role in allowed:
        assert response.status_code == answer
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "status"), [("update-publish", S.DRAFT), ("update-withdraw", S.DRAFT)]
)
def test_actions_answer_only_post(name, status, client_as, admin, incident, author):
    update = draft(incident, author)
    before = factories.snapshot(update)

    response = client_as(admin).get(url_for(name, incident, update))

    assert response.status_code == 405
    assert factories.snapshot(update) == before


@pytest.mark.parametrize("name", ["update-post", "update-draft", "update-edit"])
def test_form_pages_refuse_other_methods(name, client_as, admin, incident, author):
    update = draft(incident, author) if name == "update-edit" else None

    response = client_as(admin).delete(url_for(name, incident, update))

    assert response.status_code == 405
    assert ProgressUpdate.objects.count() == (1 if update else 0)


@pytest.mark.parametrize(("name", "method", "status", "allowed", "answer"), ACTIONS)
def test_refused_roles_change_nothing(
    name, method, status, allowed, answer, client_as, viewer, comms, incident, author
):
    update = draft(incident, author) if status else None
    before = factories.snapshot(update) if update else None
    refused = viewer if "comms" in allowed else comms

    client_as(refused).post(url_for(name, incident, update), post_data(update))

    assert ProgressUpdate.objects.count() == (1 if update else 0)
    if update:
        assert factories.snapshot(update) == before
        assert update.history.count() == 1


def test_an_update_of_another_incident_is_not_found(client_as, manager, incident, author):
    update = draft(incident, author)
    other = factories.make_incident(author, title="Another one")

    response = client_as(manager).post(url_for("update-publish", other, update), post_data(update))

    assert response.status_code == 404
    assert factories.reload(update).status == S.DRAFT


# Posting to the log.


def test_comms_posts_an_internal_update_from_the_incident_page(client_as, comms, incident):
    client = client_as(comms)
    assert url_for("update-post", incident) in factories.page_text(
        client.get(incident.get_absolute_url())
    )
    data = factories.form_values(client.get(url_for("update-post", incident)), "body")
    data["body"] = "Legal has the customer list."

    response = client.post(url_for("update-post", incident), dict(data.lists()), follow=True)

    update = ProgressUpdate.objects.get()
    assert (update.kind, update.status, update.author) == (K.INTERNAL, S.POSTED, comms)
    assert response.redirect_chain == [(update.get_absolute_url(), 302)]
    assert factories.messages_shown(response) == [("success", "Posted to the team's log.")]
    html = factories.page_text(response)
    assert f'id="update-{update.pk}"' in html
    assert '<div class="text-prewrap" dir="auto">Legal has the customer list.</div>' in html


def test_an_empty_internal_update_is_refused_by_its_field(client_as, comms, incident):
    response = client_as(comms).post(
        url_for("update-post", incident), {"body": "   ", "once_token": factories.once_token()}
    )

    assert response.status_code == 200
    assert not ProgressUpdate.objects.exists()
    html = factories.page_text(response)
    assert "Write the update first: an empty update tells nobody anything." in html
    assert 'id="id_body"' in html and "is-invalid" in html


def test_sending_the_internal_update_twice_posts_it_once(client_as, comms, incident):
    client = client_as(comms)
    data = {"body": "Logged once.", "once_token": "token-of-one-update-form-1"}
    client.post(url_for("update-post", incident), data, follow=True)

    again = client.post(url_for("update-post", incident), data, follow=True)

    update = ProgressUpdate.objects.get()
    assert again.redirect_chain == [(update.get_absolute_url(), 302)]
    assert factories.messages_shown(again) == [("info", "This was already saved: here it is.")]


# Drafting a public update.


def test_the_draft_form_offers_the_default_promise(client_as, comms, incident):
    response = client_as(comms).get(incident.get_absolute_url())

    values = factories.form_values(response, "next_update_at")
    assert values["next_update_at"] == "2031-05-02T11:00"
    assert values["once_token"]
    assert 'for="public-update-next_update_at"' in factories.page_text(response)


def test_comms_drafts_a_public_update_and_the_managers_hear(
    client_as, comms, manager, incident, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    data = factories.form_values(client.get(incident.get_absolute_url()), "next_update_at")
    data["body"] = "Refunds go out on Monday."

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url_for("update-draft", incident), dict(data.lists()), follow=True)

    update = ProgressUpdate.objects.get()
    assert (update.kind, update.status, update.author) == (K.PUBLIC, S.DRAFT, comms)
    assert update.next_update_at == NOW + timedelta(hours=2)
    assert response.redirect_chain == [(update.get_absolute_url(), 302)]
    assert factories.messages_shown(response) == [
        (
            "success",
            "Public update drafted. The managers who may publish it have been told by mail.",
        )
    ]
    assert [m.to for m in mail.outbox] == [["manager@example.com"]]


def test_a_promise_in_the_past_is_refused_by_its_field_and_the_text_is_kept(
    client_as, comms, incident
):
    data = post_data()
    data["next_update_at"] = "2031-05-02T08:59"

    response = client_as(comms).post(url_for("update-draft", incident), data)

    assert response.status_code == 200
    assert not ProgressUpdate.objects.exists()
    html = factories.page_text(response)
    assert "cannot be promised for a time that has already passed" in html
    kept = factories.form_values(response, "body")
    assert kept["body"] == "Refunds go out on Monday."
    assert kept["next_update_at"] == "2031-05-02T08:59"


def test_an_empty_public_update_or_promise_is_refused_by_its_field(client_as, comms, incident):
    response = client_as(comms).post(
        url_for("update-draft", incident),
        {"body": "", "next_update_at": "", "once_token": factories.once_token()},
    )

    html = factories.page_text(response)
    assert "Write the update first" in html
    assert "Say when the next update will come." in html
    assert not ProgressUpdate.objects.exists()


def test_sending_the_public_draft_twice_drafts_it_once(
    client_as, comms, manager, incident, django_capture_on_commit_callbacks
):
    client = client_as(comms)
    data = post_data()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url_for("update-draft", incident), data)
        client.post(url_for("update-draft", incident), data)

    assert ProgressUpdate.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("name", ["update-post", "update-draft"])
def test_nothing_is_added_to_a_frozen_incident(name, client_as, manager, incident):
    factories.walk_to(incident, Incident.Status.CANCELLED)

    response = client_as(manager).post(url_for(name, incident), post_data(), follow=True)

    assert not ProgressUpdate.objects.exists()
    assert factories.messages_shown(response) == [
        ("danger", "A closed or cancelled incident is frozen: no new updates.")
    ]


def test_a_frozen_incident_offers_no_forms_nor_buttons(client_as, manager, incident, author):
    draft(incident, author)
    factories.walk_to(incident, Incident.Status.CANCELLED)

    html = factories.page_text(client_as(manager).get(incident.get_absolute_url()))

    assert 'id="updates-heading"' in html
    for action in ("update-post", "update-draft"):
        assert url_for(action, incident) not in html
    assert "/publish/" not in html and "/withdraw/" not in html


# Editing a draft.


def test_editing_a_draft_saves_text_and_promise(client_as, comms, incident, author):
    update = draft(incident, author)
    client = client_as(comms)
    data = factories.form_values(client.get(url_for("update-edit", incident, update)), "body")
    assert "once_token" not in data
    data["body"] = "Refunds go out on Tuesday."
    data["next_update_at"] = "2031-05-02T10:30"

    response = client.post(
        url_for("update-edit", incident, update), dict(data.lists()), follow=True
    )

    update = factories.reload(update)
    assert update.body == "Refunds go out on Tuesday."
    assert update.next_update_at == datetime(2031, 5, 2, 10, 30, tzinfo=UTC)
    assert factories.messages_shown(response) == [("success", "Public update saved.")]
    assert update.history.first().history_user == comms


def test_a_stale_edit_shows_their_text_and_keeps_mine(client_as, comms, incident, author):
    update = draft(incident, author)
    client = client_as(comms)
    mine = factories.form_values(client.get(url_for("update-edit", incident, update)), "body")
    update.body = "Their text, saved first."
    update.save_draft(by=author, expected_version=update.version, fields=["body"])
    mine["body"] = "My text, saved second."

    response = client.post(url_for("update-edit", incident, update), dict(mine.lists()))

    assert factories.reload(update).body == "Their text, saved first."
    html = factories.page_text(response)
    assert "Saved meanwhile by Author Tester" in html
    assert 'data-testid="their-text">Their text, saved first.</dd>' in html
    again = factories.form_values(response, "body")
    assert again["body"] == "My text, saved second."
    # Saving again is a conscious overwrite of their version.
    assert again["version"] == str(factories.reload(update).version) == "2"
    assert "Someone else saved this update after you opened it." in html


def test_a_published_update_cannot_be_edited(client_as, comms, incident, author):
    update = draft(incident, author, status=S.PUBLISHED)

    response = client_as(comms).get(url_for("update-edit", incident, update), follow=True)

    assert factories.messages_shown(response) == [
        ("danger", "A published public update cannot be edited. Write a new update instead.")
    ]


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
