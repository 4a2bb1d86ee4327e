"""The benchmarks' sources (issue 22's speed): the feeds bench/feeds.py serves (new items by
generation, 304 to a poll that brings nothing new) and what bench/polled.py and bench/burst.py
call a miss, on made-up figures."""

import copy

from bench.burst import burst_misses
from bench.feeds import Feeds
from bench.polled import sources_misses

DASHBOARD, INCIDENT = "dashboard", "incident page, 200 events"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_feed_answers_304_until_its_next_items_come():
    clock = Clock()
    feeds = Feeds(items=3, every=30, window=5, clock=clock)
    status, headers, body = feeds.answer("/feed/7.rss", {})
    assert status == 200
    assert body.count(b"<item>") == 3 and b"feed7-2</guid>" in body
    etag = headers["ETag"]
    clock.now = 29
    assert feeds.answer("/feed/7.rss", {"If-None-Match": etag}) == (304, {"ETag": etag}, b"")
    clock.now = 30
    status, headers, body = feeds.answer("/feed/7.rss", {"If-None-Match": etag})
    assert status == 200 and headers["ETag"] != etag
    # The newest five: three new ones and two seen before (the window).
    assert body.count(b"<item>") == 5 and b"feed7-5</guid>" in body and b"feed7-0<" not in body
    assert feeds.counts == {
        "200": 2,
        "304": 1,
        "404": 0,
        "items_served": 8,
        "bytes_served": feeds.counts["bytes_served"],
    }


def test_a_burst_holds_the_items_asked_for():
    status, _headers, body = Feeds().answer("/burst/x.rss?items=250", {})
    assert status == 200 and body.count(b"<item>") == 250


def _page(p95):
    return {"requests": 100, "failures": 0, "p50_ms": p95 / 2, "p95_ms": p95, "errors": []}


POLLED = {
    "phases": {
        "browsing": {DASHBOARD: _page(100), INCIDENT: _page(200)},
        "sources": {DASHBOARD: _page(120), INCIDENT: _page(240)},
    },
    "sources": {
        "sources": 50,
        "seconds": 60.0,
        "polls": 50,
        "polls_expected": 50,
        "sources_failing": 0,
        "errors": [],
    },
}


def test_the_sources_may_slow_the_pages_by_a_fifth_and_no_more():
    assert sources_misses(POLLED) == []
    slower = copy.deepcopy(POLLED)
    slower["phases"]["sources"][INCIDENT]["p95_ms"] = 241
    assert sources_misses(slower) == [
        f"sources: {INCIDENT}: p95 241 ms with 50 sources polling > 1.2× its 200 ms without"
    ]


def test_failing_sources_and_polls_not_done_are_misses():
    result = copy.deepcopy(POLLED)
    result["sources"].update(polls=39, sources_failing=1, errors=["Bench feed 3: timed out"])
    assert sources_misses(result) == [
        "sources: 1 of 50 sources failed (Bench feed 3: timed out)",
        "sources: 39 polls done in 60.0 s, short of the 50 their intervals ask for",
    ]
    assert sources_misses({"phases": {}}) == []  # no sources phase, no budget


def test_a_burst_must_be_stored_whole_at_four_fifths_of_the_api_rate():
    result = {
        "items": 10_000,
        "poll": {"created": 10_000, "per_second": 800, "health": "ok"},
        "api_reference": {"per_second": 1000},
        "burst_vs_api": 0.8,
    }
    assert burst_misses(result) == []
    result.update(burst_vs_api=0.79)
    result["poll"].update(created=0, health="The answer is larger than 5 MB.")
    assert burst_misses(result) == [
        "burst: one poll stored 0 of 10,000 items (The answer is larger than 5 MB.)",
        "burst: 800 items a second polled < 0.8× the API's 1,000",
    ]
