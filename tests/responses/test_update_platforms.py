"""A public update's target platforms: offered as a statement's are (the incident's own ticked),
held to every platform's length rule, and the publish forms say where Crisis Desk posts by
itself and where a person posts by hand."""

import pytest
from django.urls import reverse

from responses.models import ProgressUpdate, Statement
from tests import factories

pytestmark = pytest.mark.django_db

TOO_LONG_FOR_X = "We are sorry for the late deliveries. " * 8  # 303 characters once stripped


def draft_url(incident):
    return reverse("responses:update-draft", args=[incident.reference])


def test_the_draft_form_ticks_the_incidents_platforms_as_the_statement_form_does(
    client_as, comms, incident
):
    response = client_as(comms).get(incident.get_absolute_url())

    values = factories.form_values(response, "next_update_at")
    assert values.getlist("target_platforms") == ["x", "instagram"]
    statement_form = factories.form_values(
        client_as(comms).get(reverse("responses:statement-create", args=[incident.reference])),
        "kind",
    )
    assert statement_form.getlist("target_platforms") == values.getlist("target_platforms")


def test_a_draft_keeps_its_platforms(client_as, comms, incident):
    client = client_as(comms)
    data = factories.form_values(client.get(incident.get_absolute_url()), "next_update_at")
    data["body"] = "Refunds go out on Monday."
    data.setlist("target_platforms", ["mastodon", "bluesky"])

    client.post(draft_url(incident), dict(data.lists()))

    update = ProgressUpdate.objects.get()
    assert update.target_platforms == ["mastodon", "bluesky"]


def test_a_draft_too_long_for_a_ticked_platform_is_refused_by_its_field(client_as, comms, incident):
    client = client_as(comms)
    data = factories.form_values(client.get(incident.get_absolute_url()), "next_update_at")
    data["body"] = TOO_LONG_FOR_X

    response = client.post(draft_url(incident), dict(data.lists()))

    assert response.status_code == 200
    assert "Too long for X by 23 characters" in factories.page_text(response)
    assert not ProgressUpdate.objects.exists()


def test_without_platforms_a_long_update_stays_on_the_public_page(client_as, comms, incident):
    client = client_as(comms)
    data = factories.form_values(client.get(incident.get_absolute_url()), "next_update_at")
    data["body"] = TOO_LONG_FOR_X
    data.setlist("target_platforms", [])

    client.post(draft_url(incident), dict(data.lists()))

    assert ProgressUpdate.objects.get().target_platforms == []


def test_an_edit_adding_a_platform_the_text_is_too_long_for_is_refused(client_as, comms, incident):
    update = factories.make_update(
        incident, comms, kind="public", body=TOO_LONG_FOR_X, target_platforms=["instagram"]
    )
    url = reverse("responses:update-edit", args=[incident.reference, update.pk])
    data = factories.form_values(client_as(comms).get(url), "next_update_at")
    data.setlist("target_platforms", ["instagram", "x"])

    response = client_as(comms).post(url, dict(data.lists()))

    assert "Too long for X by 23 characters" in factories.page_text(response)
    update.refresh_from_db()
    assert update.target_platforms == ["instagram"]


def test_the_update_publish_button_says_where_it_is_posted_automatically(
    client_as, comms, manager, incident
):
    factories.make_platform_account()
    update = factories.make_update(
        incident, comms, kind="public", target_platforms=["mastodon", "x"]
    )

    response = client_as(manager).get(incident.get_absolute_url())

    hint = f'data-testid="update-{update.pk}-posting-hint"'
    assert hint in response.content.decode()
    text = factories.page_text(response)
    assert "Crisis Desk posts it itself to Mastodon: @acme@mastodon.example." in text
    assert "Post it by hand on X." in text
    # Comms cannot publish it: no hint about publishing.
    assert hint not in client_as(comms).get(incident.get_absolute_url()).content.decode()


def test_a_refused_promise_keeps_the_hint_on_the_publish_page(client_as, comms, manager, incident):
    factories.make_platform_account("acme.bsky.example", platform="bluesky", handle="acme.test")
    update = factories.make_update(incident, comms, kind="public", target_platforms=["bluesky"])
    url = reverse("responses:update-publish", args=[incident.reference, update.pk])

    response = client_as(manager).post(url, {"version": update.version, "next_update_at": ""})

    assert response.status_code == 400
    text = factories.page_text(response)
    assert "Crisis Desk posts it itself to Bluesky: acme.bsky.example." in text
    assert "by hand" not in text


def test_the_statement_publish_form_says_which_links_are_filled_in_and_which_are_pasted(
    client_as, comms, manager, incident
):
    factories.make_platform_account()
    statement = factories.make_statement(
        incident, comms, status=Statement.Status.APPROVED, target_platforms=["mastodon", "x"]
    )

    text = factories.page_text(client_as(manager).get(statement.get_absolute_url()))

    assert (
        "Crisis Desk posts it itself to Mastodon: @acme@mastodon.example. Leave this empty: "
        "the link is filled in once the post is up."
    ) in text
    assert "Post it by hand on X, then paste the link." in text


def test_without_a_connected_account_every_platform_is_by_hand(client_as, comms, manager, incident):
    factories.make_platform_account(is_active=False)
    statement = factories.make_statement(
        incident, comms, status=Statement.Status.APPROVED, target_platforms=["mastodon"]
    )

    text = factories.page_text(client_as(manager).get(statement.get_absolute_url()))

    assert "Post it by hand on Mastodon, then paste the link." in text
    assert "posts it itself" not in text
