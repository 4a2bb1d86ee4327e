"""What operators rely on: /healthz, error pages that work with DEBUG off, a 503 when the
database goes away, the request log, and reminders surviving a mail server that refuses."""

import io
import json
import logging
import os
import smtplib
import subprocess
import sys
from unittest import mock

import pytest
import structlog
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.urls import reverse

from crisis import operations
from crisis.models import SecurityEvent
from crisis.outbound.models import Delivery
from responses.models import SentReminder
from tests.responses.test_reminders import at, lead, major  # noqa: F401 - fixtures

HEALTHZ = "/healthz"


# /healthz


@pytest.fixture
def fresh_health_check(monkeypatch):
    monkeypatch.setattr(operations, "_migrations_complete", False)


def test_healthz_says_ok_to_anyone_and_nothing_else(client, db, fresh_health_check):
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies
    assert client.head(HEALTHZ).status_code == 200
    assert client.post(HEALTHZ).status_code == 405
    assert reverse("healthz") == HEALTHZ


@override_settings(ALLOWED_HOSTS=["crisis.example.com"], SECURE_SSL_REDIRECT=True)
def test_healthz_needs_no_host_name_no_https_and_no_session(db, fresh_health_check):
    # A load balancer probes the instance's own address over plain HTTP.
    response = Client().get(HEALTHZ, HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_healthz_is_not_counted_by_the_sign_in_lockout(client, db, settings):
    from axes.models import AccessAttempt, AccessLog

    for _ in range(20):
        client.get(HEALTHZ)
    assert not AccessAttempt.objects.exists() and not AccessLog.objects.exists()
    assert not SecurityEvent.objects.exists()


def test_healthz_answers_503_when_migrations_are_not_applied(client, db, fresh_health_check):
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=[("x", False)]):
        response = client.get(HEALTHZ)
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert response["Retry-After"] == str(operations.RETRY_AFTER_SECONDS)


def test_healthz_answers_503_when_the_database_is_unreachable(client, db):
    def unreachable(*args, **kwargs):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    with mock.patch("django.db.backends.utils.CursorWrapper.execute", unreachable):
        response = client.get(HEALTHZ)
    assert response.status_code == 503
    # The reason goes to the log, never to the probe.
    assert b"refused" not in response.content and b"db" not in response.content


# Error pages with DEBUG off


@pytest.fixture
def faulty(settings):
    settings.ROOT_URLCONF = "tests.crisis.faulty_urls"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def styled(response):
    html = response.content.decode()
    return "css/app.css" in html and "Crisis Desk" in html


def test_a_server_error_shows_the_styled_page(faulty, db):
    response = faulty.get("/faults/boom/")
    assert response.status_code == 500
    assert styled(response)
    assert "Something went wrong on our side" in response.content.decode()
    assert "a bug" not in response.content.decode()


def test_the_server_error_page_needs_no_request_context(faulty, db):
    # Even the context processors failing (the session store, the user) leave the page intact.
    with mock.patch(
        "django.contrib.auth.context_processors.auth", side_effect=RuntimeError("broken")
    ):
        response = faulty.get("/faults/boom/")
    assert response.status_code == 500 and styled(response)


def test_a_bad_request_shows_the_styled_page(faulty, db):
    response = faulty.get("/faults/suspicious/")
    assert response.status_code == 400
    assert styled(response)
    assert "could not be read" in response.content.decode()


@override_settings(ALLOWED_HOSTS=["crisis.example.com"])
def test_an_unknown_host_name_gets_the_styled_bad_request_page(faulty, db):
    response = faulty.get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400 and styled(response)


def test_forbidden_and_not_found_show_styled_pages(faulty, comms):
    faulty.force_login(comms)
    forbidden = faulty.get("/faults/forbidden/")
    missing = faulty.get("/no-such-page/")
    assert forbidden.status_code == 403 and styled(forbidden)
    assert "You may not do that" in forbidden.content.decode()
    assert missing.status_code == 404 and styled(missing)
    assert "Nothing here" in missing.content.decode()


# The database going away


def test_the_database_going_away_answers_503_with_retry_after_and_keeps_committed_writes(
    faulty, db
):
    response = faulty.get("/faults/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(operations.RETRY_AFTER_SECONDS)
    assert "unavailable for a moment" in response.content.decode()
    assert styled(response)
    assert SecurityEvent.objects.filter(username="before the fault").exists()


def test_the_database_going_away_while_reading_the_session_answers_503(faulty, comms):
    faulty.force_login(comms)
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("terminating connection due to administrator command"),
    ):
        response = faulty.get(reverse("incidents:dashboard"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(operations.RETRY_AFTER_SECONDS)


# The request log


def test_each_request_is_logged_with_its_id_user_and_duration(client, comms, caplog):
    caplog.set_level(logging.INFO, logger="django_structlog")
    client.force_login(comms)
    client.get(reverse("incidents:dashboard"), REMOTE_ADDR="198.51.100.7")

    finished = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    finished = [e for e in finished if e.get("event") == "request_finished"]
    assert len(finished) == 1
    line = finished[0]
    assert line["code"] == 200
    assert line["user_id"] == comms.pk
    assert line["ip"] == "198.51.100.7"
    assert isinstance(line["duration_ms"], float)
    assert len(line["request_id"]) == 36
    # The same request id is on the line that said the request started.
    started = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    assert any(
        e.get("event") == "request_started" and e["request_id"] == line["request_id"]
        for e in started
    )


def test_the_request_log_trusts_no_forwarded_header_without_a_trusted_proxy(client, db, caplog):
    caplog.set_level(logging.INFO, logger="django_structlog")
    client.get(reverse("login"), REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6")
    lines = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    assert {e["ip"] for e in lines} == {"198.51.100.7"}


def production_log(code):
    """The JSON lines a Python process with production settings (DEBUG off) writes to stdout
    while running ``code``."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crisis.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "crisis.example.com",
    }
    environment.pop("LOG_FORMAT", None)
    done = subprocess.run(
        [sys.executable, "-c", "import django, logging; django.setup()\n" + code],
        env=environment,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
    )
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 1, done.stderr
    return lines


def test_with_debug_off_logs_are_json_lines_on_stdout():
    lines = production_log(
        "import structlog; "
        "structlog.contextvars.bind_contextvars(request_id='r-1', user_id=7); "
        "logging.getLogger('crisis.test').warning('disk at %s%%', 91)"
    )
    assert lines[0]["event"] == "disk at 91%"
    assert lines[0]["level"] == "warning"
    assert lines[0]["request_id"] == "r-1" and lines[0]["user_id"] == 7
    assert "timestamp" in lines[0]


def test_with_readable_logs_a_refused_request_is_one_line_without_its_traceback(
    client, viewer, settings, stdout_log
):
    assert django_settings.LOG_FORMAT == "console"  # the default with DEBUG on, as in tests
    settings.DEBUG = True
    client.force_login(viewer)
    stdout_log.truncate(0)

    response = client.get(reverse("incidents:create"))

    assert response.status_code == 403
    lines = stdout_log.getvalue().splitlines()
    refusals = [line for line in lines if "Forbidden (Permission denied)" in line]
    assert len(refusals) == 1 and "/incidents/new/" in refusals[0]
    assert "Traceback" not in stdout_log.getvalue()
    assert "PermissionDenied" not in stdout_log.getvalue()


def test_with_readable_logs_a_server_error_keeps_its_traceback(faulty, db, stdout_log):
    response = faulty.get("/faults/boom/")

    assert response.status_code == 500
    assert "RuntimeError" in stdout_log.getvalue() and "a bug" in stdout_log.getvalue()


def test_json_logs_keep_the_exception_of_a_refused_request():
    lines = production_log(
        "from django.core.exceptions import PermissionDenied\n"
        "try:\n    raise PermissionDenied\n"
        "except PermissionDenied as refused:\n"
        "    logging.getLogger('django.request').warning("
        "'Forbidden (Permission denied): %s', '/x/', extra={'status_code': 403}, exc_info=refused)"
    )
    assert lines[0]["event"] == "Forbidden (Permission denied): /x/"
    assert lines[0]["exception"][0]["exc_type"] == "PermissionDenied"


def test_structlog_is_configured_for_the_standard_library():
    assert structlog.is_configured()


# Mail refused


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPDataError(554, b"Transaction failed: relay refused")


def test_reminders_refused_by_the_mail_server_are_sent_on_the_next_run_and_only_once(
    settings, request
):
    request.getfixturevalue("major")  # an incident whose acknowledgement is due at minute 60
    import time_machine

    settings.EMAIL_BACKEND = "tests.crisis.test_operations.RefusingBackend"
    with time_machine.travel(at(61), tick=False):
        call_command("send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
    # Recorded once, waiting in the outbox for its next attempt.
    assert SentReminder.objects.count() == 1
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(at(62), tick=False):
        call_command("send_reminders", stdout=io.StringIO())
        call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    assert "overdue" in mail.outbox[0].subject
    assert SentReminder.objects.count() == 1


def test_a_failed_form_check_shows_the_styled_page(db, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert styled(response)
    assert "This form could not be sent" in response.content.decode()
