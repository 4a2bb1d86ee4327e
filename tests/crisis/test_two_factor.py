"""Two-factor sign-in: the password, then a code from an authenticator app or a recovery code;
required by role (TWO_FACTOR_REQUIRED_FOR), chosen by anyone else."""

import base64
import os
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crisis import two_factor
from crisis.models import SecurityEvent
from tests import factories
from tests.access_policy import url_patterns
from tests.access_world import url_for, world  # noqa: F401 - a fixture

Kind = SecurityEvent.Kind
LOGIN = reverse("login")
DASHBOARD = reverse("incidents:dashboard")
VERIFY = reverse("two-factor-verify")
SETUP = reverse("two-factor-setup")
CODES = reverse("two-factor-recovery-codes")
ACCOUNT = reverse("account")
REMOVE = reverse("two-factor-remove")


@pytest.fixture
def required(settings):
    settings.TWO_FACTOR_REQUIRED_FOR = ["managers", "staff"]


def sign_in(client, user, next_url=None):
    data = {"username": user.username, "password": factories.PASSWORD}
    url = f"{LOGIN}?{urlencode({'next': next_url})}" if next_url else LOGIN
    response = client.post(url, data)
    assert response.status_code == 302, "the password was accepted"
    return response


def code_now(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def code_from_page(page):
    """The code an app shows now for the key the set-up page gives (as a person would type it)."""
    key = base64.b32decode(page.context["secret"].replace(" ", ""))
    return f"{totp(key, digits=6):06d}"


def setup_values(page, **values):
    """What the set-up page's form sends besides the code."""
    return {**factories.form_values(page, "setup").dict(), **values}


def enrolled(user, codes=("aaaa2222", "bbbb3333")):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=recovery, token=code)
    return device


def events(user):
    rows = SecurityEvent.objects.filter(user=user).order_by("pk")
    return list(rows.values_list("kind", flat=True))


# Who must


def test_the_requirement_follows_the_roles(settings, comms, manager, viewer, admin):
    settings.TWO_FACTOR_REQUIRED_FOR = ["managers", "staff"]
    assert [two_factor.required_for(u) for u in (viewer, comms, manager, admin)] == [
        False,
        False,
        True,
        True,
    ]
    settings.TWO_FACTOR_REQUIRED_FOR = ["comms"]
    assert [two_factor.required_for(u) for u in (viewer, comms, manager)] == [False, True, False]
    settings.TWO_FACTOR_REQUIRED_FOR = ["everyone"]
    assert two_factor.required_for(viewer)
    settings.TWO_FACTOR_REQUIRED_FOR = []
    assert not any(two_factor.required_for(u) for u in (viewer, comms, manager, admin))


def _settings_with(env):
    code = "from django.conf import settings; print(settings.TWO_FACTOR_REQUIRED_FOR)"
    environment = {k: v for k, v in os.environ.items() if k != "TWO_FACTOR_REQUIRED_FOR"}
    environment.update(
        DJANGO_SETTINGS_MODULE="crisis.settings",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="crisis.example.com",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        env=environment,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
    )


def test_production_settings_require_it_of_managers_and_staff_and_development_of_no_one():
    assert _settings_with({"DEBUG": "false"}).stdout.strip() == "['managers', 'staff']"
    assert _settings_with({"DEBUG": "true"}).stdout.strip() == "[]"
    nobody = _settings_with({"DEBUG": "false", "TWO_FACTOR_REQUIRED_FOR": "none"})
    assert nobody.stdout.strip() == "[]"
    # An empty line copied from .env.example keeps the default.
    empty = _settings_with({"DEBUG": "false", "TWO_FACTOR_REQUIRED_FOR": ""})
    assert empty.stdout.strip() == "['managers', 'staff']"
    comms = _settings_with({"DEBUG": "true", "TWO_FACTOR_REQUIRED_FOR": " comms , staff"})
    assert comms.stdout.strip() == "['comms', 'staff']"
    refused = _settings_with({"DEBUG": "true", "TWO_FACTOR_REQUIRED_FOR": "managers,bosses"})
    assert refused.returncode != 0
    assert "TWO_FACTOR_REQUIRED_FOR takes" in refused.stderr


# Without it


def test_someone_without_it_signs_in_with_the_password_alone(client, comms):
    sign_in(client, comms)
    assert client.get(DASHBOARD).status_code == 200
    assert events(comms) == [Kind.SIGNED_IN]


# Setting it up when required


def test_a_required_user_must_set_it_up_first_then_sees_recovery_codes_once(
    client, manager, required
):
    incident = factories.make_incident(manager)
    sign_in(client, manager, next_url=incident.get_absolute_url())

    response = client.get(incident.get_absolute_url())
    assert response.status_code == 302
    assert response.url == f"{SETUP}?{urlencode({'next': incident.get_absolute_url()})}"

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in html
    assert "<script>" not in html and " style=" not in html
    setup = setup_values(page, next=incident.get_absolute_url())

    wrong = client.post(response.url, {**setup, "code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=manager).exists()

    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        done = client.post(SETUP, {**setup, "code": code_from_page(page)})
        assert done.status_code == 302
        assert done.url.startswith(CODES)
        shown = client.get(done.url)
        codes = shown.context["codes"]
        assert len(codes) == 10
        assert set(codes) == set(
            StaticToken.objects.filter(device__user=manager).values_list("token", flat=True)
        )
        assert incident.get_absolute_url() in shown.content.decode()
        # Shown once.
        again = client.get(CODES)
        assert again.status_code == 302 and again.url == ACCOUNT
        assert client.get(incident.get_absolute_url()).status_code == 200
    assert TOTPDevice.objects.get(user=manager).confirmed
    assert events(manager) == [
        Kind.SIGNED_IN,
        Kind.CODE_REFUSED,
        Kind.TWO_FACTOR_ENROLLED,
    ]


def test_a_required_user_reaches_no_page_before_the_second_factor(client, required, request):
    site = request.getfixturevalue("world")  # the access matrix's: a record of every kind
    manager = site["users"]["manager"]
    sign_in(client, manager)
    wrong = []
    open_names = set(two_factor.TwoFactorMiddleware.OPEN_URL_NAMES) | {"healthz"}
    for key, route, pattern in url_patterns():
        if key in open_names or getattr(pattern.callback, "sessionless", False):
            continue  # a sessionless page (the public page) reads no user: nothing to stop
        url = url_for(key, route, site)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code != 302 or not response.url.startswith(SETUP + "?next="):
                wrong.append(f"{method.upper()} {url} ({key}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ["viewer", "comms"])
def test_roles_not_required_are_not_stopped(client, required, role, request):
    user = request.getfixturevalue(role)
    sign_in(client, user)
    assert client.get(DASHBOARD).status_code == 200


def test_the_admin_site_is_stopped_too(client, admin, required):
    sign_in(client, admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(SETUP)


# Signing in with it


def test_a_user_with_an_app_gives_a_code_after_the_password(client, comms):
    device = enrolled(comms)
    sign_in(client, comms)

    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response.url == f"{VERIFY}?{urlencode({'next': DASHBOARD})}"
    assert client.get(response.url).status_code == 200

    # Someone with the password only cannot set up an app of their own instead.
    assert client.get(SETUP).url.startswith(VERIFY)

    refused = client.post(VERIFY, {"code": "123456", "next": DASHBOARD})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert client.get(DASHBOARD).status_code == 302

    # Right away, even the right code must wait (the throttle).
    throttled = client.post(VERIFY, {"code": code_now(device), "next": DASHBOARD})
    assert "Too many wrong codes: wait" in throttled.content.decode()

    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        accepted = client.post(VERIFY, {"code": code_now(device), "next": DASHBOARD})
        assert accepted.status_code == 302 and accepted.url == DASHBOARD
        assert client.get(DASHBOARD).status_code == 200
    assert events(comms) == [Kind.SIGNED_IN, Kind.CODE_REFUSED, Kind.CODE_ACCEPTED]


def test_the_next_address_never_leads_off_the_site(client, comms):
    device = enrolled(comms)
    sign_in(client, comms)
    response = client.post(VERIFY, {"code": code_now(device), "next": "https://evil.example/"})
    assert response.url == DASHBOARD


def test_a_recovery_code_works_once(client, comms):
    enrolled(comms, codes=["aaaa2222", "bbbb3333"])
    sign_in(client, comms)
    first = client.post(VERIFY, {"code": "AAAA 2222", "next": DASHBOARD})
    assert first.status_code == 302 and first.url == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["bbbb3333"]

    client.post(reverse("logout"))
    sign_in(client, comms)
    with time_machine.travel(timezone.now() + timedelta(seconds=30)):
        again = client.post(VERIFY, {"code": "aaaa2222", "next": DASHBOARD})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()
    assert client.get(DASHBOARD).status_code == 302
    kinds = events(comms)
    assert Kind.RECOVERY_CODE_USED in kinds and kinds[-1] == Kind.CODE_REFUSED


# Opting in and out


def test_anyone_may_turn_it_on_and_off(client, viewer):
    client.force_login(viewer)
    assert "Set up two-factor sign-in" in client.get(ACCOUNT).content.decode()
    page = client.get(SETUP)
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        client.post(SETUP, {**setup_values(page), "code": code_from_page(page)})
    assert client.get(ACCOUNT).context["app_device"] == TOTPDevice.objects.get(user=viewer)

    refused = client.post(REMOVE, {"code": "999999"}, follow=True)
    assert "That code is not right" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=viewer).exists()

    token = StaticToken.objects.filter(device__user=viewer).first().token
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        removed = client.post(REMOVE, {"code": token}, follow=True)
    assert "Two-factor sign-in is off" in removed.content.decode()
    assert not TOTPDevice.objects.filter(user=viewer).exists()
    assert not StaticDevice.objects.filter(user=viewer).exists()
    assert client.get(DASHBOARD).status_code == 200
    assert events(viewer)[-1] == Kind.TWO_FACTOR_REMOVED


def test_a_required_user_cannot_turn_it_off(client, manager, required):
    device = enrolled(manager)
    sign_in(client, manager)
    client.post(VERIFY, {"code": code_now(device)})
    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        response = client.post(REMOVE, {"code": "aaaa2222"}, follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert TOTPDevice.objects.filter(user=manager).exists()


def test_new_recovery_codes_replace_the_old_and_are_shown_once(client, comms):
    device = enrolled(comms, codes=["aaaa2222"])
    sign_in(client, comms)
    client.post(VERIFY, {"code": code_now(device)})
    response = client.post(CODES)
    assert response.url == CODES
    codes = client.get(CODES).context["codes"]
    assert len(codes) == 10 and "aaaa2222" not in codes
    assert StaticToken.objects.filter(device__user=comms).count() == 10
    assert events(comms)[-1] == Kind.RECOVERY_CODES_RENEWED


def test_an_admin_removes_a_lost_phone_and_the_person_sets_it_up_again(
    client, manager, admin, required
):
    device = enrolled(admin)
    enrolled(manager)
    sign_in(client, admin)
    client.post(VERIFY, {"code": code_now(device)})
    lost = TOTPDevice.objects.get(user=manager)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    event = SecurityEvent.objects.filter(user=manager).last()
    assert event.kind == Kind.TWO_FACTOR_REMOVED and "by admin" in event.detail

    client.post(reverse("logout"))
    sign_in(client, manager)
    assert client.get(DASHBOARD).url.startswith(SETUP)


class _InlineScripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.scripts.append(attrs)


def test_the_setup_page_has_no_inline_script(client, comms):
    client.force_login(comms)
    reader = _InlineScripts()
    reader.feed(client.get(SETUP).content.decode())
    assert reader.scripts == []


def test_a_recovery_code_made_only_of_digits_still_works(client, comms):
    enrolled(comms, codes=["23456723"])
    sign_in(client, comms)
    response = client.post(VERIFY, {"code": "2345 6723", "next": DASHBOARD})
    assert response.status_code == 302 and response.url == DASHBOARD


def test_when_an_admin_removes_the_app_of_someone_not_required_they_go_on_with_the_password(
    client, comms
):
    enrolled(comms)
    sign_in(client, comms)
    assert client.get(DASHBOARD).url.startswith(VERIFY)

    two_factor.remove_devices(comms)

    assert client.get(DASHBOARD).status_code == 200


def test_when_an_admin_removes_the_app_of_a_required_user_they_must_set_it_up_again(
    client, manager, required
):
    device = enrolled(manager)
    sign_in(client, manager)
    client.post(VERIFY, {"code": code_now(device)})
    assert client.get(DASHBOARD).status_code == 200

    two_factor.remove_devices(manager)

    assert client.get(DASHBOARD).url.startswith(SETUP)


# Roles changed during a session


@pytest.mark.parametrize("promotion", ["manager", "staff"])
def test_someone_given_a_required_role_during_the_session_must_set_it_up_at_the_next_request(
    client, comms, required, promotion
):
    from django.contrib.auth.models import Group

    sign_in(client, comms)
    assert client.get(DASHBOARD).status_code == 200

    if promotion == "manager":
        comms.groups.add(Group.objects.get(name="Managers"))
    else:
        comms.is_staff = True
        comms.save()
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url.startswith(SETUP + "?next=")


def test_someone_with_an_app_made_a_manager_during_the_session_gives_a_code(
    client, viewer, required
):
    from django.contrib.auth.models import Group

    device = enrolled(viewer)
    sign_in(client, viewer)
    client.post(VERIFY, {"code": code_now(device)})
    assert client.get(DASHBOARD).status_code == 200  # verified in this session: nothing owed

    viewer.groups.add(Group.objects.get(name="Managers"))

    assert client.get(DASHBOARD).status_code == 200


def test_someone_removed_from_managers_is_no_longer_made_to_set_it_up(client, manager, required):
    sign_in(client, manager)
    assert client.get(DASHBOARD).url.startswith(SETUP)

    manager.groups.clear()

    assert client.get(DASHBOARD).status_code == 200
    assert client.get(ACCOUNT).status_code == 200


def test_the_requirement_is_read_again_only_when_the_setting_names_a_group(
    comms, settings, django_assert_num_queries
):
    """With no group in TWO_FACTOR_REQUIRED_FOR, checking it costs no query per request."""
    settings.TWO_FACTOR_REQUIRED_FOR = ["staff"]
    with django_assert_num_queries(0):
        assert not two_factor.required_for(comms)
    settings.TWO_FACTOR_REQUIRED_FOR = ["managers"]
    with django_assert_num_queries(1):
        assert not two_factor.required_for(comms)
