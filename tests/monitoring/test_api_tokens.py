"""API tokens: only the hash is kept, expiry, revocation, last use, the admin and the command."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from monitoring.models import ApiToken


@pytest.mark.django_db
def test_only_the_hash_of_the_secret_is_stored(admin):
    token, whole = ApiToken.issue("Brandwatch", by=admin)

    tag, prefix, secret = whole.split("_", 2)
    assert tag == "cd" and prefix == token.key_prefix
    assert len(secret) >= 40  # 256 random bits
    row = ApiToken.objects.values().get(pk=token.pk)
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in row.values())
    assert ApiToken.authenticate(whole) == token


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["", "cd", "cd_", "cd__secret", "xx_abc_def", "Bearer", "cd_unknown_secret", "x" * 500],
)
def test_text_that_is_no_token_authenticates_nobody(text):
    ApiToken.issue("Brandwatch")
    assert ApiToken.authenticate(text) is None


@pytest.mark.django_db
def test_a_wrong_secret_with_a_right_prefix_is_refused():
    token, whole = ApiToken.issue("Brandwatch")

    assert ApiToken.authenticate(whole[:-1] + ("A" if whole[-1] != "A" else "B")) is None
    assert ApiToken.authenticate(f"cd_{token.key_prefix}_") is None


@pytest.mark.django_db
def test_an_expired_token_is_refused_from_its_expiry():
    now = timezone.now()
    token, whole = ApiToken.issue("Meltwater", expires_at=now + timedelta(days=1))

    assert ApiToken.authenticate(whole, now=now + timedelta(hours=23)) == token
    assert ApiToken.authenticate(whole, now=now + timedelta(days=1)) is None
    assert token.is_expired(now + timedelta(days=1))


@pytest.mark.django_db
def test_a_token_cannot_be_created_already_expired():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ApiToken.issue("Old", expires_at=timezone.now() - timedelta(seconds=1))
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_a_revoked_token_is_refused_and_stays_revoked(admin):
    token, whole = ApiToken.issue("Talkwalker")

    assert token.revoke(by=admin)
    first = ApiToken.objects.get().revoked_at

    assert ApiToken.authenticate(whole) is None
    assert not token.revoke(by=admin)
    assert ApiToken.objects.get().revoked_at == first
    assert ApiToken.objects.get().revoked_by == admin


@pytest.mark.django_db
def test_last_use_is_recorded_at_most_once_a_minute(django_assert_num_queries):
    token, whole = ApiToken.issue("Sprout")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_assert_num_queries(2):  # the lookup, the update
            ApiToken.authenticate(whole)
        assert ApiToken.objects.get().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        with django_assert_num_queries(1):  # the lookup only
            ApiToken.authenticate(whole)
        assert ApiToken.objects.get().last_used_at == start
    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False):
        ApiToken.authenticate(whole)
        assert ApiToken.objects.get().last_used_at == later
    assert token.pk


@pytest.mark.django_db
def test_the_command_prints_the_token_once_and_keeps_its_hash():
    out, err = StringIO(), StringIO()

    call_command(
        "create_api_token", "Brandwatch", "--expires-in-days", "30", stdout=out, stderr=err
    )

    whole = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert ApiToken.authenticate(whole) == token
    assert "shown only now" in err.getvalue()
    assert timedelta(days=29, hours=23) < token.expires_at - timezone.now() <= timedelta(days=30)


@pytest.mark.django_db
def test_the_command_refuses_a_name_in_use_and_a_bad_expiry():
    call_command("create_api_token", "Brandwatch", stdout=StringIO(), stderr=StringIO())

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_token", "Brandwatch", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="1 or more"):
        call_command("create_api_token", "Other", "--expires-in-days", "0", stdout=StringIO())
    assert ApiToken.objects.count() == 1


@pytest.mark.django_db
def test_the_admin_shows_the_secret_once_after_creating_the_token(client, admin):
    client.force_login(admin)

    response = client.post(
        reverse("admin:monitoring_apitoken_add"), {"name": "Brandwatch"}, follow=True
    )

    token = ApiToken.objects.get()
    assert token.created_by == admin
    shown = [str(m) for m in get_messages(response.wsgi_request)] or [
        m.message for m in response.context["messages"]
    ]
    whole = next(word for m in shown for word in m.split() if word.startswith("cd_"))
    assert ApiToken.authenticate(whole) == token
    page = client.get(reverse("admin:monitoring_apitoken_change", args=[token.pk]))
    assert whole.split("_", 2)[2] not in page.content.decode()
    assert token.key_prefix in page.content.decode()


@pytest.mark.django_db
def test_the_admin_revokes_selected_tokens(client, admin):
    token, whole = ApiToken.issue("Brandwatch")
    client.force_login(admin)

    client.post(
        reverse("admin:monitoring_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert ApiToken.objects.get().revoked_by == admin
    assert ApiToken.authenticate(whole) is None
    listing = client.get(reverse("admin:monitoring_apitoken_changelist")).content.decode()
    assert "Revoked" in listing
    # A revoked token is not edited back to life, nor deleted.
    change = reverse("admin:monitoring_apitoken_change", args=[token.pk])
    client.post(change, {"name": "Renamed"})
    assert ApiToken.objects.get().name == "Brandwatch"
    delete = reverse("admin:monitoring_apitoken_delete", args=[token.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
