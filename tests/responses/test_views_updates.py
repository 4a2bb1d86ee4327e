"""The progress-update views that write (responses:update-post, -draft, -edit): who gets in,
posting to the log, drafting a public update and editing a draft. Publishing, withdrawing, the
panel and the dashboard: test_update_publish.py."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from incidents.models import Incident
from responses.models import ProgressUpdate
from tests import factories
from tests.outbox import deliver

S = ProgressUpdate.Status
K = ProgressUpdate.Kind
NOW = datetime(2031, 5, 2, 9, 0, tzinfo=UTC)
ROLES = ["anonymous", "viewer", "comms", "manager", "admin"]
WRITERS = {"comms", "manager", "admin"}
MANAGERS = {"manager", "admin"}

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
    deliver()

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
    deliver()

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
