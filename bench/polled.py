"""The sources phase of bench/mixed.py (``--sources 50``): the desk's people browse as in the
browsing phase while ``--sources`` RSS feeds are polled the way production polls them.

The feeds are served by bench/feeds.py in a process of its own on this machine (each with new
items every 30 s and the older ones again, answering 304 to a poll that brings nothing new);
the Source rows point at it, its host allowed as an admin would (AllowedHost); their interval is
a minute, their first polls spread over that minute; ``manage.py db_worker`` runs the
``sources.tasks.poll_sources`` job, which queues itself again for the next source due (the
README's production set-up). ``sources_misses`` is the budget: the dashboard's and the incident
page's p95 with the sources polling at most SOURCES_P95_VS_BROWSING times their p95 browsing
without them, every poll a success, and the polls the intervals ask for done.

Imports nothing that opens a socket at import time (bench/report.py imports mixed_misses).
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent

# Issue 22's budget 5: 50 sources polled on their intervals never slow the pages. "Never" read
# as: their p95 at most 1.2x the same browsing's without them (the machine's noise between two
# phases of a minute is of that order; a real slowdown is more).
SOURCES_P95_VS_BROWSING = 1.2
WATCHED = ("dashboard", "incident page, 200 events")
# At least this share of the polls the intervals ask for in the phase are done.
POLLS_DONE_SHARE = 0.8
INTERVAL_MINUTES = 1
NEW_ITEMS_EVERY = 30  # seconds: a poll a minute apart brings new items every time


class PolledSources:
    """``count`` feed sources on this machine and the worker polling them, for one phase."""

    def __init__(self, count, *, items=3, stamp):
        self.count, self.items, self.stamp = count, items, stamp
        self.feeds = self.worker = self.started = None

    def during(self, phase):
        """(what ``phase()`` returns, the sources' figures): the sources polled while it runs."""
        self.start()
        try:
            seen = phase()
        finally:
            figures = self.stop()
        return seen, figures

    def start(self):
        from django.db.models import Q

        from crisis import timekeeper
        from sources.models import AllowedHost, Source
        from sources.tasks import poll_sources

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.feeds = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "feeds.py"),
                f"--port={port}",
                f"--items={self.items}",
                f"--every={NEW_ITEMS_EVERY}",
            ],
            stdout=subprocess.PIPE,
        )
        self.feeds.stdout.readline()  # "serving"
        self.base = f"http://127.0.0.1:{port}"
        AllowedHost.objects.get_or_create(host="127.0.0.1", defaults={"note": "benchmark"})
        # A kept store's sources of an earlier run (one stopped half-way, or bench/burst.py's)
        # point at servers gone: they are not polled beside these.
        earlier = Q(name__startswith="Bench feed ") | Q(name__startswith="Burst ")
        Source.objects.filter(earlier).update(is_active=False)
        now = timekeeper.now()
        spread = INTERVAL_MINUTES * 60 / self.count
        self.ids = [
            Source.objects.create(
                name=f"Bench feed {self.stamp} {n}",
                url=f"{self.base}/feed/{self.stamp}-{n}.rss",
                interval_minutes=INTERVAL_MINUTES,
                next_poll_at=now + timedelta(seconds=n * spread),
            ).pk
            for n in range(self.count)
        ]
        # The worker logs every task run: kept in a file, not mixed into the table.
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed by stop())
            "w", prefix="bench-worker-", suffix=".log", delete=False
        )
        self.worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "2"],
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # The app's own settings (bench/settings.py only adds the pages gunicorn serves).
            env={
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "crisis.settings",
            },
        )
        poll_sources.enqueue()
        self.started = time.perf_counter()
        self.cpu_before = self._cpu()

    def _cpu(self):
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for process in (self.worker, self.feeds):
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def stop(self):
        """Stop polling; returns the phase's figures."""
        from sources.models import Source

        seconds = time.perf_counter() - self.started
        cpu = self._cpu() - self.cpu_before
        with urlopen(f"{self.base}/stats", timeout=10) as answer:
            served = json.loads(answer.read())
        self.worker.terminate()
        self.worker.wait(30)
        self.feeds.terminate()
        self.feeds.wait(10)
        self.log.close()
        rows = Source.objects.filter(pk__in=self.ids)
        failing = list(rows.exclude(last_error="").values_list("name", "last_error")[:5])
        figures = {
            "sources": self.count,
            "interval_minutes": INTERVAL_MINUTES,
            "seconds": round(seconds, 1),
            "polls_expected": int(self.count * seconds / (INTERVAL_MINUTES * 60)),
            "polls": served["200"] + served["304"],
            "not_modified": served["304"],
            "items_served": served["items_served"],
            "bytes_served": served["bytes_served"],
            "mentions_brought": sum(rows.values_list("mentions_brought", flat=True)),
            "sources_failing": rows.exclude(last_error="").count(),
            "errors": [f"{name}: {error}" for name, error in failing],
            "worker_and_feeds_cpu_s": round(cpu, 1),
            "worker_log": self.log.name,
        }
        rows.update(is_active=False)  # a kept store does not poll them in a later run
        return figures


def p95_pair(result, before, after, name):
    """``name``'s p95 in the phases ``before`` and ``after`` (None where not measured)."""
    phases = result["phases"]
    return tuple(phases.get(phase, {}).get(name, {}).get("p95_ms") for phase in (before, after))


def sources_misses(result):
    """The sources phase's misses as lines (none when the run had no sources phase)."""
    polled = result.get("sources")
    if not polled:
        return []
    misses = []
    for name in WATCHED:
        without, with_sources = p95_pair(result, "browsing", "sources", name)
        if without is None or with_sources is None:
            misses.append(f"sources: {name} was not measured with and without the sources")
        elif with_sources > SOURCES_P95_VS_BROWSING * without:
            misses.append(
                f"sources: {name}: p95 {with_sources:.0f} ms with {polled['sources']} sources "
                f"polling > {SOURCES_P95_VS_BROWSING:g}× its {without:.0f} ms without"
            )
    if polled["sources_failing"]:
        misses.append(
            f"sources: {polled['sources_failing']} of {polled['sources']} sources failed "
            f"({'; '.join(polled['errors'])})"
        )
    if polled["polls"] < POLLS_DONE_SHARE * polled["polls_expected"]:
        misses.append(
            f"sources: {polled['polls']} polls done in {polled['seconds']} s, short of the "
            f"{polled['polls_expected']} their intervals ask for"
        )
    return misses


def p95_ratios(result):
    """{page: p95 with the sources / p95 without} for the watched pages."""
    ratios = {}
    for name in WATCHED:
        without, with_sources = p95_pair(result, "browsing", "sources", name)
        if without and with_sources:
            ratios[name] = round(with_sources / without, 2)
    return ratios


def describe(figures):
    """The sources phase's figures as one line for bench/mixed.py's table."""
    ratios = ", ".join(f"{n} {r:g}" for n, r in figures["p95_with_vs_without"].items())
    return (
        f"Sources: {figures['sources']} polled every {figures['interval_minutes']} min for "
        f"{figures['seconds']} s: {figures['polls']} polls ({figures['not_modified']} answered "
        f"304; {figures['polls_expected']} due), {figures['mentions_brought']:,} mentions brought "
        f"in, {figures['sources_failing']} sources failing; worker and feeds' CPU "
        f"{figures['worker_and_feeds_cpu_s']} s; p95 with / without: {ratios} (budget "
        f"{figures['budget_p95_ratio']:g})"
    )
