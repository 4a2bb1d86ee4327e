"""The reports page (responses:report) and its CSV: figures against ones computed by hand."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import Incident
from responses import report_figures
from responses.models import ActionItem
from tests import factories
from tests.built_once import built_once

URL = reverse("responses:report")
EXPORT_URL = reverse("responses:report-export")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
MARCH = {"start": "2026-03-01", "end": "2026-03-31"}
C = Incident.Category
SEV = Incident.Severity


def at(moment):
    return time_machine.travel(moment, tick=False)


def minutes(n):
    return timedelta(minutes=n)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The month below, built once for the module's tests (tests/built_once.py): what a test adds
    is gone before the next."""
    yield from built_once(django_db_blocker, a_month_of_incidents)


def a_month_of_incidents():
    """Four real incidents of March 2026 with known moments, a drill, and one from February.

    A (critical, 30 min target): statement at +20 min; public updates at +40 (promising +100)
      and +90 (promising +200); resolved at +180. A Rectify item done before its due time, a
      Prevent item never done (overdue at NOW).
    B (major, 60 min target): statement at +90; a public update at +100 promising +160, then
      silence; resolved at +300, reopened at +400, resolved again at +600. A Rectify item done
      late, another dropped.
    C (major): never acknowledged, still responding at NOW; an item without a due time.
    D (minor): never acknowledged, resolved at +120.
    E: a drill, acknowledged and resolved fast, with an item done on time: left out.
    F: detected in February: outside the period.
    Its people are a comms person and a manager of its own, ``incidents["comms"]`` (the tests'
    ``comms`` and ``manager`` fixtures make theirs in each test).
    """
    comms = factories.make_comms("report-comms")
    manager = factories.make_manager("report-manager")
    factories.default_targets()
    incidents = {"comms": comms}

    with at(T0):
        a = factories.make_incident(comms, title="A", severity=SEV.CRITICAL)
        a.start_response(by=manager)
    with at(T0 + minutes(5)):
        factories.make_action_item(a, title="A fix", due_at=T0 + minutes(60)).start(by=comms)
        factories.make_action_item(
            a, title="A prevent", kind=ActionItem.Kind.PREVENT, due_at=T0 + timedelta(days=3)
        )
    with at(T0 + minutes(20)):
        factories.make_statement(a, status="published")
    with at(T0 + minutes(40)):
        factories.make_update(
            a, kind="public", status="published", next_update_at=T0 + minutes(100)
        )
    with at(T0 + minutes(50)):
        a.action_items.get(title="A fix").complete(by=comms)
    with at(T0 + minutes(90)):
        factories.make_update(
            a, kind="public", status="published", next_update_at=T0 + minutes(200)
        )
    with at(T0 + minutes(180)):
        a.move("resolve", by=manager)
    incidents["a"] = a

    b0 = T0 + timedelta(days=1)
    with at(b0):
        b = factories.make_incident(comms, title="B", category=C.MISINFORMATION)
        b.start_response(by=manager)
    with at(b0 + minutes(90)):
        factories.make_statement(b, status="published")
    with at(b0 + minutes(100)):
        factories.make_update(
            b, kind="public", status="published", next_update_at=b0 + minutes(160)
        )
        factories.make_action_item(b, title="B fix", due_at=b0 + minutes(200))
        factories.make_action_item(b, title="B dropped", due_at=b0 + minutes(200))
    with at(b0 + minutes(150)):
        b.action_items.get(title="B dropped").drop(by=comms, reason="Not needed")
    with at(b0 + minutes(250)):
        b.action_items.get(title="B fix").complete(by=comms)
    with at(b0 + minutes(300)):
        b.move("resolve", by=manager)
    with at(b0 + minutes(400)):
        b.move("reopen", by=manager, reason="Back again")
    with at(b0 + minutes(600)):
        b.move("resolve", by=manager)
    incidents["b"] = b

    with at(T0 + timedelta(days=2)):
        c = factories.make_incident(comms, title="C", category=C.MISINFORMATION)
        c.start_response(by=manager)
        factories.make_action_item(c, title="C no due time")
    incidents["c"] = c

    d0 = T0 + timedelta(days=3)
    with at(d0):
        d = factories.make_incident(comms, title="D", severity=SEV.MINOR)
        d.start_response(by=manager)
    with at(d0 + minutes(120)):
        d.move("resolve", by=manager)
    incidents["d"] = d

    e0 = T0 + timedelta(days=4)
    with at(e0):
        e = factories.make_incident(
            comms, title="E", severity=SEV.CRITICAL, category=C.DATA_BREACH, is_drill=True
        )
        e.start_response(by=manager)
        factories.make_action_item(e, title="E fix", due_at=e0 + minutes(60))
    with at(e0 + minutes(10)):
        factories.make_statement(e, status="published")
        e.action_items.get().complete(by=comms)
    with at(e0 + minutes(20)):
        e.move("resolve", by=manager)

    with at(datetime(2026, 2, 20, 9, 0, tzinfo=UTC)):
        f = factories.make_incident(comms, title="F", category=C.DATA_BREACH)
        f.start_response(by=manager)
    with at(datetime(2026, 2, 20, 9, 5, tzinfo=UTC)):
        factories.make_statement(f, status="published")
    return incidents


def figures_of(start=date(2026, 3, 1), end=date(2026, 3, 31)):
    _incidents, figures = report_figures.build_report(start, end, now=NOW)
    return {figure.key: {row.label: row.values for row in figure.rows} for figure in figures}


def test_incidents_per_category_and_severity_leave_out_drills_and_other_periods(db, world):
    figures = figures_of()

    assert figures["categories"] == {
        "Negative comments": {"count": 2},
        "Misinformation or miscommunication": {"count": 2},
        "Inappropriate content": {"count": 0},
        "Data breach or security": {"count": 0},
        "Product or service failure": {"count": 0},
        "Other": {"count": 0},
    }
    assert figures["severities"] == {
        "1 – Critical": {"count": 1},
        "2 – Major": {"count": 2},
        "3 – Moderate": {"count": 0},
        "4 – Minor": {"count": 1},
    }


def test_time_to_acknowledgement_median_and_90th_percentile(db, world):
    rows = figures_of()["acknowledgement"]

    # A took 20 min, B 90; C and D never said a public word.
    assert rows["All severities"] == {
        "counted": 2,
        "median": minutes(55),
        "p90": minutes(83),
        "missing": 2,
    }
    assert rows["1 – Critical"] == {
        "counted": 1,
        "median": minutes(20),
        "p90": minutes(20),
        "missing": 0,
    }
    assert rows["2 – Major"]["missing"] == 1
    assert rows["3 – Moderate"] == {"counted": 0, "median": None, "p90": None, "missing": 0}


def test_time_to_resolution_counts_a_reopened_incident_to_its_last_resolution(db, world):
    rows = figures_of()["resolution"]

    # A 180 min, B 600 (resolved at 300, reopened, resolved again at 600), D 120; C is open.
    # Sorted 120, 180, 600: median 180; 90th percentile 180 + 0.8 × 420 = 516.
    assert rows["All severities"] == {
        "counted": 3,
        "median": minutes(180),
        "p90": minutes(516),
        "missing": 1,
    }
    assert rows["2 – Major"]["median"] == minutes(600)


def test_share_of_acknowledgements_within_target(db, world):
    rows = figures_of()["acknowledgement_target"]

    # A within (20 of 30 min), B late (90 of 60), C still missing past its target (late);
    # D ended without a public word: left out.
    assert rows["All severities"] == {"within": 1, "late": 2, "share": 33}
    assert rows["1 – Critical"] == {"within": 1, "late": 0, "share": 100}
    assert rows["2 – Major"] == {"within": 0, "late": 2, "share": 0}
    assert rows["4 – Minor"] == {"within": 0, "late": 0, "share": None}


def test_share_of_public_update_promises_kept(db, world):
    rows = figures_of()["promises"]

    # A's first promise (+100) was kept by its update at +90; its second (+200) came after its
    # resolution at +180, which ended it: not counted. B promised +160 and said nothing until
    # its resolution at +300: broken.
    assert rows["All severities"] == {"kept": 1, "broken": 1, "share": 50}
    assert rows["1 – Critical"] == {"kept": 1, "broken": 0, "share": 100}
    assert rows["2 – Major"] == {"kept": 0, "broken": 1, "share": 0}


def test_action_items_done_on_time(db, world):
    rows = figures_of()["action_items"]

    assert rows["Rectify"] == {
        "on_time": 1,
        "done_late": 1,
        "overdue": 0,
        "dropped": 1,
        "share": 50,
    }
    assert rows["Prevent"] == {
        "on_time": 0,
        "done_late": 0,
        "overdue": 1,
        "dropped": 0,
        "share": 0,
    }
    assert rows["All action items"]["share"] == 33


def test_a_period_holding_only_the_drill_and_february_counts_nothing(db, world):
    figures = figures_of(date(2026, 2, 1), date(2026, 2, 28))

    assert sum(row["count"] for row in figures["categories"].values()) == 1  # F only
    assert figures["acknowledgement"]["All severities"]["median"] == minutes(5)


def test_the_page_shows_each_figure_as_chart_and_table_with_links(client_as, viewer, world):
    with at(NOW):
        response = client_as(viewer).get(URL, MARCH)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="chart report-chart"') == 7
    assert html.count("<table") == 7
    assert "55 min" in html and "8 h 36 min" in html  # median ack, 90th percentile resolution
    assert "33%" in html and "50%" in html
    assert (
        "/incidents/?show=all&amp;drill=exclude&amp;detected_after=2026-03-01"
        "&amp;detected_before=2026-03-31&amp;category=misinformation" in html
    )
    assert "style=" not in html and "<style" not in html


def test_each_chart_hatches_its_second_series_with_a_pattern_of_its_own(client_as, viewer, world):
    """The charts share one fragment (templates/_chart.html): each defines the patterns it fills
    with, under ids of its own, so the page's ids stay unique and every fill finds its pattern."""
    with at(NOW):
        html = client_as(viewer).get(URL, MARCH).content.decode()

    patterns = re.findall(r'<pattern id="([^"]+)"', html)
    # The two duration figures (median and 90th percentile) have a second series.
    assert patterns == ["chart-acknowledgement-hatch", "chart-resolution-hatch"]
    fills = set(re.findall(r'fill="url\(#([^)]+)\)"', html))
    assert fills == set(patterns)


def test_the_incidents_behind_a_figure_are_the_ones_counted(client_as, viewer, world):
    with at(NOW):
        listed = client_as(viewer).get(
            reverse("incidents:list"),
            {
                "show": "all",
                "drill": "exclude",
                "detected_after": "2026-03-01",
                "detected_before": "2026-03-31",
                "severity": "2",
            },
        )

    assert {i.title for i in listed.context["page"].object_list} == {"B", "C"}


def test_the_page_opens_on_the_last_90_days(client_as, viewer, world):
    with at(NOW):
        response = client_as(viewer).get(URL)

    assert response.context["start"] == date(2026, 1, 2)
    assert response.context["end"] == date(2026, 4, 1)
    assert response.context["incident_count"] == 5  # A, B, C, D and F; not the drill


@pytest.mark.parametrize(
    "period, field, message",
    [
        ({"start": "2026-03-31", "end": "2026-03-01"}, "end", "cannot end before it starts"),
        ({"start": "1930-01-01", "end": "2026-03-01"}, "start", "Choose a date from 01 Jan 2000"),
        ({"start": "2001-01-01", "end": "2101-01-01"}, "end", "Choose a date until"),
        ({"start": "2010-01-01", "end": "2026-03-01"}, "end", "at most ten years"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "start", "Enter a valid date"),
        ({"start": "99999-01-01", "end": "2026-03-01"}, "start", "Enter a valid date"),
        ({"start": "", "end": "2026-03-01"}, "start", "This field is required"),
    ],
)
def test_a_refused_period_is_said_by_its_field_and_keeps_what_was_typed(
    client_as, viewer, world, period, field, message
):
    with at(NOW):
        response = client_as(viewer).get(URL, period)
        export = client_as(viewer).get(EXPORT_URL, period)

    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert form[field].value() == period[field]
    # The figures fall back to the last 90 days rather than failing.
    assert response.context["start"] == date(2026, 1, 2)
    assert export.status_code == 200


def test_ten_years_is_allowed(client_as, viewer, world):
    with at(NOW):
        response = client_as(viewer).get(URL, {"start": "2016-04-02", "end": "2026-04-01"})

    assert not response.context["form"].errors
    assert response.context["incident_count"] == 5


def test_the_query_count_does_not_grow_with_the_incidents(client_as, viewer, world):
    client = client_as(viewer)
    comms = world["comms"]

    def queries():
        with at(NOW), CaptureQueriesContext(connection) as captured:
            assert client.get(URL, MARCH).status_code == 200
        return len(captured)

    queries()  # the session's first request at NOW also refreshes the session
    few = queries()
    for day in range(5, 9):
        with at(T0 + timedelta(days=day)):
            more = factories.make_incident(comms, title=f"More {day}")
            factories.make_statement(more, status="published")
            factories.make_action_item(more, due_at=T0 + timedelta(days=day, hours=1))
            factories.make_update(
                more, kind="public", status="published", next_update_at=T0 + timedelta(days=9)
            )
    many = queries()
    assert many == few, few
    # Session, user, the incidents, statements, updates, action items; the user's permissions
    # (one query, for the navigation bar: crisis.backends.PermissionsInOneQuery).
    assert few == 7


def test_the_csv_has_every_figure_and_is_formula_safe(client_as, viewer, world):
    with at(NOW):
        response = client_as(viewer).get(EXPORT_URL, MARCH)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Period", "2026-03-01 to 2026-03-31", "drills excluded"]
    assert [
        "Time to first public acknowledgement",
        "Incidents counted",
        "Median (minutes)",
        "90th percentile (minutes)",
        "Never acknowledged",
    ] in rows
    assert ["All severities", "2", "55.0", "83.0", "2"] in rows
    assert ["All severities", "1", "2", "33"] in rows
    assert ["All action items", "1", "1", "1", "1", "33"] in rows
    # Every row label is ours, but a severity label starting "-" would be disarmed all the same.
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("role", ["viewer", "comms", "manager"])
def test_every_signed_in_role_may_read_the_reports(client_as, role, request, db):
    user = request.getfixturevalue(role)
    assert client_as(user).get(URL).status_code == 200
    assert client_as(user).get(EXPORT_URL).status_code == 200


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in (URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
