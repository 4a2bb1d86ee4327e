"""The lessons page (incidents:lessons), the one text search behind it (crisis.search), and the
incident page's suggestions from earlier incidents of the same category."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis.search import text_search
from incidents.lessons import LESSON_FIELDS, lessons
from incidents.models import Incident, PostMortem
from responses.models import ActionItem
from tests import factories

URL = reverse("incidents:lessons")
C = Incident.Category
IS_POSTGRES = connection.vendor == "postgresql"


def make_lesson(comms, *, detected, title="Earlier storm", submitted=True, **fields):
    """A resolved incident detected at ``detected`` with its post-mortem (submitted unless
    ``submitted`` is false)."""
    category = fields.pop("category", C.NEGATIVE_COMMENTS)
    severity = fields.pop("severity", Incident.Severity.MAJOR)
    with time_machine.travel(detected, tick=False):
        incident = factories.make_incident(comms, title=title, category=category, severity=severity)
        factories.walk_to(incident, Incident.Status.RESOLVED)
        values = {
            "summary": "Complaints about late parcels.",
            "root_cause": "The courier changed depots without telling us.",
            "lessons_learned": "Warn customers before they notice the delay.",
            "follow_up": "Ask couriers for a week's notice of depot changes.",
        }
        values.update(fields)
        if submitted:
            values.update(completed_at=timezone.now(), completed_by=comms)
        PostMortem.objects.create(incident=incident, **values)
    return incident


def found(text):
    return {pm.incident.title for pm in text_search(lessons(), text, LESSON_FIELDS)}


@pytest.fixture
def library(comms):
    return [
        make_lesson(
            comms,
            detected=datetime(2026, 1, 10, 9, tzinfo=UTC),
            title="Courier",
            lessons_learned="Warn customers before they notice the delay.",
        ),
        make_lesson(
            comms,
            detected=datetime(2026, 2, 10, 9, tzinfo=UTC),
            title="Discount code",
            category=C.MISINFORMATION,
            severity=Incident.Severity.CRITICAL,
            root_cause='The code "SAVE50" gave 50% off instead of 5%; the field_name was wrong.',
            lessons_learned=r"Check C:\promo\codes before launch.",
            follow_up="A second person reviews every promotion.",
        ),
        make_lesson(
            comms,
            detected=datetime(2026, 3, 10, 9, tzinfo=UTC),
            title="Draft only",
            lessons_learned="Warn nobody: this draft was never submitted.",
            submitted=False,
        ),
    ]


# The search, on whichever database runs the tests (CI runs both).


def test_every_word_must_be_found_in_the_lessons_root_causes_or_follow_ups(library):
    assert found("warn customers") == {"Courier"}
    assert found("courier depots") == {"Courier"}  # the root cause
    assert found("promotion") == {"Discount code"}  # the follow-up
    assert found("warn promotion") == set()
    assert found("") == {"Courier", "Discount code"}  # drafts are not lessons


def test_a_word_can_be_left_out_and_a_phrase_quoted(library):
    assert found("before -customers") == {"Discount code"}
    assert found('"second person"') == {"Discount code"}


@pytest.mark.parametrize(
    "text",
    [
        "50%",
        "%",
        "_",
        "field_name",
        "%%%",
        "__",
        "\\",
        r"C:\promo",
        '"',
        '"unclosed quote',
        "'",
        "O'Brien",
        "'; DROP TABLE incidents_postmortem; --",
        "a" * 200,
        "warn " + "x" * 199,
        "(",
        "!",
        "&|",
        "<->",
        ":*",
        "-",
        "or",
        "\x00",
        "*",
        "NEAR(warn customers)",
        "warn | !customers",
        "返金 возврат",
        "-warn -a -b " * 50,
    ],
)
def test_awkward_text_is_data_never_syntax(library, text):
    # No error, and nothing matched by accident: a percent sign or underscore is not a wildcard
    # ("%%%" and "__" are in no lesson, though "%" and "_" are).
    result = found(text)
    assert result <= {"Courier", "Discount code"}
    if text in ("%%%", "__", "a" * 200, "warn " + "x" * 199, '"unclosed quote'):
        assert result == set()


def test_percent_and_underscore_match_themselves(library):
    # Plain search: the characters themselves. Full-text search: the words around them.
    assert found("50%") == {"Discount code"}
    assert found("field_name") == {"Discount code"}
    assert found(r"C:\promo") == {"Discount code"}


def test_words_are_found_by_their_start_on_both_databases(library):
    # The one rule of crisis.search: no English stemming, so "notices" is not "notice".
    assert found("notic") == {"Courier"}
    assert found("NOTICE") == {"Courier"}
    assert found("notices") == set()
    assert found("otice") == set()  # the start of a word, not its middle


def test_a_phrase_wants_its_words_in_a_row_and_can_be_left_out(library):
    assert found('"second pers"') == {"Discount code"}
    assert found('"person second"') == set()
    assert found('warn -"second person"') == {"Courier"}
    assert found("-CR-2026") == {"Courier", "Discount code"}  # no lesson holds "cr 2026"


# The page.


def test_the_page_lists_submitted_lessons_most_recent_first(client_as, viewer, library):
    response = client_as(viewer).get(URL)

    assert response.status_code == 200
    assert [pm.incident.title for pm in response.context["page"].object_list] == [
        "Discount code",
        "Courier",
    ]
    html = factories.page_text(response)
    assert "Warn customers before they notice the delay." in html
    assert "A second person reviews every promotion." in html
    assert "Draft only" not in html
    report = reverse("incidents:postmortem-report", args=[library[1].reference])
    assert f'href="{report}"' in response.content.decode()


@pytest.mark.parametrize(
    "query, titles",
    [
        ({"q": "warn"}, ["Courier"]),
        ({"category": "misinformation"}, ["Discount code"]),
        ({"severity": "1"}, ["Discount code"]),
        ({"start": "2026-02-01"}, ["Discount code"]),
        ({"end": "2026-01-31"}, ["Courier"]),
        ({"start": "2026-01-01", "end": "2026-01-31", "q": "customers"}, ["Courier"]),
        ({"q": "50% off"}, ["Discount code"]),
    ],
)
def test_it_filters_by_words_category_severity_and_period(
    client_as, viewer, library, query, titles
):
    response = client_as(viewer).get(URL, query)

    assert [pm.incident.title for pm in response.context["page"].object_list] == titles


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"start": "2026-03-01", "end": "2026-01-01"}, "end", "cannot end before it starts"),
        ({"start": "2026-02-31"}, "start", "Enter a valid date"),
        ({"end": "99999-12-31"}, "end", "Enter a valid date"),
        ({"severity": "9"}, "severity", "Select a valid choice"),
        ({"category": "<script>"}, "category", "Select a valid choice"),
        ({"q": "w" * 201}, "q", "at most 200 characters"),
    ],
)
def test_bad_input_is_said_by_its_field_and_keeps_what_was_typed(
    client_as, viewer, library, query, field, message
):
    response = client_as(viewer).get(URL, query)

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert form[field].value() == query[field]
    # The rest of the search still applies; the refused field is left out.
    assert len(response.context["page"].object_list) >= 1


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_every_signed_in_role_may_search_the_lessons(client_as, request, role, db):
    assert client_as(request.getfixturevalue(role)).get(URL).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# The suggestions on the incident page.


def test_a_new_incident_suggests_the_lessons_of_earlier_ones_of_its_category(
    client_as, viewer, comms
):
    for month in (1, 2, 3, 4):
        make_lesson(
            comms,
            detected=datetime(2026, month, 10, 9, tzinfo=UTC),
            title=f"Storm {month}",
            lessons_learned=f"Lesson of month {month}.",
        )
    make_lesson(
        comms,
        detected=datetime(2026, 4, 20, 9, tzinfo=UTC),
        title="Other kind",
        category=C.DATA_BREACH,
        lessons_learned="Rotate the keys.",
    )
    with time_machine.travel(datetime(2026, 5, 1, 9, tzinfo=UTC), tick=False):
        new = factories.make_incident(comms, title="New storm")
        response = client_as(viewer).get(new.get_absolute_url())

    html = factories.page_text(response)
    assert "Lessons from earlier negative comments incidents" in html
    # The three most recent of its category, most recent first.
    assert html.index("Lesson of month 4.") < html.index("Lesson of month 3.")
    assert html.index("Lesson of month 3.") < html.index("Lesson of month 2.")
    assert "Lesson of month 1." not in html
    assert "Rotate the keys." not in html
    assert f"{URL}?category=negative_comments" in response.content.decode()


def test_no_suggestion_on_an_incident_that_is_over_or_without_earlier_lessons(
    client_as, viewer, comms
):
    first = factories.make_incident(comms, title="First of its kind")
    assert "Lessons from earlier" not in factories.page_text(
        client_as(viewer).get(first.get_absolute_url())
    )
    make_lesson(comms, detected=timezone.now() - timedelta(days=3), title="Old")
    later = factories.make_incident(comms, title="Later", status=Incident.Status.RESOLVED)
    html = factories.page_text(client_as(viewer).get(later.get_absolute_url()))
    assert "Lessons from earlier" not in html


def test_a_new_incident_lists_the_prevention_still_not_done_after_earlier_ones(
    client_as, viewer, comms
):
    earlier = make_lesson(comms, detected=datetime(2026, 1, 10, 9, tzinfo=UTC), title="Old")
    other = make_lesson(
        comms, detected=datetime(2026, 1, 11, 9, tzinfo=UTC), title="Other", category=C.OTHER
    )
    with time_machine.travel(datetime(2026, 1, 12, 9, tzinfo=UTC), tick=False):
        P = ActionItem.Kind.PREVENT
        factories.make_action_item(earlier, title="Courier notice clause", kind=P)
        factories.make_action_item(earlier, title="Depot alerts", kind=P).start(by=comms)
        factories.make_action_item(earlier, title="Done already", kind=P).complete(by=comms)
        factories.make_action_item(earlier, title="Dropped idea", kind=P).drop(
            by=comms, reason="Too costly"
        )
        factories.make_action_item(earlier, title="A rectify step")
        factories.make_action_item(other, title="Another kind's item", kind=P)
    with time_machine.travel(datetime(2026, 5, 1, 9, tzinfo=UTC), tick=False):
        new = factories.make_incident(comms, title="New storm")
        html = factories.page_text(client_as(viewer).get(new.get_absolute_url()))

    assert "Prevention promised after earlier negative comments incidents" in html
    assert "Courier notice clause" in html and "Depot alerts" in html
    for absent in ("Done already", "Dropped idea", "A rectify step", "Another kind's item"):
        assert absent not in html


def test_the_suggestions_keep_the_incident_page_query_count_constant(client_as, viewer, comms):
    def earlier(n):
        for day in range(n):
            old = make_lesson(
                comms, detected=datetime(2026, 1, 1 + day, 9, tzinfo=UTC), title=f"Old {day}"
            )
            factories.make_action_item(old, title=f"Prevent {day}", kind=ActionItem.Kind.PREVENT)

    client = client_as(viewer)

    def queries(incident):
        client.get(incident.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(incident.get_absolute_url())
        assert "Lessons from earlier" in factories.page_text(response)
        return len(captured)

    earlier(1)
    first = factories.make_incident(comms, title="With one lesson")
    few = queries(first)
    earlier(6)
    second = factories.make_incident(comms, title="With seven lessons")
    assert queries(second) == few
    assert few <= factories.INCIDENT_PAGE_QUERIES


def test_the_page_reads_the_same_number_of_queries_for_many_lessons(client_as, viewer, comms):
    client = client_as(viewer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert (
                client.get(URL, {"q": "warn", "category": "negative_comments"}).status_code == 200
            )
        return len(captured)

    make_lesson(comms, detected=datetime(2026, 1, 1, 9, tzinfo=UTC), title="One")
    queries()
    few = queries()
    for day in range(2, 8):
        make_lesson(comms, detected=datetime(2026, 1, day, 9, tzinfo=UTC), title=f"More {day}")
    assert queries() == few
