"""Fill an empty, migrated database with years of incidents, fast: rows and their history rows
are written with ``bulk_create`` in batches, never through the lifecycle verbs (which would take
hours at 100,000 incidents). The data is plausible rather than exact: the shares of statuses and
severities of a desk that has worked for years, a few open incidents, and one busy incident whose
timeline holds 200 events and one statement with 30 versions.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from incidents.models import AffectedParty, Incident, ReferenceCounter
from responses.models import ActionItem, ProgressUpdate, Statement

BATCH = 2000
# Shares of the closed-out years (the open ones are set apart by count).
SEVERITY_SHARES = [(1, 0.05), (2, 0.15), (3, 0.45), (4, 0.35)]
FINISHED_SHARES = [("closed", 0.8), ("resolved", 0.1), ("cancelled", 0.1)]
# ...but of the last weeks' ended incidents most are resolved, their post-mortem still to come
# (a desk closes an incident weeks after resolving it): the newest ended ones are resolved, the
# older closed, so that no status stands for "recently ended".
RECENT_DAYS = 42
RECENT_FINISHED_SHARES = [("resolved", 0.7), ("closed", 0.2), ("cancelled", 0.1)]
OPEN_STATUSES = ["triage", "responding", "monitoring"]
WORDS = [
    "delivery",
    "delay",
    "outage",
    "checkout",
    "app",
    "login",
    "payment",
    "invoice",
    "driver",
    "store",
    "price",
    "recall",
    "influencer",
    "video",
    "rumour",
    "leak",
    "billing",
    "update",
    "warehouse",
    "courier",
    "order",
    "account",
    "password",
    "support",
    "chat",
    "advert",
    "campaign",
    "sponsor",
    "giveaway",
    "survey",
    "shipping",
    "return",
    "voucher",
    "loyalty",
]
PLATFORMS = ["x", "facebook", "instagram", "linkedin", "tiktok", "youtube", "reddit", "threads"]


def _pick(shares, rnd):
    x, total = rnd.random(), 0
    for value, share in shares:
        total += share
        if x < total:
            return value
    return shares[-1][0]


def _history(model, obj, *, at, user_id, reason, kind="+", **changes):
    """One history row of ``obj`` as simple-history would write it, with ``changes`` applied."""
    Historical = model.history.model
    recorded = {f.attname for f in Historical._meta.concrete_fields}
    values = {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if f.attname in recorded  # not the fields its history leaves out
    }
    values.update(changes)
    return Historical(
        **values,
        history_date=at,
        history_type=kind,
        history_user_id=user_id,
        history_change_reason=reason,
    )


def _users():
    User = get_user_model()
    comms_group = Group.objects.get(name="Comms")
    managers_group = Group.objects.get(name="Managers")
    people = {}
    for name, group in [("comms", comms_group), ("manager", managers_group), ("viewer", None)]:
        user = User.objects.create_user(name, f"{name}@bench.example", "bench-password")
        if group:
            user.groups.add(group)
        people[name] = user
    people["admin"] = User.objects.create_superuser("admin", "admin@bench.example", "bench-pw")
    leads = User.objects.bulk_create(
        User(username=f"lead{n}", first_name=f"Lead {n}", email=f"lead{n}@bench.example")
        for n in range(20)
    )
    comms_group.user_set.add(*leads)
    people["leads"] = [u.pk for u in leads] + [people["comms"].pk, people["manager"].pk]
    return people


def build(*, incidents, open_incidents, years=5, seed=12, log=print):
    """Write ``incidents`` incidents over ``years`` years, ``open_incidents`` of them open, and
    their parties, statements, action items, updates and history. Returns what the benchmark
    needs: the users, the busy incident and the statement with many versions."""
    rnd = random.Random(seed)
    now = timezone.now()
    people = _users()
    leads = people["leads"]
    span = timedelta(days=365 * years).total_seconds()
    # Declared times, oldest first; the newest ``open_incidents`` are the open ones.
    starts = sorted(now - timedelta(seconds=rnd.random() * span) for _ in range(incidents))
    counters = {}
    created = 0
    for first in range(0, incidents, BATCH):
        with transaction.atomic():
            created += _batch(first, incidents, open_incidents, starts, counters, rnd, leads, now)
        if created % 20000 < BATCH:
            log(f"  {created:,} incidents")
    for year, number in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last_number": number})
    busy, long_statement = _busy_incident(people, now)
    return {"people": people, "busy": busy, "statement": long_statement}


def _batch(first, incidents, open_incidents, starts, counters, rnd, leads, now):
    """One batch of incidents, their history and their records; returns how many."""
    if True:
        rows, history = [], []
        for n in range(first, min(first + BATCH, incidents)):
            declared = starts[n]
            year = declared.year
            counters[year] = counters.get(year, 0) + 1
            is_open = n >= incidents - open_incidents
            recent = now - declared < timedelta(days=RECENT_DAYS)
            shares = RECENT_FINISHED_SHARES if recent else FINISHED_SHARES
            status = rnd.choice(OPEN_STATUSES) if is_open else _pick(shares, rnd)
            severity = _pick(SEVERITY_SHARES, rnd)
            words = rnd.sample(WORDS, 4)
            # About one in fifty is about refunds: the search benchmark looks for them.
            if rnd.random() < 0.02:
                words[1] = "refund"
            detected = declared - timedelta(minutes=rnd.randint(1, 600))
            acked = declared + timedelta(minutes=rnd.randint(5, 300))
            resolved = declared + timedelta(hours=rnd.randint(2, 200))
            incident = Incident(
                reference=f"CR-{year}-{counters[year]:03d}",
                title=" ".join(words).capitalize(),
                summary=f"Customers report {words[0]} problems with {words[2]} and {words[3]}.",
                category=rnd.choice(Incident.Category.values),
                severity=severity,
                platforms=rnd.sample(PLATFORMS, rnd.randint(1, 3)),
                lead_id=rnd.choice(leads),
                tracking_terms=f"#{words[0]}, {words[2]}",
                is_drill=rnd.random() < 0.03,
                status=status,
                detected_at=detected,
                declared_at=declared,
                declared_by_id=rnd.choice(leads),
                first_acknowledged_at=None if is_open and rnd.random() < 0.5 else acked,
                resolved_at=resolved if status in ("resolved", "closed") else None,
                closed_at=resolved + timedelta(days=3) if status == "closed" else None,
                cancelled_at=acked if status == "cancelled" else None,
                cancel_reason="A false alarm." if status == "cancelled" else "",
                version=1 if is_open else 3,
            )
            if is_open:
                incident.first_acknowledged_at = min(incident.first_acknowledged_at or now, now)
                incident.resolved_at = None
            # Its one public word is the statement published at the acknowledgement (below).
            incident.public_word_at = incident.first_acknowledged_at
            rows.append(incident)
        Incident.objects.bulk_create(rows)
        for incident in rows:
            user = incident.declared_by_id
            history.append(
                _history(
                    Incident,
                    incident,
                    at=incident.declared_at,
                    user_id=user,
                    reason="Declared",
                    status="triage",
                    first_acknowledged_at=None,
                    resolved_at=None,
                    closed_at=None,
                    cancelled_at=None,
                    cancel_reason="",
                    version=1,
                )
            )
            if incident.status not in OPEN_STATUSES:
                history.append(
                    _history(
                        Incident,
                        incident,
                        at=incident.first_acknowledged_at or incident.declared_at,
                        user_id=user,
                        reason="Start responding",
                        kind="~",
                        status="responding",
                        resolved_at=None,
                        closed_at=None,
                        cancelled_at=None,
                        cancel_reason="",
                        version=2,
                    )
                )
                finished_at = incident.closed_at or incident.resolved_at or incident.cancelled_at
                history.append(
                    _history(
                        Incident,
                        incident,
                        at=finished_at,
                        user_id=user,
                        reason=f"{incident.get_status_display()}",
                        kind="~",
                    )
                )
        Incident.history.model.objects.bulk_create(history, batch_size=BATCH)
        _children(rows, rnd, leads)
    return len(rows)


def _children(incidents, rnd, leads):
    """Parties, statements, action items and updates for a batch of incidents, with history."""
    parties, statements, items, updates = [], [], [], []
    for incident in incidents:
        at = incident.declared_at + timedelta(minutes=30)
        if rnd.random() < 0.5:
            parties.append(
                AffectedParty(
                    incident=incident,
                    kind=rnd.choice(AffectedParty.Kind.values),
                    description="Customers in the affected region",
                    estimated_count=rnd.randint(10, 5000),
                    created_at=at,
                )
            )
        if incident.first_acknowledged_at:
            statements.append(
                Statement(
                    incident=incident,
                    body="We know about the problem and are working on it. Next update soon.",
                    target_platforms=incident.platforms,
                    author_id=incident.lead_id,
                    status="published",
                    created_at=at,
                    submitted_at=at,
                    approved_at=at,
                    approved_by_id=leads[0],
                    approved_version=2,
                    published_at=incident.first_acknowledged_at,
                    published_by_id=leads[0],
                    version=3,
                )
            )
        if rnd.random() < 0.2:
            items.append(
                ActionItem(
                    incident=incident,
                    title="Call the courier company",
                    owner_id=incident.lead_id,
                    due_at=at + timedelta(hours=4),
                    status="done" if incident.status not in OPEN_STATUSES else "open",
                    completed_at=at + timedelta(hours=3)
                    if incident.status not in OPEN_STATUSES
                    else None,
                    created_at=at,
                    created_by_id=incident.lead_id,
                )
            )
        if rnd.random() < 0.2:
            updates.append(
                ProgressUpdate(
                    incident=incident,
                    kind="internal",
                    status="posted",
                    body="Courier called; deliveries resume tomorrow.",
                    author_id=incident.lead_id,
                    created_at=at,
                )
            )
    for model, rows, at_field in [
        (AffectedParty, parties, "created_at"),
        (Statement, statements, "created_at"),
        (ActionItem, items, "created_at"),
        (ProgressUpdate, updates, "created_at"),
    ]:
        model.objects.bulk_create(rows, batch_size=BATCH)
        model.history.model.objects.bulk_create(
            (
                _history(model, row, at=getattr(row, at_field), user_id=None, reason="Added")
                for row in rows
            ),
            batch_size=BATCH,
        )


def _busy_incident(people, now):
    """The newest open incident gets 200 timeline events and a statement with 30 versions."""
    comms = people["comms"].pk
    busy = Incident.objects.open().order_by("-declared_at").first()
    # What the audience reads on its public page, as a real desk would have set before its first
    # statement (the statement's publication needs one); the edits below carry it in history.
    busy.public_title = "Late deliveries in the north"
    Incident.objects.filter(pk=busy.pk).update(public_title=busy.public_title)
    start = now - timedelta(hours=20)
    history = []
    for n in range(80):
        busy.summary = f"What we know, take {n}: deliveries in the north are late."
        history.append(
            _history(
                Incident,
                busy,
                at=start + timedelta(minutes=5 * n),
                user_id=comms,
                reason="Edited",
                kind="~",
            )
        )
    Incident.history.model.objects.bulk_create(history)
    with transaction.atomic():
        party = AffectedParty.objects.create(
            incident=busy, kind="customers", description="Customers in the north", created_at=start
        )
        statement = Statement.objects.create(
            incident=busy,
            body="Version 30 of what we say.",
            target_platforms=["x"],
            author_id=comms,
            created_at=start,
            version=30,
        )
        items = ActionItem.objects.bulk_create(
            ActionItem(
                incident=busy,
                title=f"Step {n}",
                owner_id=comms,
                created_at=start,
                created_by_id=comms,
                position=n,
            )
            for n in range(10)
        )
        updates = ProgressUpdate.objects.bulk_create(
            ProgressUpdate(
                incident=busy,
                kind="internal",
                status="posted",
                body=f"Log {n}",
                author_id=comms,
                created_at=start,
            )
            for n in range(10)
        )
    rows = {AffectedParty: [], Statement: [], ActionItem: [], ProgressUpdate: []}
    for n in range(40):
        party.description = f"Customers in the north ({n})"
        rows[AffectedParty].append(
            _history(
                AffectedParty,
                party,
                at=start + timedelta(minutes=7 * n),
                user_id=comms,
                reason="Edited",
                kind="+" if n == 0 else "~",
            )
        )
    for n in range(30):
        statement.body = f"Version {n + 1} of what we say: deliveries in the north are late."
        statement.version = n + 1
        rows[Statement].append(
            _history(
                Statement,
                statement,
                at=start + timedelta(minutes=9 * n),
                user_id=comms,
                reason="Edited",
                kind="+" if n == 0 else "~",
            )
        )
    for n, item in enumerate(items * 3):
        rows[ActionItem].append(
            _history(
                ActionItem,
                item,
                at=start + timedelta(minutes=11 * n),
                user_id=comms,
                reason="Added" if n < 10 else "Edited",
                kind="+" if n < 10 else "~",
                details=f"Note {n}",
            )
        )
    for n, update in enumerate(updates * 2):
        rows[ProgressUpdate].append(
            _history(
                ProgressUpdate,
                update,
                at=start + timedelta(minutes=13 * n),
                user_id=comms,
                reason="Posted" if n < 10 else "Edited",
                kind="+" if n < 10 else "~",
            )
        )
    for model, history_rows in rows.items():
        model.history.model.objects.bulk_create(history_rows)
    return busy, statement


def analyze(*, statistics="fresh"):
    """Fresh planner statistics, as a database that has run for years would have; or, with
    ``statistics="none"`` on SQLite, none, as a store the application made has (nothing runs
    ANALYZE on SQLite, and without its statistics the planner guesses: it read the dashboard's
    "Recently ended" through the status index and sorted every ended incident). PostgreSQL
    gathers its own (autovacuum), so it always has them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        elif statistics == "none":
            cursor.execute("ANALYZE")  # creates the table if missing, to empty it
            cursor.execute("DELETE FROM sqlite_stat1")
        else:
            cursor.execute("ANALYZE")
