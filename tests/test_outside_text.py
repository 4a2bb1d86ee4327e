"""Text from outside is shown as text, everywhere it appears.

The access matrix's world is given hostile text in every free-text column of every record of the
app (incidents, parties, statements, updates, action items, post-mortems, mentions, imports, plan
templates, their history rows, people's names): markup, a formula, a line break with a mail header
after it. Every page of the site (the admin's included) is then opened as each role that may open
it, and the public page without signing in: markup must come back escaped in HTML, every CSV cell
must be guarded against formulas, the Markdown report must escape it, and mails must go out with
the text in their body and a subject on one line. A column or page added later is covered without
touching this file.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.test import Client
from django.utils import timezone

from crisis.fields import ChoiceListField
from crisis.mail import subject_line
from responses.public import public_page_url
from responses.reminders import send_due_reminders
from tests import factories
from tests.access_policy import POLICY, url_patterns
from tests.access_world import url_for, world  # noqa: F401 - world is a fixture
from tests.outbox import deliver

MARKUP = '<fz-outside data-x="1">'
HOSTILE = f'=HYPERLINK("http://evil.example")|{MARKUP}\r\nBcc: evil@example.com'

# Columns that are not free text although they are stored as text: identifiers the site routes
# or matches by, secrets, and values parsed as something else.
NOT_FREE_TEXT = {
    "reference",
    "slug",
    "external_id",
    "platform",
    "source",
    "key",
    "key_hash",
    "token",
    "secret",
    "secret_hash",
    # A digest the app computes of the logo it drew; the colour is checked as #rrggbb on save
    # and again before the style sheet writes it (PublicProfile.accent).
    "logo_sha",
    "accent_colour",
    "prefix",
    "password",
    "username",
    "email",
    "url",
    "status",
    "kind",
    "sentiment_label",
    "history_type",
    "mapping",
    "path",
    "file",
    "stored_name",
    "encoding",
    "delimiter",
    "task_id",
    "ip_address",
    "user_agent",
    "version",
    "tracking_terms",
}


def free_text_fields(model):
    for field in model._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)):
            continue
        if field.choices or isinstance(field, ChoiceListField) or field.primary_key:
            continue
        if field.name in NOT_FREE_TEXT or field.unique:
            continue
        yield field


def fill_with_hostile_text():
    """Every free-text column of the app's records (history included) and people's names."""
    filled = []
    for app_label in ("incidents", "monitoring", "responses", "crisis", "lines", "rumours"):
        for model in apps.get_app_config(app_label).get_models():
            fields = list(free_text_fields(model))
            if not fields:
                continue
            values = {}
            for field in fields:
                limit = field.max_length or 10_000
                values[field.name] = HOSTILE[:limit]
            model._base_manager.update(**values)
            filled.append(model._meta.label)
    user_model = apps.get_model("auth", "User")
    user_model.objects.update(first_name=MARKUP, last_name=HOSTILE[:150])
    return filled


def readable_pages(role):
    for key, route, _pattern in url_patterns():
        if POLICY.get(key, {}).get(role, (None,))[0] == 200:
            yield key, route


def assert_shown_as_text(key, response):
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig", errors="replace")
    if "text/html" in kind:
        assert MARKUP not in text, f"{key}: markup from outside shown unescaped"
    elif "text/csv" in kind:
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert (
                    not cell.startswith(("=", "+", "-", "@"))
                    or cell.lstrip("-").replace(".", "", 1).isdigit()
                ), f"{key}: a CSV cell could run as a formula: {cell[:40]!r}"
    elif "text/markdown" in kind:
        assert MARKUP not in text, f"{key}: markup from outside left live in Markdown"
    return text


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_every_page_shows_outside_text_as_text(world, role):  # noqa: F811 - the fixture
    filled = fill_with_hostile_text()
    assert {
        "incidents.Incident",
        "monitoring.Mention",
        "responses.Statement",
        "lines.ApprovedLine",
        "rumours.Rumour",
    } <= set(filled)
    client = Client()
    client.force_login(world["users"][role])
    shown = 0
    for key, route in readable_pages(role):
        response = client.get(url_for(key, route, world))
        if response.status_code != 200:
            continue
        text = assert_shown_as_text(key, response)
        shown += "fz-outside" in text
    # The hostile text really reached the pages: the incident page, its history, the lists...
    assert shown >= (5 if role != "admin" else 20), shown


def test_the_public_page_shows_outside_text_as_text(world, client):  # noqa: F811
    fill_with_hostile_text()
    incident = world["incident"]
    response = client.get(public_page_url(incident))

    assert response.status_code == 200
    text = assert_shown_as_text("public page", response)
    assert "&lt;fz-outside" in text
    # The rumour's claim and correction under "What is true", as text.
    truths = text.split('id="what-is-true"', 1)[1]
    assert truths.count("&lt;fz-outside") >= 2


@pytest.mark.parametrize("role", ["comms", "manager"])
def test_exports_and_the_report_guard_outside_text(world, role):  # noqa: F811
    fill_with_hostile_text()
    client = Client()
    client.force_login(world["users"][role])
    incident = world["incident"]
    for url in (
        "/incidents/export.csv?status=all",
        f"/incidents/{incident.reference}/postmortem/report.md",
        "/rumours/export/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = assert_shown_as_text(url, response)
        assert "outside data" in text.replace("\\", ""), url


def test_mails_carry_outside_text_in_the_body_and_a_subject_on_one_line(comms, manager):
    incident = factories.make_incident(comms, title="Parcels\r\nBcc: evil@example.com")
    statement = factories.make_statement(incident, comms, body=f"We hear you. {MARKUP}")
    factories.make_action_item(
        incident,
        title="Call them back\r\nBcc: evil@example.com",
        due_at=timezone.now() - timedelta(hours=1),
    )
    mail.outbox.clear()

    statement.submit(by=comms)  # its approval's first stage is told
    send_due_reminders()
    swept = deliver()

    assert swept.failed == 0
    overdue = [sent for sent in mail.outbox if "Action item overdue" in sent.subject]
    assert len(overdue) == 1
    assert overdue[0].subject.endswith("Call them back Bcc: evil@example.com")
    for sent in mail.outbox:
        assert "\n" not in sent.subject and "\r" not in sent.subject
        assert sent.bcc == [] and "evil@example.com" not in sent.recipients()
    review = next(sent for sent in mail.outbox if "Waiting for your approval" in sent.subject)
    assert MARKUP in review.body  # plain text: shown to the reader as typed
    assert "Parcels\r\nBcc" in review.body


def test_a_subject_is_one_line_whatever_it_quotes():
    assert (
        subject_line("[CR-1] Late\r\n\tagain\u2028 and\x85 again ") == "[CR-1] Late again and again"
    )
