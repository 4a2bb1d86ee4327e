"""The dashboard: incidents:dashboard."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from incidents.models import Incident
from tests import factories

S = Incident.Status
URL = reverse("incidents:dashboard")
NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def test_it_lists_open_incidents_by_severity_with_their_waiting_time(client_as, viewer, comms):
    with time_machine.travel(NOW - timedelta(hours=2, minutes=5), tick=False):
        critical = factories.make_incident(
            comms, title="Fake giveaway account", severity=Incident.Severity.CRITICAL
        )
    with time_machine.travel(NOW - timedelta(minutes=42), tick=False):
        minor = factories.make_incident(
            comms, title="Typo in the newsletter", severity=Incident.Severity.MINOR
        )

    with time_machine.travel(NOW, tick=False):
        response = client_as(viewer).get(URL)

    assert response.context["by_severity"] == [
        (Incident.Severity.CRITICAL, [critical], 1),
        (Incident.Severity.MINOR, [minor], 1),
    ]
    html = factories.page_text(response)
    assert "2 open incidents" in html
    assert "2 without a public word yet" in html
    assert 'CR-2026-001 · <span dir="auto">Fake giveaway account</span>' in html
    assert "Audience waiting 2 h 5 min for a public word" in html
    assert "Audience waiting 42 min for a public word" in html
    assert html.index("Fake giveaway account") < html.index("Typo in the newsletter")


def test_ended_incidents_are_listed_apart_from_open_ones(client_as, viewer, manager):
    factories.make_incident(manager, title="Still burning")
    ended = factories.make_incident(manager, title="Recall rumour", status=S.CANCELLED)

    response = client_as(viewer).get(URL)

    open_titles = [i.title for _, rows, _count in response.context["by_severity"] for i in rows]
    assert open_titles == ["Still burning"]
    assert response.context["recent"] == [ended]
    assert "1 open incident" in factories.page_text(response)


def test_with_nothing_open_it_says_all_quiet(client_as, comms):
    response = client_as(comms).get(URL)

    html = factories.page_text(response)
    assert "No open incidents. All quiet." in html
    assert "0 open incidents" in html


def test_a_viewer_is_not_offered_to_declare(client_as, viewer):
    response = client_as(viewer).get(URL)

    assert "No open incidents. All quiet." in factories.page_text(response)
    assert "Declare incident" not in factories.page_text(response)


def test_comms_is_offered_to_declare(client_as, comms):
    response = client_as(comms).get(URL)

    assert f'href="{reverse("incidents:create")}">Declare incident</a>' in response.content.decode()


def test_it_requires_login(client, db):
    response = client.get(URL)

    assert response.url == f"{reverse('login')}?next=/"


def test_it_rejects_post(client_as, comms):
    response = client_as(comms).post(URL)

    assert response.status_code == 405


@pytest.mark.parametrize("count", [1, 50])
def test_its_queries_do_not_grow_with_incidents(
    count, client_as, manager, django_assert_max_num_queries
):
    for n in range(count):
        factories.make_incident(manager, title=f"Open {n}", lead=manager)
        factories.make_incident(manager, title=f"Ended {n}", status=S.CANCELLED)
    client = client_as(manager)

    with django_assert_max_num_queries(factories.DASHBOARD_QUERIES):
        response = client.get(URL)

    assert response.context["open_count"] == count
