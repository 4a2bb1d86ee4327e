"""Page speed benchmark: `python bench/run.py [--incidents N]`.

Builds a throw-away SQLite database (or uses DATABASE_URL's server with a `_bench` suffix), fills it
with incidents, parties and history, then times the main pages through Django's test client and
prints one table: median and 95th percentile per page, and the number of queries.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=500)
    parser.add_argument("--parties", type=int, default=20, help="affected parties on one incident")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        os.environ["SQLITE_PATH"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    if os.environ.get("DATABASE_URL"):
        settings.DATABASES["default"]["NAME"] += "_bench"
        connection.settings_dict["NAME"] = settings.DATABASES["default"]["NAME"]
        _recreate_postgres_database(connection.settings_dict["NAME"])
    call_command("migrate", verbosity=0)

    from tests import factories

    comms = factories.make_comms("bench-comms")
    first = None
    for n in range(args.incidents):
        incident = factories.make_incident(comms, title=f"Benchmark incident {n}")
        first = first or incident
    for n in range(args.parties):
        factories.make_party(first, comms, description=f"Party {n}")

    client = Client()
    client.force_login(comms)
    pages = [
        ("dashboard", "/"),
        ("incident list", "/incidents/"),
        ("incident list, searched", "/incidents/?q=incident+4&severity=2"),
        ("incident page", first.get_absolute_url()),
        ("incident history", first.get_absolute_url() + "history/"),
        ("CSV export", "/incidents/export.csv"),
    ]
    settings.DEBUG = True  # record queries
    rows = []
    for name, url in pages:
        timings = []
        for _ in range(args.repeat):
            reset_queries()
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        queries = len(connection.queries)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        rows.append((name, statistics.median(timings), p95, queries))

    vendor = connection.vendor
    print(
        f"\n{args.incidents} incidents, {args.parties} parties on one, "
        f"{args.repeat} runs, {vendor}\n"
    )
    print(f"| {'page':<26} | {'median ms':>9} | {'p95 ms':>7} | {'queries':>7} |")
    print(f"|{'-' * 28}|{'-' * 11}|{'-' * 9}|{'-' * 9}|")
    for name, median, p95, queries in rows:
        print(f"| {name:<26} | {median:>9.1f} | {p95:>7.1f} | {queries:>7} |")


def _recreate_postgres_database(name):
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
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
