"""Whatever people type is shown with dir="auto", so right-to-left text reads right (and the
stylesheet wraps long unbroken words inside those elements)."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from responses.models import Statement
from tests import factories

VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _TextDirections(HTMLParser):
    """For each text node, whether it or one of its two nearest elements has dir="auto"."""

    def __init__(self):
        super().__init__()
        self.stack = []
        self.texts = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            attrs = dict(attrs)
            # Text only a screen reader hears ("Edit <description>") is left out.
            hidden = "visually-hidden" in (attrs.get("class") or "")
            self.stack.append("hidden" if hidden else attrs.get("dir"))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        # The window title (in <head>) has no direction of its own to set.
        if data.strip() and self.lasttag != "title" and "hidden" not in self.stack:
            self.texts.append((data.strip(), "auto" in self.stack[-2:]))


def directions(response):
    reader = _TextDirections()
    reader.feed(response.content.decode())
    return reader.texts


def assert_all_auto(response, *texts):
    found = directions(response)
    for text in texts:
        shown = [is_auto for data, is_auto in found if text in data]
        assert shown, f"{text!r} is not on the page"
        assert all(shown), f"{text!r} is shown without dir=auto"


ARABIC_TITLE = "تأخير في الطلبات"
ARABIC_BODY = "نعتذر عن التأخير"


@pytest.fixture
def busy(comms, manager):
    incident = factories.make_incident(
        comms,
        title=ARABIC_TITLE,
        public_title="Public-title-words",
        summary="Summary-words",
        tracking_terms="#hashtag-words",
    )
    factories.make_party(
        incident,
        description="Description-words",
        impact="Impact-words",
        outreach_status="contacted",
        outreach_at=incident.declared_at,
        outreach_channel="Channel-words",
    )
    statement = factories.make_statement(incident, comms, body=ARABIC_BODY)
    statement.submit(by=comms)
    statement.request_changes(by=manager, comment="Comment-words")
    return incident


def test_the_incident_page_marks_every_user_text(client_as, viewer, busy):
    response = client_as(viewer).get(busy.get_absolute_url())

    assert_all_auto(
        response,
        ARABIC_TITLE,
        "Public-title-words",
        "Summary-words",
        "#hashtag-words",
        "Description-words",
        "Impact-words",
        "Channel-words",
        ARABIC_BODY,
        "Changes requested: Comment-words",
    )


def test_the_statement_page_marks_the_body_and_the_review_comment(client_as, viewer, busy):
    statement = Statement.objects.get(incident=busy)

    response = client_as(viewer).get(statement.get_absolute_url())

    assert_all_auto(response, ARABIC_BODY, "Comment-words", ARABIC_TITLE)


def test_the_lists_and_the_dashboard_mark_titles(client_as, manager, busy):
    statement = Statement.objects.get(incident=busy)
    statement.submit(by=statement.author)

    assert_all_auto(client_as(manager).get(reverse("incidents:list")), ARABIC_TITLE)
    assert_all_auto(client_as(manager).get(reverse("incidents:dashboard")), ARABIC_TITLE)


def test_the_history_marks_values_and_reasons(client_as, viewer, busy):
    response = client_as(viewer).get(reverse("incidents:history", args=[busy.reference]))

    assert_all_auto(response, ARABIC_TITLE, "Summary-words")


def test_the_stylesheet_wraps_long_words_in_user_text():
    css = Path(finders.find("css/app.css")).read_text()

    assert '[dir="auto"] { overflow-wrap: anywhere; }' in css
