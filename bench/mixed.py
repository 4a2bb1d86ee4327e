"""Crisis-day mixed load: `python bench/mixed.py [--keep PATH] [--check]`.

On the benchmark's store (bench/run.py's: the same --keep, DATABASE_URL and build) and through
gunicorn as bench/server.py starts it, locust (bench/crowd.py, ``pip install -e '.[bench]'``)
plays three phases, one after the other in the same run:

1. alone: one person reading the pages of PAGES in turn, one request at a time;
2. browsing: ``--people`` people signed in (a session each) reading them by weight, with a
   second or three between pages;
   (with ``--sources N``: sources, the same browsing again while N RSS sources are polled by the
   worker on their one-minute intervals, bench/polled.py; both browsing phases last a minute at
   least, and the sources' budget compares the two)
3. mixed: the same people while a listening tool posts ``--rate`` new mentions a second in
   batches of ``--batch`` to the mentions API for ``--seconds`` (bench/ingest.py's mentions,
   posted now, a share of them matching the busy incident's tracking terms).

Then it compares the mentions stored with those the API acknowledged, and the mention counts with
a recount (monitoring.counts, as ``recount_mentions --check``). Prints one table, writes JSON
beside bench/run.py's (bench/results-mixed-<database>.json) and lists the budget's misses
(``mixed_misses``); ``--check`` exits 1 when there are any.

This module imports nothing that opens a socket at import time, so bench/report.py may import
``mixed_misses`` without gevent: locust's monkey-patching happens in ``main()``.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Issue 19's budget 5.
PEOPLE = 30
RATE = 2000  # mentions a second
BATCH = 100
SECONDS = 60
INCIDENT_P95_VS_ALONE = 3.0  # the incident page's p95 under the mixed load, at most 3x alone

INCIDENT_PAGE = "incident page, 200 events"
# (name, path, weight, signed in): what the desk reads on a crisis day, the incident page most.
# The public page is read as the public reads it, without a session.
PAGES = [
    ("dashboard", "/", 2, True),
    ("incident list", "/incidents/", 2, True),
    (INCIDENT_PAGE, "{busy}", 4, True),
    ("public page", "{public}", 2, False),
]
# The busy incident's tracking terms during the run: words bench/ingest.py puts in a third of
# its mentions, so that a crisis day's share of them links to the incident everyone reads.
TRACKING_TERMS = "#acmefail, parcel"
# Between two pages a person waits 1 to 3 s: 30 people ask for 15 pages a second.
THINK = (1, 3)
# Batches posted one at a time in the alone phase (4 a second at most), for their cost alone.
BATCHES_ALONE = 20
API = "API, batch of mentions"
# The desk: the build's people who may read every page (bench/build.py).
DESK = ["comms", "manager", *(f"lead{n}" for n in range(20))]
PHASES = ("alone", "browsing", "sources", "mixed")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="PATH", help="as bench/run.py's --keep")
    parser.add_argument("--incidents", type=int, default=100_000, help="if the store is empty")
    parser.add_argument("--open", type=int, default=40, help="if the store is empty")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--rate", type=int, default=RATE, help="mentions a second")
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="of the mixed phase")
    parser.add_argument("--alone-seconds", type=float, default=20)
    parser.add_argument("--browse-seconds", type=float, default=20)
    parser.add_argument("--senders", type=int, default=8, help="the tool's connections at most")
    parser.add_argument(
        "--sentiment",
        choices=["given", "computed"],
        default="given",
        help="the tool scores the mentions, or the app does (VADER)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sources", type=int, default=0, help="RSS sources polled (a phase)")
    parser.add_argument("--source-items", type=int, default=3, help="new a feed every 30 s")
    parser.add_argument("--json", default=None, help="where to write results (default bench/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when the budget is missed")
    args = parser.parse_args()
    if args.sources:
        args.browse_seconds = max(args.browse_seconds, 60)

    sys.path.insert(0, str(ROOT))
    # First: importing locust patches sockets, threads and subprocesses with gevent.
    from bench import crowd, polled
    from bench.report import machine
    from bench.run import _made, _session_cookie, open_store
    from bench.server import Server

    vendor = open_store(args)
    from incidents.models import Incident
    from monitoring import counts
    from monitoring.models import ApiToken, Mention

    made = _made(Incident)
    busy = Incident.objects.open().order_by("-declared_at").first()
    # A benchmark's shortcut, like run.py's _reopen: no history for a setting of the run.
    Incident.objects.filter(pk=busy.pk).update(tracking_terms=TRACKING_TERMS)
    pages = [(name, path.format(**made), weight, signed) for name, path, weight, signed in PAGES]
    stamp = time.strftime("%Y%m%d%H%M%S")
    _token, token = ApiToken.issue(f"mixed load {stamp}")
    prefix = f"mixed{stamp}"
    cookies = [_session_cookie(DESK[n % len(DESK)]) for n in range(args.people)]
    mentions_before = Mention.objects.count()

    server = Server(args.workers)
    try:
        host = server.url("")
        for _ in range(2 * args.workers):  # every worker past its first request (lazy imports)
            for _name, path, _weight, signed in pages:
                server.get(path, cookies[0] if signed else "")
        phases, cpu = {}, {}
        clock = Clock(server)
        print(f"Alone: one person, {args.alone_seconds:.0f} s…", flush=True)
        seen, _ = crowd.run_phase(
            host, pages, cookies[:1], people=1, seconds=args.alone_seconds, think=None
        )
        phases["alone"] = summary(seen)
        cpu["alone, pages"] = clock.lap()
        seen, fed_alone = crowd.run_phase(
            host,
            pages,
            cookies,
            people=0,
            seconds=None,
            think=None,
            feed=crowd.mention_feed(
                server.port,
                token,
                rate=args.batch * 4,
                batch=args.batch,
                seconds=BATCHES_ALONE / 4,
                senders=1,
                prefix=f"{prefix}alone",
                given=args.sentiment == "given",
            ),
        )
        phases["alone"][API] = summary(seen)[API]
        cpu["alone, batches"] = clock.lap()

        def browse():
            return crowd.run_phase(
                host, pages, cookies, people=args.people, seconds=args.browse_seconds, think=THINK
            )[0]

        print(f"Browsing: {args.people} people, {args.browse_seconds:.0f} s…", flush=True)
        phases["browsing"] = summary(browse())
        cpu["browsing"] = clock.lap()
        if args.sources:
            print(f"Sources: the same, {args.sources} sources polling…", flush=True)
            sources = polled.PolledSources(args.sources, items=args.source_items, stamp=stamp)
            seen, polled_figures = sources.during(browse)
            phases["sources"] = summary(seen)
            cpu["sources"] = clock.lap()
        print(
            f"Mixed: {args.people} people and {args.rate:,} mentions a second in batches of "
            f"{args.batch}, {args.seconds:.0f} s…",
            flush=True,
        )
        feed = crowd.mention_feed(
            server.port,
            token,
            rate=args.rate,
            batch=args.batch,
            seconds=args.seconds,
            senders=args.senders,
            prefix=prefix,
            given=args.sentiment == "given",
        )
        seen, fed = crowd.run_phase(
            host, pages, cookies, people=args.people, seconds=None, think=THINK, feed=feed
        )
        phases["mixed"] = summary(seen)
        cpu["mixed"] = clock.lap()
    finally:
        server.stop()

    start = time.perf_counter()
    wrong = counts.discrepancies()
    result = {
        "database": vendor,
        "incidents": Incident.objects.count(),
        "machine": machine(),
        "people": args.people,
        "workers": args.workers,
        "phases": phases,
        "cpu": cpu,
        "ingest": {
            "target_per_second": args.rate,
            "batch": args.batch,
            "target_seconds": args.seconds,
            "senders": args.senders,
            "sentiment": args.sentiment,
            **fed,
            "per_second": round(fed["created"] / max(fed["seconds"], 0.001)),
        },
        "recount": {
            "stored": Mention.objects.filter(external_id__startswith=f"{prefix}-").count(),
            "mentions_added": Mention.objects.count()
            - mentions_before
            - fed_alone["created"]
            - (polled_figures["mentions_brought"] if args.sources else 0),
            "linked_to_busy": Mention.objects.filter(
                external_id__startswith=f"{prefix}-", incident=busy
            ).count(),
            "differing_counts": len(wrong),
            "examples": [list(map(str, row)) for row in wrong[:5]],
            "seconds": round(time.perf_counter() - start, 1),
        },
    }
    if args.sources:
        result["sources"] = {
            **polled_figures,
            "p95_with_vs_without": polled.p95_ratios(result),
            "budget_p95_ratio": polled.SOURCES_P95_VS_BROWSING,
        }
    result["demand"] = demand(result, pages)
    print_table(result)
    misses = mixed_misses(result)
    result["budget_misses"] = misses
    path = Path(args.json or ROOT / "bench" / f"results-mixed-{vendor}.json")
    path.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nJSON written to {path}")
    if misses:
        print("\nBudget missed:\n  " + "\n  ".join(misses))
    else:
        print("\nBudget met.")
    if args.check and misses:
        sys.exit(1)


class Clock:
    """Wall time and the CPU time of gunicorn's workers and of this process (the load
    generator, on the same cores) from one lap to the next. On SQLite the workers' CPU holds the
    database's work; PostgreSQL's own processes are not counted."""

    def __init__(self, server):
        self.server = server
        self.last = self._read()

    def _read(self):
        ticks = os.sysconf("SC_CLK_TCK")
        workers = 0
        for pid in self.server.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            workers += (int(fields[11]) + int(fields[12])) / ticks
        mine = os.times()
        return time.perf_counter(), workers, mine.user + mine.system

    def lap(self):
        now = self._read()
        wall, workers, client = (b - a for a, b in zip(self.last, now, strict=True))
        self.last = now
        return {
            "wall_s": round(wall, 1),
            "workers_cpu_s": round(workers, 1),
            "client_cpu_s": round(client, 1),
        }


def percentile(times, share):
    """The ``share`` percentile of ``times`` as bench/run.py reads it (the nearest rank below)."""
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * share) - 1)] if ordered else None


def summary(seen):
    """A phase's figures per page from crowd.run_phase's records."""
    return {
        name: {
            "requests": len(page["times"]),
            "failures": page["failures"],
            "p50_ms": _ms(percentile(page["times"], 0.5)),
            "p95_ms": _ms(percentile(page["times"], 0.95)),
            "errors": page["errors"],
        }
        for name, page in seen.items()
    }


def _ms(value):
    return None if value is None else round(value, 1)


def demand(result, pages):
    """The server time a second the budget asks for, at the alone phase's medians: the pages
    the people ask for (weighted, one every THINK seconds on average) and the API's batches,
    against the workers' seconds a second. Over 1 of each worker's second, requests queue
    whatever the code does; it reads the same on a busy machine as on a quiet one, since both
    sides slow together."""
    alone = result["phases"]["alone"]
    weights = sum(weight for _n, _p, weight, _s in pages)
    page_ms = sum(alone[name]["p50_ms"] * weight for name, _p, weight, _s in pages) / weights
    pages_a_second = result["people"] / (sum(THINK) / 2)
    fed = result["ingest"]
    batches_a_second = fed["target_per_second"] / fed["batch"]
    cpu = result["cpu"]
    page_cpu_ms = (
        1000
        * cpu["alone, pages"]["workers_cpu_s"]
        / sum(alone[name]["requests"] for name, *_rest in pages)
    )
    batch_cpu_ms = 1000 * cpu["alone, batches"]["workers_cpu_s"] / max(1, alone[API]["requests"])
    return {
        "page_cpu_ms": round(page_cpu_ms, 1),
        "batch_cpu_ms": round(batch_cpu_ms, 1),
        "cpu_seconds_a_second": round(
            (pages_a_second * page_cpu_ms + batches_a_second * batch_cpu_ms) / 1000, 2
        ),
        "pages_a_second": pages_a_second,
        "page_ms": round(page_ms, 1),
        "batches_a_second": batches_a_second,
        "batch_ms": alone[API]["p50_ms"],
        "worker_seconds_a_second": round(
            (pages_a_second * page_ms + batches_a_second * alone[API]["p50_ms"]) / 1000, 2
        ),
        "workers": result["workers"],
    }


def print_table(result):
    m = result["machine"]
    print(
        f"\nMixed load on {result['database']} ({result['incidents']:,} incidents), gunicorn "
        f"{result['workers']} workers, {m['cpus']} CPUs, load average {m['load_average']}, "
        f"{m['date']}\n"
    )
    phases = [phase for phase in PHASES if phase in result["phases"]]
    head = f"| {'page':<34} |" + "".join(
        f" {phase + ' n/fail':>15} | {'p50':>6} | {'p95':>6} |" for phase in phases
    )
    print(head + f" {'p95 × alone':>11} |")
    print("|" + "|".join("-" * len(cell) for cell in head.split("|")[1:-1]) + "|-------------|")
    names = dict.fromkeys(name for phase in phases for name in result["phases"][phase])
    for name in names:
        cells = []
        for phase in phases:
            row = result["phases"][phase].get(name)
            if row is None:
                cells.append(f" {'':>15} | {'':>6} | {'':>6} |")
                continue
            counted = f"{row['requests']}/{row['failures']}"
            cells.append(f" {counted:>15} | {_cell(row['p50_ms'])} | {_cell(row['p95_ms'])} |")
        alone = result["phases"]["alone"].get(name, {}).get("p95_ms")
        mixed = result["phases"]["mixed"].get(name, {}).get("p95_ms")
        ratio = f"{mixed / alone:.1f}" if alone and mixed else ""
        print(f"| {name:<34} |" + "".join(cells) + f" {ratio:>11} |")
    fed, recount = result["ingest"], result["recount"]
    print(
        f"\nAPI: {fed['created']:,} of {fed['planned_mentions']:,} mentions stored in "
        f"{fed['seconds']} s: {fed['per_second']:,} a second (target {fed['target_per_second']:,}"
        f"), {fed['batches']} batches of {fed['batch']} ({fed['failed_batches']} failed, "
        f"{fed['duplicates']} duplicates, {fed['rejected']} rejected), sentiment "
        f"{fed['sentiment']}, {fed['senders']} connections"
    )
    print(
        f"Recount: {recount['stored']:,} of them in the database ({recount['linked_to_busy']:,} "
        f"linked to the busy incident), {recount['mentions_added']:,} mentions added in all; "
        f"{recount['differing_counts']} counts differ from the mentions "
        f"(read in {recount['seconds']} s)"
    )
    if "sources" in result:
        from bench.polled import describe

        print(describe(result["sources"]))
    need = result["demand"]
    print(
        f"Demand at the alone medians: {need['pages_a_second']:g} pages a second × "
        f"{need['page_ms']:.0f} ms + {need['batches_a_second']:g} batches a second × "
        f"{need['batch_ms']:.0f} ms = {need['worker_seconds_a_second']} worker-seconds a second, "
        f"for {need['workers']} workers"
    )
    print(
        f"The same in the workers' CPU: {need['pages_a_second']:g} × {need['page_cpu_ms']:.0f} "
        f"ms + {need['batches_a_second']:g} × {need['batch_cpu_ms']:.0f} ms = "
        f"{need['cpu_seconds_a_second']} CPU-seconds a second"
    )
    for phase, lap in result["cpu"].items():
        print(
            f"  {phase}: {lap['wall_s']} s, workers' CPU {lap['workers_cpu_s']} s, load "
            f"generator's {lap['client_cpu_s']} s"
        )


def _cell(value):
    return f"{'' if value is None else f'{value:.0f}':>6}"


def mixed_misses(result):
    """The budget's misses as lines, like bench/report.py's ``budget_misses``: no failed
    request in any phase, every mention the tool sent stored and counted exactly once, the
    rate reached, and the incident page's p95 under the mixed load at most 3x its p95 alone;
    and the sources phase's budget when there was one (bench/polled.py)."""
    from bench.polled import p95_pair, sources_misses

    misses = []
    for phase in PHASES:
        for name, row in result["phases"].get(phase, {}).items():
            if row["failures"]:
                errors = "; ".join(row["errors"])
                misses.append(
                    f"mixed load, {phase}: {name}: {row['failures']} of {row['requests']} "
                    f"requests failed ({errors})"
                )
    fed, recount = result["ingest"], result["recount"]
    if fed["failed_batches"]:
        misses.append(
            f"mixed load: {fed['failed_batches']} of {fed['batches']} batches of mentions "
            f"failed ({'; '.join(fed['errors'])})"
        )
    if fed["created"] < fed["planned_mentions"]:
        misses.append(
            f"mixed load: the API stored {fed['created']:,} mentions in {fed['seconds']} s "
            f"({fed['per_second']:,} a second), short of {fed['planned_mentions']:,} at "
            f"{fed['target_per_second']:,} a second"
        )
    if fed["duplicates"] or fed["rejected"]:
        misses.append(
            f"mixed load: the API called {fed['duplicates']} new mentions duplicates and "
            f"rejected {fed['rejected']}"
        )
    if recount["stored"] != fed["created"] or recount["mentions_added"] != fed["created"]:
        misses.append(
            f"mixed load: the API said it stored {fed['created']:,} mentions; the database "
            f"holds {recount['stored']:,} of them and {recount['mentions_added']:,} more in all"
        )
    if recount["differing_counts"]:
        misses.append(
            f"mixed load: {recount['differing_counts']} mention counts differ from a recount "
            f"(e.g. {recount['examples'][0]})"
        )
    alone, mixed = p95_pair(result, "alone", "mixed", INCIDENT_PAGE)
    if alone is None or mixed is None:
        misses.append(f"mixed load: {INCIDENT_PAGE} was not measured in every phase")
    elif mixed > INCIDENT_P95_VS_ALONE * alone:
        misses.append(
            f"mixed load: {INCIDENT_PAGE}: p95 {mixed:.0f} ms under load > "
            f"{INCIDENT_P95_VS_ALONE:g}× its {alone:.0f} ms alone"
        )
    return misses + sources_misses(result)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
