"""Mention ingestion benchmark: `python bench/ingest.py [--database sqlite|postgresql|both]`.

For each database it builds a throw-away one (SQLite in a temporary directory, in WAL mode as the
app configures it; PostgreSQL as `<DATABASE_URL's name>_ingest_bench`, dropped and made again),
migrates it, creates an API token and a few open incidents with tracking terms, and starts
gunicorn on it. Several client processes then post batches of 1,000 new mentions over HTTP at
the same time, first with the sentiment given by the source, then without it (computed by the
app); the figure is the mentions stored per second of wall time, from the first request to the
last answer. On PostgreSQL the same run then COPYs the same number of rows straight into the
mentions table, the fastest a client can load it, so the API's figure reads as a share of that.

It prints one table and writes the figures as JSON (``--json``, default
bench/results/ingest.json). It needs DATABASE_URL to reach the PostgreSQL server (any database
name: the benchmark uses its own next to it).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

WORDS = [
    "parcel",
    "delivery",
    "late",
    "again",
    "still",
    "waiting",
    "order",
    "refund",
    "support",
    "answer",
    "customer",
    "service",
    "app",
    "down",
    "outage",
    "login",
    "broken",
    "payment",
    "failed",
    "charged",
    "twice",
    "thanks",
    "great",
    "quick",
    "helpful",
    "love",
    "terrible",
    "awful",
    "worst",
    "never",
    "again",
    "disappointed",
    "angry",
    "happy",
    "fixed",
    "finally",
    "today",
    "week",
    "days",
    "store",
    "staff",
    "manager",
    "email",
    "phone",
    "call",
    "chat",
    "ticket",
    "update",
    "please",
    "why",
    "how",
    "when",
    "where",
]
TERMS = [
    ("#acmefail, acme outage, login broken", 1),
    ("parcel, delivery, #late", 2),
    ("charged twice, refund", 3),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (2 or more)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--batches", type=int, default=25, help="batches per client and phase")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "ingest.json"))
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be 2 or more")

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in databases and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("PostgreSQL needs DATABASE_URL=postgres://user@host:port/name")

    rows = []
    for database in databases:
        rows.extend(run_database(database, args))

    print_table(rows, args)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(
        json.dumps(
            {
                "at": datetime.now(UTC).isoformat(),
                "cpus": os.cpu_count(),
                "workers": args.workers,
                "clients": args.clients,
                "batch_size": args.batch_size,
                "results": rows,
            },
            indent=2,
        )
    )
    print(f"\nWritten to {args.json}")


# ---------------------------------------------------------------------------------------------
# One database
# ---------------------------------------------------------------------------------------------


def run_database(database, args):
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="crisis.settings",
    )
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = os.path.join(tempfile.mkdtemp(), "ingest-bench.sqlite3")
    else:
        env["DATABASE_URL"] = recreate_postgres(os.environ["DATABASE_URL"])

    manage(env, "migrate", "--verbosity", "0")
    token = manage(env, "create_api_token", "bench").strip()
    script = (
        "from incidents.models import Incident\n"
        "from django.contrib.auth import get_user_model\n"
        "user = get_user_model().objects.create_user('bench')\n"
        f"for terms, severity in {TERMS!r}:\n"
        "    Incident.declare(by=user, title='Bench ' + terms, category='other',\n"
        "                     severity=severity, tracking_terms=terms)\n"
    )
    manage(env, "shell", "--command", script)

    port = free_port()
    server = subprocess.Popen(
        [
            GUNICORN,
            "crisis.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "120",
        ],
        env=env,
    )
    results = []
    try:
        wait_for(port)
        # One small batch per worker first, so that imports and the sentiment lexicon are loaded
        # before the clock starts.
        warm = [item(n, "warm", given=False) for n in range(20)]
        for _ in range(args.workers * 2):
            post(port, token, json.dumps(warm).encode())
        for given in (True, False):
            phase = "sentiment given" if given else "sentiment computed"
            result = run_clients(port, token, given, args)
            results.append({"database": database, "method": f"API, {phase}", **result})
        if database == "postgresql":
            count = args.clients * args.batches * args.batch_size
            results.append({"database": database, "method": "COPY (raw)", **copy(env, count)})
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def manage(env, *command):
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"manage.py {command[0]} failed:\n{done.stderr}")
    return done.stdout


def recreate_postgres(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_ingest_bench"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------

POSTED = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)


def item(n, prefix, *, given, rng=random):
    words = rng.choices(WORDS, k=14)
    if n % 3 == 0:
        words.insert(rng.randrange(len(words)), rng.choice(["parcel", "#acmefail", "refund"]))
    mention = {
        "platform": ("x", "facebook", "instagram", "reddit", "tiktok")[n % 5],
        "external_id": f"{prefix}-{n}",
        "url": f"https://example.com/{prefix}/{n}",
        "author": f"@user{n % 9973}",
        "text": " ".join(words).capitalize() + ".",
        "posted_at": (POSTED + timedelta(seconds=n % 86400)).isoformat(),
        "reach": n % 50_000,
    }
    if given:
        mention["sentiment_score"] = round(rng.uniform(-1, 1), 3)
    return mention


def client(port, token, bodies, barrier, queue):
    barrier.wait()
    timings, created, statuses = [], 0, []
    for body in bodies:
        start = time.perf_counter()
        status, answer = post(port, token, body)
        timings.append(time.perf_counter() - start)
        statuses.append(status)
        if status == 200:
            created += answer["created"]
    queue.put((timings, created, statuses, time.perf_counter()))


def post(port, token, body):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request(
        "POST",
        "/api/v1/mentions",
        body=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


def run_clients(port, token, given, args):
    prefix = "given" if given else "computed"
    rng = random.Random(42)
    work = []
    for c in range(args.clients):
        bodies = []
        for b in range(args.batches):
            first = (c * args.batches + b) * args.batch_size
            batch = [
                item(n, prefix, given=given, rng=rng) for n in range(first, first + args.batch_size)
            ]
            bodies.append(json.dumps(batch).encode())
        work.append(bodies)
    barrier = multiprocessing.Barrier(args.clients + 1)
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=client, args=(port, token, bodies, barrier, queue))
        for bodies in work
    ]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    outcomes = [queue.get() for _ in processes]
    for process in processes:
        process.join()
    elapsed = max(finished for *_rest, finished in outcomes) - start
    timings = sorted(t for timings, *_rest in outcomes for t in timings)
    created = sum(created for _t, created, *_rest in outcomes)
    failures = sum(status != 200 for _t, _c, statuses, _f in outcomes for status in statuses)
    sent = args.clients * args.batches * args.batch_size
    return {
        "mentions": sent,
        "stored": created,
        "failed_requests": failures,
        "seconds": round(elapsed, 3),
        "per_second": round(created / elapsed),
        "batch_ms_median": round(statistics.median(timings) * 1000, 1),
        "batch_ms_p95": round(timings[int(len(timings) * 0.95) - 1] * 1000, 1),
    }


# ---------------------------------------------------------------------------------------------
# PostgreSQL's COPY, for the ratio
# ---------------------------------------------------------------------------------------------


def copy(env, count):
    import psycopg

    now = datetime.now(UTC)
    rng = random.Random(7)
    rows = []
    for n in range(count):
        mention = item(n, "copy", given=True, rng=rng)
        rows.append(
            (
                mention["platform"],
                mention["external_id"],
                mention["url"],
                mention["author"],
                mention["text"],
                POSTED + timedelta(seconds=n % 86400),
                mention["sentiment_score"],
                "neutral",
                mention["reach"],
                None,
                now,
                "copy",
                None,
            )
        )
    columns = (
        "platform, external_id, url, author, text, posted_at, sentiment_score, sentiment_label, "
        "reach, incident_id, received_at, source, linked_at"
    )
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        start = time.perf_counter()
        statement = f"COPY incidents_mention ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(statement) as stream:
            for row in rows:
                stream.write_row(row)
        connection.commit()
        elapsed = time.perf_counter() - start
    return {
        "mentions": count,
        "stored": count,
        "failed_requests": 0,
        "seconds": round(elapsed, 3),
        "per_second": round(count / elapsed),
        "batch_ms_median": None,
        "batch_ms_p95": None,
    }


def print_table(rows, args):
    print(
        f"\n{args.clients} clients, batches of {args.batch_size:,}, gunicorn with "
        f"{args.workers} workers, {os.cpu_count()} CPUs\n"
    )
    header = (
        f"{'database':<11} {'method':<28} {'mentions':>9} {'seconds':>8} {'per second':>11} "
        f"{'batch p50':>10} {'batch p95':>10} {'vs COPY':>8}"
    )
    print(header)
    print("-" * len(header))
    copies = {r["database"]: r["per_second"] for r in rows if r["method"] == "COPY (raw)"}
    for r in rows:
        ratio = copies.get(r["database"])
        share = f"{r['per_second'] / ratio:.0%}" if ratio and r["method"] != "COPY (raw)" else ""
        p50 = f"{r['batch_ms_median']} ms" if r["batch_ms_median"] is not None else ""
        p95 = f"{r['batch_ms_p95']} ms" if r["batch_ms_p95"] is not None else ""
        failed = f"  ({r['failed_requests']} failed)" if r["failed_requests"] else ""
        print(
            f"{r['database']:<11} {r['method']:<28} {r['stored']:>9,} {r['seconds']:>8.2f} "
            f"{r['per_second']:>11,} {p50:>10} {p95:>10} {share:>8}{failed}"
        )


if __name__ == "__main__":
    main()
