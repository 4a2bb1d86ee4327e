"""The incident list, dashboard and export at years of incidents: pages read through indexes in
desk order, counts stop at a cap, the dashboard shows the most urgent, the export streams."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import views
from incidents.models import Incident
from tests import factories

S = Incident.Status
URL = reverse("incidents:list")


@pytest.fixture
def desk(comms):
    """Seven incidents: three open of different severities, four finished."""
    made = []
    for title, severity, status in [
        ("Old resolved", 2, S.RESOLVED),
        ("Open minor", 4, None),
        ("Cancelled alarm", 1, S.CANCELLED),
        ("Open critical", 1, S.RESPONDING),
        ("Closed long ago", 3, S.CLOSED),
        ("Open major", 2, S.MONITORING),
        ("Newest resolved", 3, S.RESOLVED),
    ]:
        made.append(factories.make_incident(comms, title=title, severity=severity, status=status))
    return made


def titles(response):
    return [incident.title for incident in response.context["page"].object_list]


def test_all_incidents_page_through_the_open_ones_then_the_rest_in_desk_order(
    client_as, viewer, desk, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = client_as(viewer)

    shown = []
    for page in range(1, 5):
        shown += titles(client.get(f"{URL}?show=all&page={page}"))

    assert shown == [i.title for i in Incident.objects.desk_order()]
    assert shown == [
        "Open critical",
        "Open major",
        "Open minor",
        "Newest resolved",
        "Closed long ago",
        "Cancelled alarm",
        "Old resolved",
    ]


def test_the_count_stops_at_the_cap_and_says_more_than(client_as, viewer, desk, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    monkeypatch.setattr(views, "LIST_COUNT_CAP", 5)
    client = client_as(viewer)

    first = client.get(f"{URL}?show=all")
    beyond = client.get(f"{URL}?show=all&page=4")

    html = factories.page_text(first)
    assert "More than 5 incidents: the open ones first" in html
    assert "The pages show the first 5: filter to find older ones, or export them all." in html
    assert "Page 1 of more than 3" in html
    # Past the cap the last reachable page is shown, never an error.
    assert beyond.context["page"].number == 3
    assert titles(beyond) == ["Closed long ago"]


def test_an_exact_count_says_no_more_than(client_as, viewer, desk):
    html = factories.page_text(client_as(viewer).get(f"{URL}?show=all"))

    assert "7 incidents: the open ones first" in html
    assert "More than" not in html


@pytest.mark.parametrize("count", [3, 30])
def test_every_page_asks_the_same_queries_whatever_the_rows(
    count, client_as, viewer, comms, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(count):
        factories.make_incident(comms, title=f"Ended {n}", status=S.CANCELLED)
    factories.make_incident(comms, title="Open one")
    client = client_as(viewer)

    asked = []
    for page in ("1", "2", "last"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{URL}?show=all&page={page}")
        assert response.status_code == 200
        asked.append(len(queries))

    # Page 1 holds the open incident and the first of the rest, page 2 the rest only: their
    # ids come from one segment or both as subqueries of the one rows statement.
    assert asked == [factories.LIST_QUERIES] * 3


# Every filter of the list, alone, as the benchmark's pages set them (bench/run.py PAGES).
FILTERS = [
    "",
    "show=all",
    "show=all&severity=2&category=negative_comments",
    "show=all&status=resolved",
    "show=all&platform=x&detected_after=2020-01-01",
    "show=all&platform=tiktok",
    "show=all&lead={lead}",
    "show=all&lead=999999",
    "show=all&q=late",
    "show=all&q=-late",
    "show=all&drill=exclude",
    "detected_before=2020-01-01",
]


@pytest.mark.parametrize("query", FILTERS)
def test_every_filter_asks_the_same_statements_on_its_first_and_last_page(
    query, client_as, viewer, comms, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        factories.make_incident(comms, title=f"Ended {n}", status=S.RESOLVED, severity=n % 4 + 1)
    for n in range(3):
        factories.make_incident(comms, title=f"Open {n}", severity=2)
    client = client_as(viewer)
    query = query.format(lead=comms.pk)

    asked = []
    for page in ("1", "last"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{URL}?{query}&page={page}")
        assert response.status_code == 200
        # A page without rows reads no response targets for their clocks.
        has_rows = bool(response.context["page"].object_list)
        asked.append(len(queries) + (0 if has_rows else 1))

    assert asked == [factories.LIST_QUERIES] * 2


def test_the_open_desk_index_covers_exactly_the_open_statuses():
    index = next(i for i in Incident._meta.indexes if i.name == "incident_open_desk")

    assert index.condition.children == [("status__in", list(Incident.OPEN_STATUSES))]


def test_date_filters_take_whole_local_days(client_as, viewer, comms, settings):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    settings.TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    for title, hour in [("Just after midnight", 0), ("Late evening", 23)]:
        with time_machine.travel(datetime(2026, 3, 2, hour, 30, tzinfo=berlin), tick=False):
            factories.make_incident(comms, title=title)
    client = client_as(viewer)

    same_day = client.get(f"{URL}?detected_after=2026-03-02&detected_before=2026-03-02")
    next_day = client.get(f"{URL}?detected_after=2026-03-03")

    assert sorted(titles(same_day)) == ["Just after midnight", "Late evening"]
    assert titles(next_day) == []


# The dashboard.


def test_the_dashboard_shows_the_most_urgent_and_counts_the_rest(
    client_as, viewer, desk, comms, monkeypatch
):
    monkeypatch.setattr(views, "DASHBOARD_URGENT", 2)
    factories.make_incident(comms, title="Second critical", severity=1)

    response = client_as(viewer).get(reverse("incidents:dashboard"))

    groups = response.context["by_severity"]
    assert [(g.severity, [i.title for i in g.incidents], g.count) for g in groups] == [
        (1, ["Open critical", "Second critical"], 2),
        (2, [], 1),
        (4, [], 1),
    ]
    html = factories.page_text(response)
    assert "4 open incidents" in html
    assert "The 2 most urgent of 4 open incidents." in html
    assert f'<a href="{URL}">See all open incidents</a>' in html
    assert "Open minor" not in html


def test_the_dashboard_clocks_fragment_shows_the_same_most_urgent(
    client_as, viewer, desk, monkeypatch
):
    monkeypatch.setattr(views, "DASHBOARD_URGENT", 1)

    response = client_as(viewer).get(reverse("incidents:dashboard-clocks"))

    html = factories.page_text(response)
    assert "Open critical" in html
    assert "Open major" not in html
    assert "The 1 most urgent of 3 open incidents." in html


# The export.


def test_the_export_streams_every_incident_in_desk_order(client_as, viewer, desk):
    response = client_as(viewer).get(reverse("incidents:export") + "?show=all")

    assert response.streaming
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[1] for line in lines] == [
        "Title",
        *[i.title for i in Incident.objects.desk_order()],
    ]


def test_the_export_reads_incidents_in_chunks_not_all_at_once(client_as, viewer, comms):
    """Constant memory: the rows come from iterator(), one query per segment however many."""
    for n in range(5):
        factories.make_incident(comms, title=f"Ended {n}", status=S.CANCELLED)
    client = client_as(viewer)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("incidents:export") + "?show=all")
        body = b"".join(response.streaming_content)

    assert body.count(b"\n") == 6
    selects = [q["sql"] for q in queries if "incidents_incident" in q["sql"]]
    assert len(selects) == 2


def test_the_open_incidents_are_counted_in_the_order_of_their_partial_index(
    client_as, viewer, desk
):
    # Filtered by a date, SQLite would otherwise count the open incidents through the index of
    # detection dates over every incident (100 ms at 100,000 instead of 0.4).
    with CaptureQueriesContext(connection) as queries:
        response = client_as(viewer).get(f"{URL}?show=all&detected_after=2020-01-01")

    (counts,) = [q["sql"] for q in queries if q["sql"].startswith("SELECT (SELECT COUNT(*)")]
    open_count, rest_count = counts.split("), (SELECT COUNT(*)")
    assert "'triage', 'responding', 'monitoring'" in open_count
    assert "ORDER BY" in open_count
    assert "ORDER BY" not in rest_count  # the rest: through whichever index counts fastest
    assert "7 incidents match the filters" in factories.page_text(response)


def test_each_platform_has_a_partial_index_whose_condition_the_filter_writes(comms):
    from incidents.models import Platform
    from incidents.models.incident_queryset import OnPlatform

    names = {i.name for i in Incident._meta.indexes}
    assert {f"incident_on_{code}" for code in Platform.values} <= names
    on_x = factories.make_incident(comms, title="On X", platforms=["x", "reddit"])
    factories.make_incident(comms, title="Elsewhere", platforms=["threads"])

    # Written into the SQL (as the index condition reads), not passed as a parameter.
    sql, params = Incident.objects.on_platform("x").values("pk").query.sql_with_params()
    assert "LIKE '%%,x,%%'" in sql and params == ()
    assert list(Incident.objects.on_platform("x")) == [on_x]
    assert not Incident.objects.on_platform("xx").exists()
    with pytest.raises(ValueError):
        OnPlatform("x' OR 1=1 --")
