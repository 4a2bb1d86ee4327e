"""A million mentions for the bench database, written by the database itself."""

from django.db import connection, transaction
from django.utils import timezone

from bench.build import PLATFORMS

# Mentions: a million rows through the ORM would take an hour; one INSERT ... SELECT over a
# generated series (PostgreSQL's generate_series, SQLite's recursive CTE) writes them in the
# database itself, in a minute or so. Row n is posted MENTION_DAYS * (1 - n / count) ago, so the
# newest rows have the highest ids, as they arrive; sentiment, platform and reach cycle.
MENTION_DAYS = 7
MENTION_COLUMNS = (
    "platform, external_id, url, author, text, posted_at, sentiment_score, sentiment_label, "
    "reach, incident_id, received_at, source, linked_at"
)


def mentions(count, incident, *, inbox=0, now=None, log=print):
    """Write ``count`` mentions linked to ``incident`` (linked on arrival by its terms) and
    ``inbox`` more linked to none, spread over the last MENTION_DAYS days, then their counts
    (written around the ingestion, so rebuilt as monitoring.counts does)."""
    from monitoring import counts

    now = now or timezone.now()
    for what, rows, incident_id, prefix in [
        ("linked", count, incident.pk, "busy"),
        ("inbox", inbox, None, "inbox"),
    ]:
        if not rows:
            continue
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _mentions_postgresql(cursor, rows, incident_id, prefix, now)
            else:
                _mentions_sqlite(cursor, rows, incident_id, prefix, now)
        log(f"  {rows:,} mentions ({what})")
    log(f"  {counts.recount():,} rows of mention counts")


def _mentions_postgresql(cursor, rows, incident_id, prefix, now):
    platforms = "ARRAY[" + ", ".join(f"'{p}'" for p in PLATFORMS) + "]"
    seconds = MENTION_DAYS * 86400
    linked_at = "t.at" if incident_id is not None else "NULL"
    cursor.execute(
        f"""
        INSERT INTO incidents_mention ({MENTION_COLUMNS})
        SELECT ({platforms})[1 + n %% {len(PLATFORMS)}], %(prefix)s || '-' || n,
               'https://example.com/post/' || n, 'author' || (n %% 5000),
               'Parcel late again, still waiting #delivery (' || n || ')',
               t.at, ((n %% 201) - 100) / 100.0,
               (ARRAY['negative', 'neutral', 'positive'])[1 + n %% 3],
               (n * 7919) %% 250000, %(incident)s::bigint, t.at, 'bench', {linked_at}
        FROM generate_series(1::bigint, %(rows)s) AS n,
             LATERAL (SELECT %(now)s::timestamptz
                      - make_interval(secs => %(seconds)s * (1 - n::float8 / %(rows)s))) AS t(at)
        """,
        {"prefix": prefix, "incident": incident_id, "rows": rows, "now": now, "seconds": seconds},
    )


def _mentions_sqlite(cursor, rows, incident_id, prefix, now):
    # Django stores SQLite datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'; whole seconds
    # keep the text comparable with the app's own parameters.
    platforms = "CASE n %% 8 " + " ".join(f"WHEN {i} THEN '{p}'" for i, p in enumerate(PLATFORMS))
    seconds = MENTION_DAYS * 86400
    linked_at = "at" if incident_id is not None else "NULL"
    cursor.execute(
        f"""
        INSERT INTO incidents_mention ({MENTION_COLUMNS})
        WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s),
        t(n, at) AS (
            SELECT n, datetime(%s, '-' || CAST(%s * (1 - n * 1.0 / %s) AS INTEGER) || ' seconds')
            FROM s
        )
        SELECT {platforms} END, %s || '-' || n, 'https://example.com/post/' || n,
               'author' || (n %% 5000),
               'Parcel late again, still waiting #delivery (' || n || ')',
               at, ((n %% 201) - 100) / 100.0,
               CASE n %% 3 WHEN 0 THEN 'negative' WHEN 1 THEN 'neutral' ELSE 'positive' END,
               (n * 7919) %% 250000, %s, at, 'bench', {linked_at}
        FROM t
        """,
        [rows, now.strftime("%Y-%m-%d %H:%M:%S"), seconds, rows, prefix, incident_id],
    )
