"""The response clock as the dashboard, the incident list and the incident page show it, to the
minute: the acknowledgement until a statement is published, then the next update that the
latest public word promised, stopped once the incident ends; drills say so."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from responses.models import ProgressUpdate, Statement
from tests import factories

DETECTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
SECOND = timedelta(seconds=1)
DASHBOARD = reverse("incidents:dashboard")
LIST = reverse("incidents:list")
FRAGMENT = reverse("incidents:dashboard-clocks")


def at(minutes):
    return DETECTED + minutes * MIN if isinstance(minutes, int | float) else DETECTED + minutes


def words(response):
    """The page's text as a person reads it: tags dropped, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", unescape(text))


def publish_statement(incident, by, minutes, kind=Statement.Kind.HOLDING):
    with time_machine.travel(at(minutes), tick=False):
        return factories.make_statement(incident, by, kind=kind, status=Statement.Status.PUBLISHED)


def post_update(incident, by, minutes, *, promise=None, kind="public", status="published"):
    """A progress update as its verbs leave it: published public updates carry a promise, and
    the incident records them as its latest public word."""
    moment = at(minutes)
    update = ProgressUpdate(
        incident=incident,
        kind=kind,
        status=status,
        body="Deliveries from the north warehouse are moving again.",
        author=by,
        created_at=moment,
        published_at=moment if status == "published" else None,
        next_update_at=at(promise) if promise is not None else None,
    )
    with time_machine.travel(moment, tick=False):
        update._save_as(by, "Published" if status == "published" else "Drafted")
        if kind == "public" and status == "published":
            Incident.objects.filter(pk=incident.pk).record_public_word(
                moment, update.next_update_at
            )
    return update


def read(client, url, minutes):
    with time_machine.travel(at(minutes), tick=False):
        return words(client.get(url))


@pytest.fixture
def major(comms):
    """Severity 2: one hour for the first public word, then an update every two hours."""
    with time_machine.travel(DETECTED, tick=False):
        return factories.make_incident(comms, severity=Incident.Severity.MAJOR, lead=comms)


@pytest.fixture
def acknowledged(major, comms):
    """The holding statement went out 20 min after detection."""
    publish_statement(major, comms, 20)
    return major


PAGES = ["dashboard", "list", "detail"]


def url_of(where, incident):
    return {
        "dashboard": DASHBOARD,
        "list": LIST + "?show=all",
        "detail": incident.get_absolute_url(),
    }[where]


# Before the first statement: the acknowledgement.


@pytest.mark.parametrize("where", PAGES)
@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (45 * MIN - SECOND, "◷ Acknowledgement due in 15 min"),
        (45, "⏱ Acknowledgement due soon, in 15 min"),
        (59, "⏱ Acknowledgement due soon, in 1 min"),
        (60, "⏱ Acknowledgement due now"),
        (60 * MIN + 30 * SECOND, "⚠ Acknowledgement overdue by less than a minute"),
        (61, "⚠ Acknowledgement overdue by 1 min"),
    ],
)
def test_every_page_counts_down_to_the_acknowledgement_to_the_minute(
    where, minutes, shown, client_as, viewer, major
):
    text = read(client_as(viewer), url_of(where, major), minutes)

    assert shown in text
    assert "Next update" not in text


def test_each_page_says_how_long_since_detection(client_as, viewer, major):
    client = client_as(viewer)

    for where in PAGES:
        assert "Open for 1 h 5 min" in read(client, url_of(where, major), 65)


# After the first statement: the next update.


@pytest.mark.parametrize("where", PAGES)
@pytest.mark.parametrize(
    ("minutes", "shown"),
    [
        (60, "◷ Next update due in 1 h 20 min"),
        (110, "⏱ Next update due soon, in 30 min"),
        (140, "⏱ Next update due now"),
        (141, "⚠ Next update overdue by 1 min"),
    ],
)
def test_after_the_statement_the_next_update_is_due_one_cadence_later(
    where, minutes, shown, client_as, viewer, acknowledged
):
    text = read(client_as(viewer), url_of(where, acknowledged), minutes)

    assert shown in text
    assert "✓ Acknowledged 20 min after detection, within the 1 h target" in text
    assert "Acknowledgement due" not in text and "Acknowledgement overdue" not in text


def test_a_public_update_sets_the_next_deadline_by_its_promise(
    client_as, viewer, manager, acknowledged
):
    post_update(acknowledged, manager, 60, promise=90)
    client = client_as(viewer)

    # 30 min promised: due soon in its last quarter.
    assert "◷ Next update due in 8 min" in read(client, DASHBOARD, 82)
    assert "⏱ Next update due soon, in 7 min" in read(client, DASHBOARD, 83)
    assert "⏱ Next update due now" in read(client, DASHBOARD, 90)
    assert "⚠ Next update overdue by 1 min" in read(client, DASHBOARD, 91)


def test_an_update_before_its_promise_starts_the_next_promise(
    client_as, viewer, manager, acknowledged
):
    post_update(acknowledged, manager, 60, promise=90)
    post_update(acknowledged, manager, 85, promise=200)

    text = read(client_as(viewer), DASHBOARD, 91)

    assert "◷ Next update due in 1 h 49 min" in text
    assert "overdue" not in text


def test_a_late_update_shows_overdue_until_it_is_out_then_runs_again(
    client_as, viewer, manager, acknowledged
):
    post_update(acknowledged, manager, 60, promise=90)
    client = client_as(viewer)
    assert "⚠ Next update overdue by 4 min" in read(client, DASHBOARD, 94)

    post_update(acknowledged, manager, 95, promise=180)

    text = read(client, DASHBOARD, 100)
    assert "◷ Next update due in 1 h 20 min" in text
    assert "overdue" not in text


def test_a_statement_after_an_update_is_the_latest_word_and_gets_the_cadence(
    client_as, viewer, manager, comms, acknowledged
):
    post_update(acknowledged, manager, 60, promise=90)
    publish_statement(acknowledged, comms, 80, kind=Statement.Kind.CORRECTION)

    # From the correction at 80 min: the 2 h cadence, due at 200 min.
    assert "◷ Next update due in 1 h 40 min" in read(client_as(viewer), DASHBOARD, 100)


def test_internal_draft_and_withdrawn_updates_are_no_public_word(
    client_as, viewer, comms, manager, acknowledged
):
    post_update(acknowledged, comms, 100, kind="internal", status="posted")
    post_update(acknowledged, comms, 110, promise=500, status="draft")
    post_update(acknowledged, comms, 120, promise=500, status="withdrawn")

    assert "⚠ Next update overdue by 10 min" in read(client_as(viewer), DASHBOARD, 150)


def test_the_targets_kept_in_the_admin_site_move_the_deadlines(client_as, viewer, major, comms):
    target = factories.default_targets()[Incident.Severity.MAJOR]
    target.acknowledgement_minutes, target.update_cadence_minutes = 30, 45
    target.save()
    client = client_as(viewer)

    assert "⚠ Acknowledgement overdue by 5 min" in read(client, DASHBOARD, 35)
    publish_statement(major, comms, 40)
    assert "⏱ Next update due soon, in 5 min" in read(client, LIST, 80)


# The clock stops when the incident ends, and drills say what they are.


@pytest.mark.parametrize("where", ["list", "detail"])
def test_after_resolution_the_clock_stops(where, client_as, viewer, manager, acknowledged):
    with time_machine.travel(at(30), tick=False):
        acknowledged.start_response(by=manager)
    with time_machine.travel(at(190), tick=False):
        acknowledged.resolve(by=manager)

    text = read(client_as(viewer), url_of(where, acknowledged), 600)

    assert "■ Clock stopped: resolved 3 h 10 min after detection" in text
    assert "✓ Acknowledged 20 min after detection" in text
    assert "Next update" not in text and "overdue" not in text


def test_a_resolved_incident_leaves_the_dashboard_clocks(client_as, viewer, manager, acknowledged):
    with time_machine.travel(at(30), tick=False):
        acknowledged.start_response(by=manager)
        acknowledged.resolve(by=manager)

    text = read(client_as(viewer), DASHBOARD, 600)

    assert "Next update" not in text and "Clock stopped" not in text


@pytest.mark.parametrize("where", PAGES)
def test_a_drill_shows_its_clock_marked_as_a_drill(where, client_as, viewer, comms):
    with time_machine.travel(DETECTED, tick=False):
        drill = factories.make_incident(comms, is_drill=True, severity=Incident.Severity.MAJOR)

    text = read(client_as(viewer), url_of(where, drill), 65)

    assert "Drill ⚠ Acknowledgement overdue by 5 min" in text


# Counted in one query with the incidents, however many.


def incidents_with_words(count, comms, manager):
    for n in range(count):
        with time_machine.travel(DETECTED, tick=False):
            incident = factories.make_incident(comms, title=f"Incident {n}", lead=manager)
        if n % 2:
            publish_statement(incident, comms, 10)
            post_update(incident, manager, 30, promise=60 + n)


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_reads_every_clock_in_a_fixed_number_of_queries(
    count, client_as, viewer, comms, manager, django_assert_max_num_queries
):
    incidents_with_words(count, comms, manager)
    client = client_as(viewer)

    with time_machine.travel(at(45), tick=False):
        client.get(LIST)  # the session is renewed once after a jump in time; not counted
        with django_assert_max_num_queries(8):
            response = client.get(LIST)

    assert words(response).count("Acknowledgement due soon, in 15 min") == (count + 1) // 2
    assert words(response).count("Next update due") == count // 2


@pytest.mark.parametrize("count", [1, 20])
def test_the_dashboard_reads_every_clock_in_a_fixed_number_of_queries(
    count, client_as, viewer, comms, manager, django_assert_max_num_queries
):
    incidents_with_words(count, comms, manager)
    client = client_as(viewer)

    with time_machine.travel(at(45), tick=False):
        client.get(DASHBOARD)  # the session is renewed once after a jump in time; not counted
        # Three to five of them read the mention spikes (incidents.panels.spikes_panel).
        with django_assert_max_num_queries(13):
            response = client.get(DASHBOARD)

    assert words(response).count("Acknowledgement due soon, in 15 min") == (count + 1) // 2
    assert words(response).count("Next update due") == count // 2


@pytest.mark.parametrize("count", [1, 20])
def test_the_clocks_fragment_reads_every_clock_in_a_fixed_number_of_queries(
    count, client_as, viewer, comms, manager, django_assert_max_num_queries
):
    incidents_with_words(count, comms, manager)
    client = client_as(viewer)

    with time_machine.travel(at(45), tick=False):
        client.get(FRAGMENT)  # the session is renewed once after a jump in time; not counted
        with django_assert_max_num_queries(5):
            response = client.get(FRAGMENT)

    assert words(response).count("Open for 45 min") == count


# The fragment the dashboard reads again each minute.


@pytest.mark.parametrize("role", ["viewer", "comms", "manager", "admin"])
def test_every_signed_in_role_reads_the_clocks_fragment(role, request, client_as, acknowledged):
    client = client_as(request.getfixturevalue(role))

    with time_machine.travel(at(141), tick=False):
        response = client.get(FRAGMENT)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<section id="open-incidents"' in html
    assert "<html" not in html and "<nav" not in html
    assert "⚠ Next update overdue by 1 min" in words(response)
    assert acknowledged.reference in html


def test_the_fragment_is_never_kept_by_a_browser_or_proxy(client_as, viewer, major):
    response = client_as(viewer).get(FRAGMENT)

    assert "no-store" in response["Cache-Control"]


def test_the_fragment_requires_login(client, major):
    response = client.get(FRAGMENT)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={FRAGMENT}"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_fragment_refuses_other_methods(method, client_as, manager):
    response = getattr(client_as(manager), method)(FRAGMENT)

    assert response.status_code == 405


def test_the_dashboard_tells_its_script_where_and_how_often_to_read(client_as, viewer, settings):
    settings.CLOCK_REFRESH_SECONDS = 7

    html = client_as(viewer).get(DASHBOARD).content.decode()

    assert f'data-refresh-url="{FRAGMENT}"' in html
    assert 'data-refresh-seconds="7"' in html
    assert re.search(r'<script src="[^"]*js/dashboard-clocks\.js" defer></script>', html)


def test_the_fragment_with_nothing_open_says_all_quiet(client_as, viewer):
    assert "No open incidents. All quiet." in words(client_as(viewer).get(FRAGMENT))
