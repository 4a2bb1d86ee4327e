"""The CSV export of the (filtered) incident list: incidents:export."""

import csv
import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from crisis.exports import CsvDownload
from incidents.models import Incident
from tests import factories

S = Incident.Status
URL = reverse("incidents:export")
DECLARED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
BOM = "\ufeff".encode()
HEADER = [
    "Reference",
    "Title",
    "Public title",
    "Status",
    "Severity",
    "Category",
    "Platforms",
    "Lead",
    "Drill",
    "Detected",
    "Declared",
    "First public acknowledgement",
    "Resolved",
    "Closed",
]


def content(response):
    """The whole download (the export streams: it has no ``content`` of its own)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows(response):
    body = content(response)
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_it_exports_one_row_per_incident_after_a_header(client_as, viewer, comms):
    with time_machine.travel(DECLARED, tick=False):
        factories.make_incident(
            comms, title="Checkout outage", public_title="", platforms=["x", "reddit"]
        )
        factories.make_incident(
            comms, title="Drill: data leak", public_title="", is_drill=True, lead=None
        )

    with time_machine.travel(datetime(2026, 3, 14, 9, 30, tzinfo=UTC), tick=False):
        response = client_as(viewer).get(URL)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="incidents-20260314-0930.csv"'
    assert rows(response) == [
        HEADER,
        [
            "CR-2026-002",
            "Drill: data leak",
            "",
            "Triage",
            "2",
            "Negative comments",
            "X, Instagram",
            "",
            "yes",
            "2026-03-14T09:00:00+00:00",
            "2026-03-14T09:00:00+00:00",
            "",
            "",
            "",
        ],
        [
            "CR-2026-001",
            "Checkout outage",
            "",
            "Triage",
            "2",
            "Negative comments",
            "X, Reddit",
            "Comms Tester",
            "no",
            "2026-03-14T09:00:00+00:00",
            "2026-03-14T09:00:00+00:00",
            "",
            "",
            "",
        ],
    ]


def test_it_exports_only_the_filtered_incidents(client_as, viewer, comms):
    factories.make_incident(comms, title="Still in triage")
    factories.make_incident(comms, title="Being handled", status=S.RESPONDING)
    factories.make_incident(comms, title="Also handled", status=S.RESPONDING)

    response = client_as(viewer).get(f"{URL}?status=responding")

    # In the list's order: open incidents of one severity, the longest-running first.
    assert [row[1] for row in rows(response)] == ["Title", "Being handled", "Also handled"]


def test_like_the_list_it_exports_the_open_incidents_unless_asked_for_all(client_as, viewer, comms):
    factories.make_incident(comms, title="Still in triage")
    factories.make_incident(comms, title="Over", status=S.RESOLVED)

    open_only = client_as(viewer).get(URL)
    everything = client_as(viewer).get(f"{URL}?show=all")

    assert [row[1] for row in rows(open_only)] == ["Title", "Still in triage"]
    assert [row[1] for row in rows(everything)] == ["Title", "Still in triage", "Over"]


def test_it_opens_as_utf_8_in_a_spreadsheet(client_as, viewer, comms):
    factories.make_incident(comms, title="Rückruf-Gerücht über Crème brûlée")

    response = client_as(viewer).get(URL)

    body = content(response)
    assert body.startswith(BOM + b"Reference,Title,")
    assert "Rückruf-Gerücht über Crème brûlée".encode() in body


def test_it_exports_everything_when_a_filter_is_not_understood(client_as, viewer, comms):
    factories.make_incident(comms, title="Still in triage")

    response = client_as(viewer).get(f"{URL}?status=bogus&show=all")

    assert [row[1] for row in rows(response)] == ["Title", "Still in triage"]


def test_it_carries_the_resolution_time(client_as, viewer, comms):
    with time_machine.travel(DECLARED, tick=False):
        factories.make_incident(comms, status=S.RESOLVED)

    response = client_as(viewer).get(f"{URL}?show=all")

    assert rows(response)[1][HEADER.index("Resolved")] == "2026-03-14T09:00:00+00:00"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(
    start, client_as, viewer, comms
):
    title = f'{start}HYPERLINK("http://evil.example","Click")'
    factories.make_incident(
        comms,
        title=title,
        public_title=f"{start}1+1",
        lead=factories.make_user("mallory", first_name=f"{start}cmd", last_name=""),
    )

    response = client_as(viewer).get(URL)

    [_, row] = rows(response)
    assert row[HEADER.index("Title")] == "'" + title
    assert row[HEADER.index("Public title")] == f"'{start}1+1"
    # A name's surrounding whitespace is trimmed by Django itself; only the rest can lead.
    lead = row[HEADER.index("Lead")]
    assert lead == ("cmd" if start.isspace() else f"'{start}cmd")


def test_it_requires_login(client, db):
    response = client.get(URL)

    assert response.url == f"{reverse('login')}?next={URL}"


def test_it_rejects_post(client_as, viewer):
    response = client_as(viewer).post(URL)

    assert response.status_code == 405


@pytest.mark.parametrize("count", [1, 50])
def test_its_queries_do_not_grow_with_incidents(
    count, client_as, viewer, comms, django_assert_max_num_queries
):
    for n in range(count):
        factories.make_incident(comms, title=f"Incident {n}")
    client = client_as(viewer)

    with django_assert_max_num_queries(4):
        response = client.get(URL)

    assert len(rows(response)) == count + 1


def test_every_cell_of_a_download_goes_through_the_formula_guard():
    download = CsvDownload("anything")

    download.writerow(["=SUM(A1)", "+1", "-1", "@me", "\tx", "\rx", "plain", 2, None, ""])

    assert rows(download.response) == [
        ["'=SUM(A1)", "'+1", "'-1", "'@me", "'\tx", "'\rx", "plain", "2", "", ""]
    ]


def test_it_keeps_the_period_and_drill_filters_the_reports_link_with(client_as, viewer, comms):
    factories.make_incident(comms, title="Real")
    factories.make_incident(comms, title="Practice", is_drill=True)
    today = timezone.localdate().isoformat()

    query = {"show": "all", "drill": "exclude", "detected_after": today, "detected_before": today}
    real = client_as(viewer).get(URL, query)
    drills = client_as(viewer).get(URL, {**query, "drill": "only"})

    assert [row[1] for row in rows(real)] == ["Title", "Real"]
    assert [row[1] for row in rows(drills)] == ["Title", "Practice"]


def test_a_streamed_download_guards_every_cell_too():
    streamed = CsvDownload("anything").stream(
        ["=head"], iter([["=SUM(A1)", "+1", "-1", "@me", "\tx", "\rx", "plain", 2, None, ""]])
    )

    assert streamed.streaming
    assert streamed["Content-Disposition"].startswith('attachment; filename="anything-')
    assert rows(streamed) == [
        ["'=head"],
        ["'=SUM(A1)", "'+1", "'-1", "'@me", "'\tx", "'\rx", "plain", "2", "", ""],
    ]
