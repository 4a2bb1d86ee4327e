"""Settings that refuse an unsafe deployment, and pages that keep to the Content-Security-Policy."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from incidents.models import Incident
from tests import factories

BASE_DIR = Path(django_settings.BASE_DIR)
SIXTY_CHARACTER_KEY = "k3Jq8vN1xR7tY2mB5cW9zL4pH6sD0fG3aE8uI1oQ7wT2yV5nM9bX4cZ6jK0l"


def run(args, **env):
    """Run ``python args`` in a fresh process, with this environment minus the app's settings."""
    environment = {
        name: value
        for name, value in os.environ.items()
        # The browser tests allow async-unsafe ORM calls; a deployment never does.
        if name
        not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_key_used_here_is_sixty_characters():
    assert len(SIXTY_CHARACTER_KEY) == 60


def test_settings_refuse_to_load_without_a_secret_key_when_debug_is_off():
    result = run(["-c", "import crisis.settings"], DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_settings_refuse_a_short_secret_key_when_debug_is_off():
    result = run(["-c", "import crisis.settings"], DEBUG="false", SECRET_KEY="short-and-guessable")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_settings_load_with_a_real_key_when_debug_is_off():
    result = run(
        ["-c", "import crisis.settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT)"],
        DEBUG="false",
        SECRET_KEY=SIXTY_CHARACTER_KEY,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("DEBUG", "maybe", "DEBUG must be true or false, not 'maybe'."),
        ("AXES_ENABLED", "sometimes", "AXES_ENABLED must be true or false"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number, not 'twenty-five'."),
        ("TRUSTED_PROXY_COUNT", "-1", "TRUSTED_PROXY_COUNT must be 0 or more."),
    ],
)
def test_a_malformed_setting_fails_loudly(name, value, complaint):
    result = run(["-c", "import crisis.settings"], **{name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert complaint in result.stderr


def test_the_deployment_check_is_clean_with_debug_off():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=SIXTY_CHARACTER_KEY,
        ALLOWED_HOSTS="example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


# The Content-Security-Policy


def test_every_response_carries_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_pages_forbid_framing_and_sniffing(client, db):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


class _InlineFinder(HTMLParser):
    """Everything in a page that a strict policy would block: inline script or style."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found += [f"{name}= on <{tag}>" for name in names if name.startswith("on")]
        self.found += [
            f"javascript: link on <{tag}>"
            for name, value in attrs
            if name in ("href", "src", "action") and (value or "").lower().startswith("javascript:")
        ]


def inline_code(response):
    finder = _InlineFinder()
    finder.feed(response.content.decode())
    return finder.found


def test_the_login_page_has_no_inline_script_or_style(client, db):
    response = client.get(reverse("login"))

    assert "<script" in response.content.decode()  # the check below looks at real tags
    assert inline_code(response) == []
    assert " style=" not in response.content.decode()


def test_the_main_pages_have_no_inline_script_or_style(client_as, manager, comms):
    incident = factories.make_incident(comms, title="Checkout outage")
    party = factories.make_party(incident)
    factories.make_incident(comms, title="Rumour", status=Incident.Status.CANCELLED)
    client = client_as(manager)
    ref = incident.reference
    urls = [
        reverse("incidents:dashboard"),
        reverse("incidents:list"),
        reverse("incidents:list") + "?status=bogus&page=9",
        reverse("incidents:create"),
        reverse("incidents:detail", args=[ref]),
        reverse("incidents:edit", args=[ref]),
        reverse("incidents:history", args=[ref]),
        reverse("incidents:party-create", args=[ref]),
        reverse("incidents:party-edit", args=[ref, party.pk]),
        reverse("incidents:party-history", args=[ref, party.pk]),
        reverse("incidents:detail", args=["CR-1999-999"]),
    ]
    pages = {url: client.get(url) for url in urls}
    pages["create form with errors"] = client.post(reverse("incidents:create"), {"title": ""})
    pages["403 page"] = client_as(factories.make_user("reader")).get(reverse("incidents:create"))

    found = {name: inline_code(page) for name, page in pages.items()}
    assert found == {name: [] for name in pages}
    assert [name for name, page in pages.items() if " style=" in page.content.decode()] == []
    assert pages["403 page"].status_code == 403
    assert pages[urls[-1]].status_code == 404
