"""Connecting accounts in the admin site: the secret is encrypted at rest, never shown back,
kept when left empty, replaceable; a missing key is a clear error, and the deploy check is clean
while nothing is connected."""

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from connectors import crypto, posting
from connectors.models import PlatformAccount, PostAttempt
from tests import factories
from tests.connectors.conftest import approved_statement, publish

pytestmark = pytest.mark.django_db

ADD = reverse("admin:connectors_platformaccount_add")


def change_url(account):
    return reverse("admin:connectors_platformaccount_change", args=[account.pk])


def test_an_admin_connects_a_mastodon_account_and_the_token_is_stored_encrypted(client_as, admin):
    response = client_as(admin).post(
        ADD,
        {
            "platform": "mastodon",
            "name": "@acme@mastodon.example",
            "server_url": "https://mastodon.example",
            "handle": "",
            "secret": "s3cret-token-value",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, factories.page_text(response)
    account = PlatformAccount.objects.get()
    assert "s3cret-token-value" not in account.secret_encrypted
    assert account.secret() == "s3cret-token-value"
    assert account.secret_changed_at is not None


def test_the_secret_is_never_shown_back_and_empty_keeps_it(client_as, admin):
    account = factories.make_platform_account(secret="s3cret-token-value")
    client = client_as(admin)

    page = client.get(change_url(account)).content.decode()
    assert "s3cret-token-value" not in page
    assert account.secret_encrypted not in page
    assert "leave empty to keep" in page

    fields = factories.form_values(client.get(change_url(account)), "name").copy()
    fields["name"] = "@acme renamed"
    assert fields["secret"] == ""
    response = client.post(change_url(account), fields)

    assert response.status_code == 302, factories.page_text(response)
    account.refresh_from_db()
    assert account.name == "@acme renamed"
    assert account.secret() == "s3cret-token-value"


def test_a_new_secret_replaces_the_old_one(client_as, admin):
    account = factories.make_platform_account(secret="old-token")
    client = client_as(admin)
    fields = factories.form_values(client.get(change_url(account)), "name").copy()
    fields["secret"] = "new-token"

    assert client.post(change_url(account), fields).status_code == 302
    account.refresh_from_db()
    assert account.secret() == "new-token"


def test_connecting_without_a_secret_or_a_bluesky_handle_is_refused(client_as, admin):
    response = client_as(admin).post(
        ADD,
        {"platform": "bluesky", "name": "Acme", "server_url": "https://bsky.social", "secret": ""},
    )

    text = factories.page_text(response)
    assert response.status_code == 200
    assert "Enter the access token or app password to connect." in text
    assert "A Bluesky account signs in with its handle." in text
    assert not PlatformAccount.objects.exists()


def test_without_a_key_in_production_connecting_says_what_to_set(client_as, admin, settings):
    settings.CONNECTOR_KEYS = []
    settings.CONNECTOR_DEVELOPMENT_KEY_ALLOWED = False

    response = client_as(admin).post(
        ADD,
        {
            "platform": "mastodon",
            "name": "Acme",
            "server_url": "https://mastodon.example",
            "secret": "token",
        },
    )

    assert "CONNECTOR_KEY is not set" in factories.page_text(response)
    assert not PlatformAccount.objects.exists()
    with pytest.raises(ImproperlyConfigured, match="CONNECTOR_KEY"):
        crypto.encrypt("token")


def test_without_the_key_a_post_fails_with_the_reason(
    incident, comms, manager, settings, django_capture_on_commit_callbacks
):
    factories.make_platform_account()
    statement = approved_statement(incident, comms)
    (attempt,) = publish(statement, manager, django_capture_on_commit_callbacks)
    settings.CONNECTOR_KEYS = []
    settings.CONNECTOR_DEVELOPMENT_KEY_ALLOWED = False

    attempt = posting.run(attempt.pk)

    assert attempt.status == PostAttempt.Status.FAILED
    assert "CONNECTOR_KEY is not set" in attempt.last_error


def test_a_key_is_rotated_by_putting_the_new_one_first(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CONNECTOR_KEYS = [old]
    account = factories.make_platform_account(secret="token")

    settings.CONNECTOR_KEYS = [new, old]
    assert account.secret() == "token"
    settings.CONNECTOR_KEYS = [new]
    with pytest.raises(crypto.CredentialUnreadable, match="Enter the credential again"):
        account.secret()


def test_a_malformed_key_is_a_clear_error(settings):
    settings.CONNECTOR_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        crypto.encrypt("token")


def deploy_errors():
    return [m.id for m in run_checks(include_deployment_checks=True) if m.id.startswith("conn")]


def test_the_deploy_check_is_clean_with_no_key_and_no_account(settings):
    settings.CONNECTOR_KEYS = []
    settings.CONNECTOR_DEVELOPMENT_KEY_ALLOWED = False
    assert deploy_errors() == []


def test_the_deploy_check_asks_for_the_key_once_an_account_is_connected(settings):
    factories.make_platform_account()
    settings.CONNECTOR_KEYS = []
    settings.CONNECTOR_DEVELOPMENT_KEY_ALLOWED = False
    assert deploy_errors() == ["connectors.E001"]
    settings.CONNECTOR_KEYS = [Fernet.generate_key().decode()]
    assert deploy_errors() == []
