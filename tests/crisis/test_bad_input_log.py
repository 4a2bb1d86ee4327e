"""A request refused for its bad input (more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, a host
name the site does not serve) is answered 400 and logged as one warning line without a
traceback, in readable and in JSON logs alike (crisis.operations.BadInputAsWarning)."""

from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tests.crisis.test_operations import production_log


def test_too_many_fields_is_a_warning_line_without_a_traceback(client, manager, stdout_log):
    client.force_login(manager)
    fields = {f"field{n}": "x" for n in range(django_settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    stdout_log.truncate(0)

    response = client.post(reverse("monitoring:inbox-act"), fields)

    assert response.status_code == 400
    lines = [line for line in stdout_log.getvalue().splitlines() if "DATA_UPLOAD" in line]
    assert len(lines) == 1 and "[warning" in lines[0]
    assert "Traceback" not in stdout_log.getvalue()
    assert "TooManyFieldsSent" not in stdout_log.getvalue().replace(
        "[django.security.TooManyFieldsSent]", ""
    )


def test_a_host_not_served_is_a_warning_line_without_a_traceback(db, stdout_log):
    stdout_log.truncate(0)

    response = Client(HTTP_HOST="elsewhere.example").get("/")

    assert response.status_code == 400
    assert "[warning" in stdout_log.getvalue() and "Invalid HTTP_HOST" in stdout_log.getvalue()
    assert "Traceback" not in stdout_log.getvalue()


def test_json_logs_show_bad_input_as_a_warning_without_its_exception():
    lines = production_log(
        "from django.core.exceptions import TooManyFieldsSent\n"
        "try:\n    raise TooManyFieldsSent('too many')\n"
        "except TooManyFieldsSent as refused:\n"
        "    logging.getLogger('django.security.TooManyFieldsSent').error("
        "'too many', extra={'status_code': 400}, exc_info=refused)"
    )
    assert lines[0]["event"] == "too many"
    assert lines[0]["level"] == "warning"
    assert "exception" not in lines[0]


def test_a_server_error_in_json_logs_keeps_its_level_and_exception():
    lines = production_log(
        "try:\n    raise RuntimeError('a bug')\n"
        "except RuntimeError as bug:\n"
        "    logging.getLogger('django.request').error("
        "'Internal Server Error: /x/', extra={'status_code': 500}, exc_info=bug)"
    )
    assert lines[0]["level"] == "error"
    assert lines[0]["exception"][0]["exc_type"] == "RuntimeError"
