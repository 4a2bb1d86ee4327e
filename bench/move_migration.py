"""How long the move of the mentions to the monitoring app takes on a big database (issue 22):
`python bench/move_migration.py [--mentions N]` on the database of DATABASE_URL or SQLITE_PATH,
which it migrates from scratch (use an empty one).

Migrates to the state before the move (incidents 0017, no monitoring), writes N mentions (a
million by default) with one INSERT ... SELECT, then times `migrate` forward."""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentions", type=int, default=1_000_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bench import build_mentions

    call_command("migrate", verbosity=0)
    call_command("migrate", "monitoring", "zero", verbosity=0)
    call_command("migrate", "incidents", "0017_platform_mastodon", verbosity=0)
    started = time.perf_counter()
    write = (
        build_mentions._mentions_postgresql
        if connection.vendor == "postgresql"
        else build_mentions._mentions_sqlite
    )
    with transaction.atomic(), connection.cursor() as cursor:
        write(cursor, args.mentions, None, "move", timezone.now())
    print(f"{args.mentions:,} mentions written in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    took = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_mention")
        (kept,) = cursor.fetchone()
    print(f"{connection.vendor}: migrate forward took {took:.2f} s; {kept:,} mentions kept")


if __name__ == "__main__":
    main()
