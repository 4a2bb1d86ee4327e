"""The dashboard's queries read indexes in order and stop at what the page shows, whatever the
store's shape: mostly ended (the years behind a desk), or thousands open (a bad week). Pinned by
the plans the databases choose, with fresh statistics, at a few hundred incidents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents import dashboard
from incidents.models import Incident
from tests import factories

S = Incident.Status
PAGES = [reverse("incidents:dashboard"), reverse("incidents:dashboard-clocks")]
RECENTLY_ENDED = """NOT ("incidents_incident"."status" IN ('triage', 'responding', 'monitoring'))"""


def fill(by, *, ended, open_):
    """``ended`` ended incidents (most closed, the newest resolved) and ``open_`` open ones,
    copied in bulk from one declared incident, each a minute apart."""
    model = factories.make_incident(by, title="Model")
    rows = []
    statuses = [S.CLOSED] * (ended * 8 // 10) + [S.CANCELLED] * (ended // 10)
    statuses += [S.RESOLVED] * (ended - len(statuses)) + [S.RESPONDING] * open_
    for n, status in enumerate(statuses):
        at = model.declared_at.replace(year=2020) + n * (model.declared_at - model.detected_at)
        rows.append(
            Incident(
                **{
                    f.attname: getattr(model, f.attname)
                    for f in Incident._meta.concrete_fields
                    if not f.primary_key
                },
            )
        )
        incident = rows[-1]
        incident.reference = f"CR-2020-{n + 100:04d}"
        incident.status = status
        incident.severity = 1 + n % 4
        incident.first_acknowledged_at = None if n % 3 else at
        incident.declared_at = incident.detected_at = at
        incident.resolved_at = at if status in (S.RESOLVED, S.CLOSED) else None
        incident.closed_at = at if status == S.CLOSED else None
        incident.cancelled_at = at if status == S.CANCELLED else None
        incident.cancel_reason = "A false alarm." if status == S.CANCELLED else ""
    Incident.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def plan_of(sql, params):
    """The plan's lines; on PostgreSQL with sorts and plain scans priced out, so that a Sort or a
    Seq Scan left in it means no index could serve the query (at this size either is cheaper)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_sort = off")
            cursor.execute("SET enable_seqscan = off")
            try:
                cursor.execute(f"EXPLAIN {sql}", params)
                return without_subplans(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("RESET enable_sort")
                cursor.execute("RESET enable_seqscan")
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        # Not the steps of the correlated subqueries that read each shown incident's statements
        # and targets (a few rows each): the query's own over the incidents.
        lines, skipped = [], set()
        for node, parent, _unused, step in cursor.fetchall():
            if parent in skipped or step.startswith("CORRELATED"):
                skipped.add(node)
            else:
                lines.append(step)
        return lines


def without_subplans(lines):
    """A PostgreSQL plan without its SubPlans (the correlated subqueries of the shown incidents'
    clocks, a few rows each): each one's lines are indented deeper than its heading."""
    kept, depth = [], None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if depth is not None and indent > depth:
            continue
        depth = indent if line.strip().startswith("SubPlan") else None
        if depth is None:
            kept.append(line)
    return kept


def incident_queries(client):
    queries = []
    for page in PAGES:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        # Those that read the incidents (the spikes panel reads the mention counts of the last
        # hours, each conversation's, and only names the open incidents as their filter).
        queries += [
            q["sql"]
            for q in captured
            if '"incidents_incident"' in q["sql"] and "incidents_mentioncount" not in q["sql"]
        ]
    return queries


@pytest.mark.parametrize("ended, open_", [(400, 5), (60, 300)], ids=["mostly-ended", "open-heavy"])
def test_no_dashboard_query_sorts_or_scans_the_incidents(ended, open_, client_as, manager):
    fill(manager, ended=ended, open_=open_)
    queries = incident_queries(client_as(manager))

    assert any(RECENTLY_ENDED in sql for sql in queries)
    for sql in queries:
        plan = "\n".join(plan_of(sql, ()))
        # A query without LIMIT shows every row it reads (the panels' lists): it may sort them.
        # One with a LIMIT reads an index in order and stops there.
        limited = " LIMIT " in sql
        if connection.vendor == "postgresql":
            assert not limited or "Sort" not in plan, f"{plan}\n{sql}"
            assert "Seq Scan on incidents_incident" not in plan, f"{plan}\n{sql}"
        else:
            assert not limited or "TEMP B-TREE" not in plan, f"{plan}\n{sql}"
            assert "SCAN incidents_incident\n" not in plan + "\n", f"{plan}\n{sql}"


@pytest.mark.parametrize("statistics", ["fresh", "none"])
def test_the_recently_ended_are_read_through_their_partial_index(statistics, client_as, manager):
    """Also without planner statistics, as SQLite has them unless someone runs ANALYZE: written
    as "in an ended status", SQLite then looked up each status and sorted every ended one."""
    fill(manager, ended=400, open_=5)
    if statistics == "none" and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")  # reloads the (now no) statistics
    (recent,) = [sql for sql in incident_queries(client_as(manager)) if RECENTLY_ENDED in sql]

    plan = "\n".join(plan_of(recent, ()))
    assert "incident_ended_newest" in plan
    assert "TEMP B-TREE" not in plan
    assert "Sort" not in plan


def test_the_counts_stop_at_the_cap(client_as, manager, monkeypatch):
    monkeypatch.setattr(dashboard, "COUNT_CAP", 15)
    fill(manager, ended=20, open_=80)  # 20 open of each severity, and one more major

    response = client_as(manager).get(PAGES[0])

    groups = response.context["by_severity"]
    assert [(g.severity, len(g.incidents), g.count) for g in groups] == [
        (1, 20, 16),
        (2, 0, 16),
        (3, 0, 16),
        (4, 0, 16),
    ]
    html = factories.page_text(response)
    assert "More than 60 open incidents" in html
    assert "more than 15 without a public word yet" in html
    assert "0 shown of more than 15" in html
