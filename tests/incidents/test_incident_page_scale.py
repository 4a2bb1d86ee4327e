"""The incident page and the admin changelist at years of records: the page's timeline reads
only its newest rows from every provider, and the admin lists incidents without a date
hierarchy or a second count."""

from django.contrib import admin as admin_site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crisis import panels
from incidents.models import Incident
from tests import factories


def test_every_timeline_provider_reads_only_the_newest_rows_when_asked():
    lazy = [p.func.__qualname__ for p in panels.timeline_providers if not p.takes_limit]

    assert lazy == []


def test_the_incident_page_reads_no_history_without_a_limit(client_as, viewer, incident, comms):
    items = [factories.make_action_item(incident, comms, title=f"Step {n}") for n in range(3)]
    for item in items:
        item.details = "Changed once."
        item.save_edit(by=comms, expected_version=item.version, fields=["details"])
    factories.make_update(incident, comms)
    factories.make_party(incident, by=comms)

    with CaptureQueriesContext(connection) as queries:
        response = client_as(viewer).get(incident.get_absolute_url())

    assert response.status_code == 200
    unbounded = [
        q["sql"]
        for q in queries
        # Each timeline provider's history rows (whole rows, with their reasons), newest first
        # and limited; the rows just before them come by id. (The statements panel reads who
        # wrote each statement from a few history columns: not the timeline.)
        if q["sql"].lstrip().startswith("SELECT")
        and "history_change_reason" in q["sql"]
        and "LIMIT" not in q["sql"]
        and "history_id" not in q["sql"].split(" WHERE ", 1)[-1][:80]
    ]
    assert unbounded == []
    entries = response.context["timeline"]
    assert sum(e.kind == "action_item" for e in entries) == 6


def test_the_admin_lists_incidents_without_a_date_hierarchy_or_a_second_count():
    model_admin = admin_site.site._registry[Incident]

    assert not model_admin.date_hierarchy
    assert model_admin.show_full_result_count is False
    assert model_admin.list_select_related == ["lead"]


def test_the_admin_changelist_queries_do_not_grow_with_incidents(client_as, admin, comms):
    url = reverse("admin:incidents_incident_changelist")
    client = client_as(admin)
    factories.make_incident(comms)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        factories.make_incident(comms, title=f"More {n}", lead=admin if n % 2 else comms)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.status_code == 200
    assert len(many) == len(few)
