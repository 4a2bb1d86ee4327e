"""Mention counts per (incident or inbox, UTC hour, sentiment label): kept exact by every write
that adds mentions or moves them between incidents, and rebuilt from the mentions on demand.

The chart, the incident page's figures and the spike rule read :class:`MentionCount` instead of
counting the mentions (140,000 rows a day for a busy incident). So the table must never drift:

- ingestion (monitoring.mentions, which the API, the CSV import and the demo go through) adds the
  mentions it stored in the same statement on PostgreSQL (a data-modifying WITH) and the same
  transaction on SQLite, grouped in SQL, one upsert per batch;
- linking and unlinking (monitoring.mentions.link_mentions, unlink_mentions) move the counts of
  the moved mentions with one upsert, before updating them, in their transaction. Dismissing and
  restoring change no incident: the inbox's counts hold its dismissed mentions too, as the spike
  rule counts them;
- anything else writing mentions in bulk (bench/build.py) calls :func:`recount` afterwards.

Every upsert takes its rows in the unique index's order (hour, incident, label), so concurrent
batches and moves lock them in one order and never deadlock.
"""

from datetime import UTC, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from monitoring.models import Mention, MentionCount

_COUNTS = MentionCount._meta.db_table
_MENTIONS = Mention._meta.db_table
_COLUMNS = "incident_id, hour, sentiment_label, n"
# The conflict target: the unique constraint mentioncount_unique_hour, word for word.
UPSERT = (
    "ON CONFLICT (hour, COALESCE(incident_id, 0), sentiment_label) "
    f"DO UPDATE SET n = {_COUNTS}.n + excluded.n"
)
ORDER = "ORDER BY hour, COALESCE(incident_id, 0), sentiment_label"
# Ids bound in one statement at most (SQLite's limit of parameters is 32,766).
CHUNK = 2000


def chart_hours(now, hours):
    """The starts of the last ``hours`` UTC clock hours, the current one last (the hours the
    counts are kept by): the incident page's chart of mentions per hour."""
    last = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return [last - timedelta(hours=hours - 1 - n) for n in range(hours)]


def hour_sql(vendor, column="posted_at"):
    """SQL for the start of the UTC hour of ``column``, as the counts store it. On SQLite the
    stored UTC text's first 13 characters ("YYYY-MM-DD HH"), which is how Django writes and
    compares an hour there."""
    if vendor == "postgresql":
        return f"date_trunc('hour', {column}, 'UTC')"
    return f"substr({column}, 1, 13) || ':00:00'"


def postgresql_ingest_sql(insert_returning):
    """The ingestion's statement on PostgreSQL: ``insert_returning`` (an INSERT of mentions ...
    RETURNING incident_id, posted_at, sentiment_label) and the upsert of the counts of what it
    stored, as one statement, so that a batch and its counts commit together. Its one row is
    how many mentions were stored."""
    return (
        f"WITH created AS ({insert_returning}), "
        f"counted AS (INSERT INTO {_COUNTS} ({_COLUMNS}) "
        f"SELECT incident_id, {hour_sql('postgresql')} AS hour, sentiment_label, count(*) "
        f"FROM created GROUP BY 1, 2, 3 {ORDER} {UPSERT}) "
        "SELECT count(*) FROM created"
    )


def add_stored(cursor, ids):
    """Count the mentions ``ids`` just stored (SQLite's ingestion, in its transaction): one
    grouped upsert per CHUNK ids."""
    for first in range(0, len(ids), CHUNK):
        chunk = ids[first : first + CHUNK]
        cursor.execute(
            f"INSERT INTO {_COUNTS} ({_COLUMNS}) "
            f"SELECT incident_id, {hour_sql(cursor.db.vendor)} AS hour, sentiment_label, count(*) "
            f"FROM {_MENTIONS} WHERE id IN ({', '.join(['%s'] * len(chunk))}) "
            f"GROUP BY 1, 2, 3 {ORDER} {UPSERT}",
            chunk,
        )


def move(ids, incident_id, *, using=DEFAULT_DB_ALIAS):
    """Move the counts of the mentions ``ids`` from the incidents (or the inbox) they belong to
    now to ``incident_id`` (None: the inbox). Call it in the transaction that moves them, before
    it does: one upsert per CHUNK ids, taking from each mention's present incident and adding to
    the new one. No mention of ``ids`` may already be at ``incident_id``."""
    connection = connections[using]
    hour = hour_sql(connection.vendor)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for first in range(0, len(ids), CHUNK):
            chunk = list(ids[first : first + CHUNK])
            inside = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {_COUNTS} ({_COLUMNS}) SELECT * FROM ("
                f"SELECT incident_id, {hour} AS hour, sentiment_label, -count(*) AS n "
                f"FROM {_MENTIONS} WHERE id IN ({inside}) GROUP BY 1, 2, 3 "
                "UNION ALL "
                f"SELECT CAST(%s AS bigint), {hour}, sentiment_label, count(*) "
                f"FROM {_MENTIONS} WHERE id IN ({inside}) GROUP BY 1, 2, 3"
                f") AS moved WHERE true {ORDER} {UPSERT}",
                [*chunk, incident_id, *chunk],
            )


def _fresh_sql(vendor):
    return (
        f"SELECT incident_id, {hour_sql(vendor)} AS hour, sentiment_label, count(*) "
        f"FROM {_MENTIONS} GROUP BY 1, 2, 3"
    )


def recount(using=DEFAULT_DB_ALIAS):
    """Rebuild every count from the mentions (the data migration, ``manage.py recount_mentions``,
    and whatever wrote mentions without going through monitoring.mentions). Reads all the
    mentions once. On PostgreSQL the counts are locked for the while, so a batch stored
    meanwhile is counted once: by the rebuild, or by its own upsert after it. Returns how many
    rows the counts now have."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_COUNTS} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {_COUNTS}")
        cursor.execute(f"INSERT INTO {_COUNTS} ({_COLUMNS}) {_fresh_sql(connection.vendor)}")
        return cursor.rowcount


def discrepancies(using=DEFAULT_DB_ALIAS):
    """Where the counts differ from the mentions: ``[(incident id, hour, label, counted,
    actual)]``, empty when they are exact (rows at 0 are the same as no row). Reads all the
    mentions once."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_fresh_sql(connection.vendor))
        actual = {_key(row): row[3] for row in cursor.fetchall()}
    counted = {
        _key(row): row[3]
        for row in MentionCount.objects.using(using)
        .exclude(n=0)
        .values_list("incident_id", "hour", "sentiment_label", "n")
    }
    return sorted(
        (*key, counted.get(key, 0), actual.get(key, 0))
        for key in counted.keys() | actual.keys()
        if counted.get(key, 0) != actual.get(key, 0)
    )


def _key(row):
    """(incident id or 0, hour as "YYYY-MM-DD HH", label): the same hour read as text on SQLite
    by the raw query and as a datetime by the ORM."""
    incident_id, hour, label = row[:3]
    text = hour[:13] if isinstance(hour, str) else hour.strftime("%Y-%m-%d %H")
    return (incident_id or 0, text, label)
