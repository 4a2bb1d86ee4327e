import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from crisis.roles import COMMS, MANAGERS, ROLE_PERMISSIONS, sync_roles
from incidents.models import AffectedParty, Incident

DEMO_USERS = [
    # username, first name, last name, group, is_staff
    ("comms", "Chloe", "Martin", COMMS, False),
    ("manager", "Marcus", "Reed", MANAGERS, False),
    ("viewer", "Vera", "Lind", None, False),
    ("admin", "Ada", "Okafor", None, True),
]

Status = Incident.Status

# Each demo incident: its fields, its story and who was affected, oldest first so that the
# references follow the order of declaration. The story is told in times: when the first signal
# came (``detected_ago``, before the command runs), then each step after the declaration. Two
# open incidents are still waiting for their first public acknowledgement past the default
# targets (critical 30 min, major 1 h), so the desk's clocks have something to say.
DEMO_INCIDENTS = [
    {
        "title": "Drill: customer data exposed in a shared spreadsheet",
        "summary": "A practice run of the data-breach playbook.",
        "category": Incident.Category.DATA_BREACH,
        "severity": Incident.Severity.CRITICAL,
        "platforms": ["x", "linkedin"],
        "tracking_terms": "data leak",
        "is_drill": True,
        "detected_ago": timedelta(days=35, hours=3),
        "declared_after": timedelta(minutes=12),
        "moves": [
            (timedelta(minutes=25), "respond"),
            (timedelta(hours=6), "monitor"),
            (timedelta(days=1, hours=2), "resolve"),
        ],
        "parties": [
            (
                "regulators",
                "Data protection authority",
                None,
                "Must be told within 72 hours.",
                "contacted",
                "Online breach form",
            ),
        ],
    },
    {
        "title": "Rumour of a recall that never happened",
        "summary": "A forum post claimed a product recall. Checked with quality: no recall.",
        "category": Incident.Category.MISINFORMATION,
        "severity": Incident.Severity.MINOR,
        "platforms": ["reddit"],
        "tracking_terms": "recall",
        "detected_ago": timedelta(days=16, hours=5),
        "declared_after": timedelta(hours=2),
        "moves": [(timedelta(hours=5), "cancel")],
        "parties": [],
    },
    {
        "title": "Checkout outage during the autumn sale",
        "summary": "Payments failed for two hours. Fixed by rolling back the release.",
        "category": Incident.Category.SERVICE_FAILURE,
        "severity": Incident.Severity.MAJOR,
        "platforms": ["x", "reddit"],
        "tracking_terms": "checkout down, payment failed",
        "detected_ago": timedelta(days=9, hours=4),
        "declared_after": timedelta(minutes=10),
        "moves": [(timedelta(minutes=15), "respond"), (timedelta(hours=4), "resolve")],
        "parties": [
            (
                "customers",
                "Shoppers whose payment failed",
                1200,
                "Could not buy at sale prices.",
                "resolved",
                "Discount code by email",
            ),
            ("partners", "Payment provider", None, "", "contacted", "Account manager call"),
        ],
    },
    {
        "title": "Employee's offensive post shared from a brand account",
        "summary": "A personal post was published from the corporate LinkedIn page by mistake "
        "and stayed up for 40 minutes.",
        "category": Incident.Category.INAPPROPRIATE_CONTENT,
        "severity": Incident.Severity.MODERATE,
        "platforms": ["linkedin"],
        "tracking_terms": "",
        "detected_ago": timedelta(days=2, hours=6),
        "declared_after": timedelta(minutes=15),
        "moves": [(timedelta(minutes=30), "respond"), (timedelta(hours=5), "monitor")],
        "parties": [
            (
                "employees",
                "Staff named in the replies",
                12,
                "Harassed in the comments.",
                "responded",
                "Meeting with HR",
            ),
        ],
    },
    {
        "title": "Delivery delays spark a storm of angry replies",
        "summary": "A warehouse outage delayed about 4,000 orders. Customers are replying to every "
        "brand post on X and Instagram, and the #WhereIsMyOrder hashtag is trending locally.",
        "category": Incident.Category.NEGATIVE_COMMENTS,
        "severity": Incident.Severity.MAJOR,
        "platforms": ["x", "instagram", "facebook"],
        "tracking_terms": "#WhereIsMyOrder, late delivery, order delayed",
        "detected_ago": timedelta(hours=3, minutes=10),
        "declared_after": timedelta(minutes=20),
        "moves": [(timedelta(minutes=50), "respond")],
        "parties": [
            (
                "customers",
                "Customers with orders placed 18–20 November",
                4000,
                "Orders arrive three to five days late.",
                "contacted",
                "Email to every customer",
            ),
        ],
    },
    {
        "title": "Fake giveaway account impersonating the brand",
        "summary": "An account using our logo promises free products in exchange for card "
        "details. Several followers have asked whether it is real.",
        "category": Incident.Category.MISINFORMATION,
        "severity": Incident.Severity.CRITICAL,
        "platforms": ["instagram", "tiktok"],
        "tracking_terms": "giveaway, free gift card",
        "detected_ago": timedelta(minutes=55),
        "declared_after": timedelta(minutes=10),
        "moves": [],
        "parties": [
            (
                "community",
                "Followers who replied to the fake account",
                None,
                "At risk of handing card details to fraudsters.",
                "not_contacted",
                "",
            ),
        ],
    },
]
# Parties are recorded (and, when reached, contacted) this long after the declaration.
PARTY_AFTER = timedelta(minutes=20)

# Statements on some demo incidents, in the states a reviewer meets: incident title -> list of
# (kind, body, target platforms, status to reach, drafted this long after the declaration).
# Each then moves on at STATEMENT_STEPS. The checkout outage's public page is opened.
DEMO_STATEMENTS = {
    "Checkout outage during the autumn sale": [
        (
            "holding",
            "Some of you cannot pay at checkout right now. We are on it and will update you "
            "here within the hour.",
            ["x", "reddit"],
            "published",
            timedelta(minutes=8),
        ),
        (
            "apology",
            "Checkout works again. Payments failed for two hours during our sale, and we are "
            "sorry. Everyone affected gets the sale price with a discount code by email today.",
            ["x", "reddit"],
            "published",
            timedelta(hours=2, minutes=30),
        ),
    ],
    "Employee's offensive post shared from a brand account": [
        (
            "apology",
            "A post that does not reflect our values appeared on this page for 40 minutes. It "
            "was a mistake, it is gone, and we apologise to everyone it hurt.",
            ["linkedin"],
            "published",
            timedelta(minutes=40),
        ),
    ],
    # Written from the comment-storm playbook's draft (see DEMO_PLANS).
    "Delivery delays spark a storm of angry replies": [
        (
            "holding",
            "We know many orders are late and we are sorry. A warehouse fault delayed them; "
            "every order will ship this week. Next update here by 18:00.",
            ["x", "instagram", "facebook"],
            "in_review",
            timedelta(hours=1),
        ),
    ],
    "Fake giveaway account impersonating the brand": [
        (
            "acknowledgement",
            "An account pretending to be us is promising free gifts. It is not ours: we never "
            "ask for card details. Please report it and do not reply.",
            ["instagram", "tiktok"],
            "draft",
            timedelta(minutes=15),
        ),
    ],
}
# How long after its drafting a demo statement was submitted, approved and published.
STATEMENT_STEPS = {
    "in_review": timedelta(minutes=10),
    "approved": timedelta(minutes=22),
    "published": timedelta(minutes=27),
}
PUBLIC_DEMO_PAGE = "Checkout outage during the autumn sale"

# Plan templates applied on demo incidents (the playbook of the incident's category, loaded by
# the migrations): incident title -> (applied this long after the declaration, the status its
# draft holding statement reaches, how many of its items are done and when). A holding statement
# of DEMO_STATEMENTS on the same incident is written over the playbook's draft.
DEMO_PLANS = {
    "Drill: customer data exposed in a shared spreadsheet": (
        timedelta(minutes=3),
        "published",
        (None, timedelta(hours=20)),
    ),
    "Delivery delays spark a storm of angry replies": (
        timedelta(minutes=5),
        "draft",
        (1, timedelta(minutes=25)),
    ),
}

# Progress updates on demo incidents: incident title -> list of (posted this long after the
# declaration, "internal" or "public", text, for a public one: how long before the seeding moment
# its promise of the next update falls due (negative: overdue), or None for an internal one).
# Public ones are drafted by Comms and published by the manager ten minutes later.
DEMO_UPDATES = {
    "Employee's offensive post shared from a brand account": [
        (
            timedelta(hours=3),
            "internal",
            "HR met the employee; the post was a personal one sent from the wrong account.",
            None,
        ),
        (
            timedelta(days=2),
            "public",
            "We have reviewed who can post on this page and added a second check before "
            "anything is published. We will share what else we change here.",
            timedelta(hours=2, minutes=20),
        ),
    ],
    "Delivery delays spark a storm of angry replies": [
        (
            timedelta(minutes=35),
            "internal",
            "Warehouse says the sorter is fixed; backlog cleared by Thursday. Support has the "
            "approved lines.",
            None,
        ),
    ],
}
PUBLISH_AFTER_DRAFT = timedelta(minutes=10)

MOVE_REASONS = {
    "respond": "Facts gathered; response under way",
    "monitor": "Calmer now; watching the conversation",
    "resolve": "Cause fixed and audience informed",
    "cancel": "No recall exists: confirmed with the quality team",
}


class Command(BaseCommand):
    help = (
        "Create demo users and a handful of realistic incidents spread over the last weeks. "
        "Safe to run again: it adds only what is missing and keeps the users' passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo users it creates (with --reset-passwords, for all of "
            "them). Default: a new random one, printed.",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the demo users that already exist a new password too.",
        )

    def handle(self, *args, **options):
        # The demo people are made up: the statement workflow's mail would only fill the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed(options)

    @transaction.atomic
    def _seed(self, options):
        sync_roles(_apps(), ROLE_PERMISSIONS)
        password = options["password"] or secrets.token_urlsafe(9)
        users, given_password = self._users(password, reset=options["reset_passwords"])

        created = statements = plans = 0
        now = timezone.now()
        for spec in DEMO_INCIDENTS:
            if Incident.objects.filter(title=spec["title"]).exists():
                continue
            incident = self._create(spec, users, now)
            statements += incident.statements.count()
            plans += incident.plan_applications.count()
            created += 1

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new incidents)."))
        self.stdout.write(f"Statements: {statements} new.")
        self.stdout.write(f"Plan templates applied: {plans}.")
        self.stdout.write("Sign in with any of these users:")
        for username, first, last, group_name, is_staff in DEMO_USERS:
            role = group_name or ("Admin (staff)" if is_staff else "Viewer")
            self.stdout.write(f"  {username:<8} {first} {last}, {role}")
        kept = [name for name, *_ in DEMO_USERS if name not in given_password]
        if given_password:
            who = "" if not kept else f" (for {', '.join(given_password)})"
            self.stdout.write(f"  password{who}: {password}")
        if kept:
            self.stdout.write(
                f"Passwords kept for {', '.join(kept)}: run with --reset-passwords to set new ones."
            )

    def _users(self, password, *, reset):
        """The demo users, created when missing. Only new users (or all, with ``reset``) get
        ``password``; the rest stay exactly as they are. Returns (users, names given it)."""
        users, given_password = {}, []
        for username, first, last, group_name, is_staff in DEMO_USERS:
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                    "is_staff": is_staff,
                    "is_superuser": is_staff,
                },
            )
            if created or reset:
                user.set_password(password)
                user.save(update_fields=["password"])
                given_password.append(username)
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            users[username] = user
        return users, given_password

    def _create(self, spec, users, now):
        """Tell one incident's story at the times it happened; return the incident.

        The steps run in time order with the clock set to each step's moment, so every
        timestamp, reference and history row reads as if the desk had lived through it.
        """
        comms, manager = users["comms"], users["manager"]
        detected_at = now - spec["detected_ago"]
        declared_at = detected_at + spec["declared_after"]
        fields = {
            name: spec[name]
            for name in ("title", "summary", "category", "severity", "platforms", "tracking_terms")
        }
        fields["is_drill"] = spec.get("is_drill", False)
        with _clock_at(declared_at):
            incident = Incident.declare(by=comms, lead=comms, detected_at=detected_at, **fields)

        steps = []
        for party in spec["parties"]:
            steps.append(
                (declared_at + PARTY_AFTER, lambda party=party: _add_party(incident, comms, *party))
            )
        for after, action in spec["moves"]:
            actor = manager if action in ("cancel", "resolve") else comms
            steps.append(
                (
                    declared_at + after,
                    lambda action=action, actor=actor: incident.move(
                        action, by=actor, reason=MOVE_REASONS[action]
                    ),
                )
            )
        # What the playbook made, for the statement steps that write over its draft.
        made = {}
        if spec["title"] in DEMO_PLANS:
            steps += _plan_steps(
                incident, declared_at, comms, manager, made, *DEMO_PLANS[spec["title"]]
            )
        for kind, body, platforms, status, after in DEMO_STATEMENTS.get(spec["title"], []):
            steps += _statement_steps(
                incident, declared_at + after, comms, manager, kind, body, platforms, status, made
            )
        for after, kind, body, promise in DEMO_UPDATES.get(spec["title"], []):
            steps += _update_steps(
                incident, declared_at + after, now, comms, manager, kind, body, promise
            )
        for at, step in sorted(steps, key=lambda step: step[0]):
            with _clock_at(at):
                step()
        return incident


def _add_party(incident, by, kind, description, count, impact, outreach, channel):
    party = AffectedParty(
        incident=incident,
        kind=kind,
        description=description,
        estimated_count=count,
        impact=impact,
        outreach_status=outreach,
        outreach_channel=channel,
        # Reached out to when recorded: the demo's clock stands at that moment.
        outreach_at=None if outreach == "not_contacted" else timezone.now(),
    )
    party.add(by=by)


def _plan_steps(incident, declared_at, comms, manager, plan, after, status, done):
    """Apply the playbook of the incident's category, walk its draft holding statement to
    ``status`` and complete ``done`` = (how many items or None for all, when), as (time, step)
    pairs. Nothing when no active template fits (an admin retired them all)."""
    from responses import plans
    from responses.models import PlanTemplate

    templates = PlanTemplate.objects.for_category(incident.category).order_by("category", "name")
    # The playbook written for the category before a general one.
    template = max(templates, key=lambda t: not t.is_general, default=None)
    if template is None:
        return []
    applied_at = declared_at + after
    count, done_after = done

    def apply():
        applied = plans.apply_template(template, incident, comms)
        plan["statement"], plan["items"] = applied.statement, applied.items

    def complete():
        for item in plan["items"][:count]:
            item.complete(by=comms)

    steps = [(applied_at, apply), (declared_at + done_after, complete)]
    if template.holding_statement.strip():
        steps += _walk(lambda: plan["statement"], applied_at, comms, manager, status, incident)
    return steps


def _statement_steps(incident, drafted_at, comms, manager, kind, body, platforms, status, plan):
    """The steps of one demo statement, from its draft to ``status``, as (time, step) pairs. A
    holding statement is written over the playbook's draft when there is one."""
    from responses.models import Statement

    made = {}

    def draft():
        playbook_draft = plan.pop("statement", None) if kind == "holding" else None
        if playbook_draft is None:
            made["statement"] = Statement.draft(
                incident=incident,
                by=comms,
                kind=kind,
                body=body,
                target_platforms=platforms,
            )
            return
        playbook_draft.body, playbook_draft.target_platforms = body, platforms
        playbook_draft.save_wording(
            by=comms,
            expected_version=playbook_draft.version,
            fields=["body", "target_platforms"],
        )
        made["statement"] = playbook_draft

    return [(drafted_at, draft)] + _walk(
        lambda: made["statement"], drafted_at, comms, manager, status, incident
    )


def _walk(statement, drafted_at, comms, manager, status, incident):
    """The steps that take ``statement()`` from Draft to ``status``, as (time, step) pairs."""

    def publish():
        statement().publish(by=manager)
        if incident.title == PUBLIC_DEMO_PAGE and not incident.is_public_page_open:
            incident.open_public_page(by=manager)

    steps = []
    order = ["in_review", "approved", "published"]
    actions = {
        "in_review": lambda: statement().submit(by=comms),
        "approved": lambda: statement().approve(by=manager, comment="Clear and kind. Go."),
        "published": publish,
    }
    if status in order:
        for reached in order[: order.index(status) + 1]:
            steps.append((drafted_at + STATEMENT_STEPS[reached], actions[reached]))
    return steps


def _update_steps(incident, posted_at, now, comms, manager, kind, body, promise):
    """The steps of one demo progress update: posted to the log, or drafted and published."""
    from responses.models import ProgressUpdate

    if kind == "internal":
        return [
            (
                posted_at,
                lambda: ProgressUpdate.post_internal(incident=incident, by=comms, body=body),
            )
        ]
    made = {}
    next_update_at = now + promise

    def draft():
        made["update"] = ProgressUpdate.draft_public(
            incident=incident, by=comms, body=body, next_update_at=next_update_at
        )

    def publish():
        made["update"].publish(by=manager)

    return [(posted_at, draft), (posted_at + PUBLISH_AFTER_DRAFT, publish)]


@contextmanager
def _clock_at(moment):
    """Run the block as if it were ``moment``.

    Django's ``timezone.now()`` (which the verbs, the field defaults such as ``created_at`` and
    django-simple-history's ``history_date`` all read) asks ``datetime.now()`` from inside
    ``django.utils.timezone``; answering it there dates everything the demo creates, without a
    time-travel library at run time.
    """

    class DemoClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)

    with mock.patch.object(timezone, "datetime", DemoClock):
        yield


def _apps():
    from django.apps import apps

    return apps
