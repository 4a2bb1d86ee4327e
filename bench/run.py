"""Page speed at scale: `python bench/run.py [--incidents 100000] [--check]`.

Builds a separate database (SQLite in a temporary folder, or DATABASE_URL's server under the
database name plus ``_bench``) with years of incidents (bench/build.py), then measures each page
of PAGES as a signed-in user:

- alone: the median and 95th percentile of ``--repeat`` requests in this process, and the
  number of queries of one request;
- under load: requests per second through gunicorn (``--workers`` workers, as deployed: DEBUG
  off, cached templates) driven by wrk with ``--connections`` connections (a small threaded
  client when wrk is not installed);
- in the same run, references measured the same way: a bare template of 50 rows (Django's
  floor for a signed-in page) and Django's admin changelist over the same incidents, each page
  printed as a ratio to them (which holds on a busy machine where absolute figures do not); and
  the floor under the list's budget, the bare template plus the list's own SQL statements run
  raw (bench/urls.py), which no way of rendering the list can beat.

It also streams the CSV export of every incident (first byte, total time, the worker's memory),
and with ``--open-heavy N`` measures the dashboard and the open list again with N incidents open.
``--statistics none`` measures a SQLite store without planner statistics, as the application
leaves it (nothing there runs ANALYZE).
Prints one table and writes JSON (``--json``). ``--check`` exits 1 when a budget
(bench/report.py) is missed.
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import ADMIN, BARE, FLOOR, budget_misses, print_table  # noqa: E402
from bench.report import machine as report_machine  # noqa: E402
from bench.server import Server  # noqa: E402
from bench.server import export as export_csv  # noqa: E402

# The pages measured, in one place: (name, path). A path may name what the build made:
# {busy} the incident page with 200 timeline events, {statement} the statement with 30
# versions, {public} the busy incident's public page. Add a page here and it is measured,
# compared and printed like the others.
PAGES = [
    ("dashboard", "/"),
    ("list, open (default)", "/incidents/"),
    ("list, all, page 1", "/incidents/?show=all"),
    ("list, all, page 100", "/incidents/?show=all&page=100"),
    ("list, all, last page", "/incidents/?show=all&page=last"),
    ("list, severity + category", "/incidents/?show=all&severity=2&category=service_failure"),
    ("list, status resolved", "/incidents/?show=all&status=resolved&page=20"),
    ("list, platform + dates", "/incidents/?show=all&platform=tiktok&detected_after=2023-01-01"),
    ("list, lead", "/incidents/?show=all&lead={lead}"),
    ("list, search refund", "/incidents/?show=all&q=refund"),
    ("incident page, 200 events", "{busy}"),
    ("incident timeline", "{busy}timeline/"),
    ("incident history", "{busy}history/"),
    ("statement, 30 versions", "{statement}"),
    ("public page", "{public}"),
    # Asked again by a browser or a proxy holding a copy (If-None-Match and If-Modified-Since
    # from the page's first answer): the answer is 304 Not Modified (CONDITIONAL).
    ("public page, 304", "{public}"),
    # Mentions (--mentions N links N of them to the busy incident): its mentions panel alone,
    # its mentions page first and deep (a cursor half-way down), the inbox.
    ("mentions panel", "{busy}mentions/panel/"),
    ("mentions page, first", "{busy}mentions/"),
    ("mentions page, deep cursor", "{busy}mentions/?after={deep}"),
    ("mentions page, sentiment filter", "{busy}mentions/?sentiment=negative&after={deep}"),
    ("inbox, first", "/mentions/inbox/"),
    ("inbox, deep cursor", "/mentions/inbox/?after={inbox_deep}"),
]
# Pages measured with the validators of their first answer, and answered 304 Not Modified.
CONDITIONAL = {"public page, 304"}
# Pages measured again with --open-heavy incidents open.
HEAVY_PAGES = [
    ("dashboard, {n} open", "/"),
    ("dashboard clocks, {n} open", "/dashboard/clocks/"),
    ("list, open, {n} open", "/incidents/"),
]
EXPORT = "/incidents/export.csv?show=all"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--open", type=int, default=40, help="open incidents among them")
    parser.add_argument(
        "--mentions",
        type=int,
        default=0,
        help="mentions linked to the busy incident (and a twentieth as many in the inbox)",
    )
    parser.add_argument("--open-heavy", type=int, default=10_000, help="0 to skip")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page, alone")
    parser.add_argument("--seconds", type=float, default=5, help="load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-load", action="store_true", help="measure alone only")
    parser.add_argument("--only", help="measure only pages whose name contains this")
    parser.add_argument(
        "--keep",
        metavar="PATH",
        help="SQLite: keep the database at PATH and reuse it next time; PostgreSQL: any value "
        "reuses the _bench database when it holds incidents",
    )
    parser.add_argument(
        "--statistics",
        choices=["fresh", "none"],
        default="fresh",
        help="SQLite: measure with fresh planner statistics (ANALYZE), or none, as a store the "
        "application made has",
    )
    parser.add_argument("--json", default=None, help="where to write results (default bench/)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is missed")
    args = parser.parse_args()

    vendor = open_store(args, mentions=args.mentions, statistics=args.statistics)
    from incidents.models import Incident
    from monitoring.models import Mention

    made = _made(Incident)
    pages = [(name, path.format(**made)) for name, path in PAGES]
    if args.only:
        pages = [(n, p) for n, p in pages if args.only in n]
    references = [BARE, ADMIN, FLOOR]
    cookies = {who: _session_cookie(who) for who in ("comms", "admin")}

    results = []
    server = None if args.no_load else Server(args.workers)
    try:
        for name, path in [*references, *pages]:
            who = "admin" if path.startswith("/admin/") else "comms"
            results.append(_measure(name, path, who, cookies[who], args, server))
        if args.open_heavy:
            heavy = _reopen(Incident, args.open_heavy)
            try:
                for name, path in HEAVY_PAGES:
                    name = name.format(n=f"{args.open_heavy:,}")
                    results.append(_measure(name, path, "comms", cookies["comms"], args, server))
            finally:
                _restore(Incident, heavy)
        export = export_csv(server, cookies["comms"], EXPORT) if server else None
    finally:
        if server:
            server.stop()

    machine = report_machine()
    report = {
        "database": vendor,
        "incidents": Incident.objects.count(),
        "mentions": Mention.objects.count(),
        "open": args.open,
        "statistics": args.statistics,
        "machine": machine,
        "pages": results,
        "export": export,
    }
    print_table(report)
    misses = budget_misses(report)
    report["budget_misses"] = misses
    path = Path(args.json or ROOT / "bench" / f"results-{vendor}.json")
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nJSON written to {path}")
    if misses:
        print("\nBudgets missed:\n  " + "\n  ".join(misses))
    elif args.check:
        print("\nEvery budget met.")
    if args.check and misses:
        sys.exit(1)


def open_store(args, *, mentions=0, statistics="fresh"):
    """The benchmark's database, as ``args`` name it (``--keep``, DATABASE_URL): settings as
    deployed, migrated, built when empty (``args.incidents``, ``args.open``; and ``mentions``
    linked to the busy incident when it holds none), its planner statistics fresh. Returns the
    database's vendor. Shared by this module and bench/mixed.py."""
    _environment(args)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import build, build_mentions
    from incidents.models import Incident
    from monitoring.models import Mention

    vendor = connection.vendor
    if vendor == "postgresql":
        _recreate_postgres_database(connection.settings_dict["NAME"], keep=bool(args.keep))
    call_command("migrate", verbosity=0)
    if not Incident.objects.exists():
        print(f"Building {args.incidents:,} incidents ({vendor})…", flush=True)
        start = time.perf_counter()
        build.build(incidents=args.incidents, open_incidents=args.open, log=print)
        print(f"Built in {time.perf_counter() - start:.0f} s", flush=True)
    if mentions and not Mention.objects.exists():
        print(f"Loading {mentions:,} mentions ({vendor})…", flush=True)
        start = time.perf_counter()
        busy = Incident.objects.open().order_by("-declared_at").first()
        build_mentions.mentions(mentions, busy, inbox=max(1000, mentions // 20), log=print)
        print(f"Loaded in {time.perf_counter() - start:.0f} s", flush=True)
    # Planner statistics for every index, also those a migration added to a kept database.
    build.analyze(statistics=statistics)
    return vendor


def _environment(args):
    """Settings as a deployment runs them, for this process and for gunicorn alike."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ[name] = "false"
    os.environ["SECURE_HSTS_SECONDS"] = "0"
    # The benchmark signs its users in with force_login: no second factor to give (with DEBUG
    # off, staff would otherwise be sent to the two-factor step, and the admin answer 302).
    os.environ["TWO_FACTOR_REQUIRED_FOR"] = "none"
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # signing the benchmark's users in is no news
    url = os.environ.get("DATABASE_URL")
    if url:
        parts = urllib.parse.urlsplit(url)
        name = parts.path.lstrip("/")
        if not name.endswith("_bench"):
            os.environ["DATABASE_URL"] = urllib.parse.urlunsplit(
                parts._replace(path=f"/{name}_bench")
            )
    else:
        path = args.keep or os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
        os.environ["SQLITE_PATH"] = str(Path(path).resolve())


def _made(Incident):
    from django.contrib.auth import get_user_model

    from monitoring.models import Mention
    from responses.models import Statement
    from responses.public import public_page_url

    busy = Incident.objects.open().order_by("-declared_at").first()
    if not busy.is_public_page_open:
        Incident.objects.filter(pk=busy.pk).update(
            public_token=secrets.token_urlsafe(24), is_public_page_open=True
        )
        busy.refresh_from_db()
    statement = Statement.objects.filter(incident=busy).order_by("-version").first()
    return {
        "deep": _deep_cursor(busy.mentions.all()),
        "inbox_deep": _deep_cursor(Mention.objects.inbox()),
        "busy": busy.get_absolute_url(),
        "statement": statement.get_absolute_url(),
        "public": public_page_url(busy),
        "lead": get_user_model().objects.get(username="lead3").pk,
    }


def _deep_cursor(mentions):
    """The cursor half-way down the newest-first mentions (read once, with an offset): the page
    after it must cost what the first does."""
    from monitoring.triage import cursor_of

    count = mentions.count()
    row = mentions.newest_first()[count // 2] if count else None
    return cursor_of(row) if row else f"{int(time.time() * 1_000_000)}-{2**62}"


def _session_cookie(username):
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _measure(name, path, who, cookie, args, server):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=who))
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{name}: {path} answered {response.status_code}")
    headers, expect = {}, 200
    if name in CONDITIONAL:
        asked = {"If-None-Match": "ETag", "If-Modified-Since": "Last-Modified"}
        headers = {ask: response[got] for ask, got in asked.items() if response.has_header(got)}
        expect = 304
        response = client.get(path, headers=headers)
        if response.status_code != expect:
            raise SystemExit(f"{name}: {path} answered {response.status_code}, not {expect}")
    queries = []  # counted by a wrapper: Django empties its own log when a request starts
    with connection.execute_wrapper(lambda execute, *a: queries.append(1) or execute(*a)):
        client.get(path, headers=headers)
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        client.get(path, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    row = {
        "page": name,
        "path": path,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 1),
        "queries": len(queries),
        "bytes": len(response.content),
        "rps": None,
    }
    if server:
        row["rps"] = server.load(
            path, cookie, args.seconds, args.connections, headers=headers, expect=expect
        )
    print(
        f"  {name}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, {row['queries']} queries"
        + (f", {row['rps']} req/s" if row["rps"] is not None else ""),
        flush=True,
    )
    return row


def _reopen(Incident, count):
    """Open ``count`` incidents in all, for the heavy dashboard (statuses restored after)."""
    extra = count - Incident.objects.open().count()
    ids = list(
        Incident.objects.filter(status="closed").order_by("-declared_at").values_list("pk")[:extra]
    )
    ids = [pk for (pk,) in ids]
    # A benchmark's shortcut: no history, no verbs; _restore puts the statuses back.
    Incident.objects.filter(pk__in=ids).update(status="responding")
    return ids


def _restore(Incident, ids):
    Incident.objects.filter(pk__in=ids).update(status="closed")


def _recreate_postgres_database(name, keep=False):
    """Drop and create the benchmark's database, or with ``keep`` create it only if missing."""
    import psycopg
    from django.db import connection

    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            return
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
