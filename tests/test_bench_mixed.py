"""The crisis-day mixed load's verdict (bench/mixed.py's ``mixed_misses``): the benchmark itself
is run by a person, but what it calls a miss is pure and checked here."""

import copy

from bench.mixed import INCIDENT_PAGE, mixed_misses


def _page(p95, requests=100, failures=0):
    return {
        "requests": requests,
        "failures": failures,
        "p50_ms": p95 / 2,
        "p95_ms": p95,
        "errors": [],
    }


GOOD = {
    "phases": {
        phase: {INCIDENT_PAGE: _page(p95), "public page": _page(10)}
        for phase, p95 in [("alone", 100), ("browsing", 150), ("mixed", 300)]
    },
    "ingest": {
        "target_per_second": 2000,
        "planned_mentions": 120_000,
        "batches": 1200,
        "failed_batches": 0,
        "created": 120_000,
        "duplicates": 0,
        "rejected": 0,
        "seconds": 60.1,
        "per_second": 1997,
        "errors": [],
    },
    "recount": {
        "stored": 120_000,
        "mentions_added": 120_000,
        "differing_counts": 0,
        "examples": [],
    },
}


def _changed(path, value):
    result = copy.deepcopy(GOOD)
    *parents, last = path
    target = result
    for key in parents:
        target = target[key]
    target[last] = value
    return result


def test_it_passes_a_run_within_the_budget():
    assert mixed_misses(GOOD) == []


def test_it_allows_the_incident_page_three_times_its_time_alone_and_no_more():
    assert mixed_misses(_changed(["phases", "mixed", INCIDENT_PAGE, "p95_ms"], 300)) == []
    misses = mixed_misses(_changed(["phases", "mixed", INCIDENT_PAGE, "p95_ms"], 301))
    assert misses == [f"mixed load: {INCIDENT_PAGE}: p95 301 ms under load > 3× its 100 ms alone"]


def test_it_reports_a_failed_page_request_in_any_phase():
    result = _changed(["phases", "browsing", "public page", "failures"], 2)
    result["phases"]["browsing"]["public page"]["errors"] = ["500 for /p/x/"]
    assert mixed_misses(result) == [
        "mixed load, browsing: public page: 2 of 100 requests failed (500 for /p/x/)"
    ]


def test_it_reports_a_rate_short_of_the_target():
    result = _changed(["ingest", "created"], 60_000)
    result["ingest"]["per_second"] = 990
    result["recount"].update(stored=60_000, mentions_added=60_000)
    assert mixed_misses(result) == [
        "mixed load: the API stored 60,000 mentions in 60.1 s (990 a second), short of "
        "120,000 at 2,000 a second"
    ]


def test_it_reports_mentions_stored_twice_or_lost():
    assert mixed_misses(_changed(["recount", "stored"], 119_999)) == [
        "mixed load: the API said it stored 120,000 mentions; the database holds 119,999 of "
        "them and 120,000 more in all"
    ]
    assert len(mixed_misses(_changed(["recount", "mentions_added"], 120_100))) == 1


def test_it_reports_counts_that_differ_from_a_recount():
    result = _changed(["recount", "differing_counts"], 1)
    result["recount"]["examples"] = [["7", "2026-12-07 00", "negative", "3", "4"]]
    misses = mixed_misses(result)
    assert misses == [
        "mixed load: 1 mention counts differ from a recount "
        "(e.g. ['7', '2026-12-07 00', 'negative', '3', '4'])"
    ]


def test_it_reports_new_mentions_taken_for_duplicates():
    assert len(mixed_misses(_changed(["ingest", "duplicates"], 5))) == 1
