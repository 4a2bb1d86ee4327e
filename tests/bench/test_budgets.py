"""The benchmark's budgets (bench/report.py): a person runs ``bench/run.py --check`` on a quiet
machine; here each budget is shown to be checked, met and missed, on made-up figures."""

import pytest

from bench import report


def row(page, rps, queries=6, p95_ms=10.0):
    return {"page": page, "rps": rps, "queries": queries, "p50_ms": p95_ms, "p95_ms": p95_ms}


def meeting_every_budget():
    """A run in which every page is just within its budget (bare template at 300 req/s)."""
    return {
        "pages": [
            row(report.BARE[0], 300, queries=2),
            row(report.ADMIN[0], 40, queries=6),
            row(report.FLOOR[0], 120, queries=7),
            row("dashboard", 120, queries=9),
            row("dashboard, 10,000 open", 120, queries=9),
            row("dashboard clocks, 10,000 open", 1, queries=4),  # no ratio budget of its own
            row("list, all, page 1", 90, queries=7),
            row("list, all, last page", 90, queries=7),
            row("list, search refund", 90, queries=7, p95_ms=99),
            row("incident page, 200 events", 75, queries=15),
            row("public page", 270, queries=2),
            row("public page, 304", 900, queries=1),
            row("mentions page, first", 100, p95_ms=149),
        ],
        "export": {"first_byte_s": 0.1, "total_s": 5, "worker_memory_growth_mb": 3},
    }


def test_a_run_within_every_budget_misses_none():
    assert report.budget_misses(meeting_every_budget()) == []


def _with(page, **changes):
    run = meeting_every_budget()
    for r in run["pages"]:
        if r["page"] == page:
            r.update(changes)
    return run


@pytest.mark.parametrize(
    "page, changes, named",
    [
        ("incident page, 200 events", {"rps": 74}, "0.25× bare"),
        ("incident page, 200 events", {"queries": 16}, "16 queries > 15"),
        ("dashboard", {"rps": 119}, "0.4× bare"),
        ("dashboard, 10,000 open", {"rps": 119}, "0.4× bare"),
        ("list, all, page 1", {"rps": 79}, "2.0× admin"),
        (report.FLOOR[0], {"rps": 151}, "0.6× the floor"),
        ("list, all, last page", {"queries": 8}, "different numbers of queries"),
        (report.FLOOR[0], {"queries": 8}, "5 statements > 4"),
        ("public page", {"rps": 269}, "0.9× bare"),
        ("public page, 304", {"rps": 899}, "3.0× bare"),
        ("list, search refund", {"p95_ms": 100}, "p95 100"),
        ("mentions page, first", {"p95_ms": 150}, "p95 150"),
    ],
)
def test_each_budget_missed_is_named(page, changes, named):
    misses = report.budget_misses(_with(page, **changes))
    assert misses
    assert all(named in miss for miss in misses), misses


def test_the_export_budgets():
    run = meeting_every_budget()
    run["export"] = {"first_byte_s": 1.0, "total_s": 10.0, "worker_memory_growth_mb": 60}
    assert len(report.budget_misses(run)) == 3
