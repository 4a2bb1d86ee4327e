import secrets
from datetime import timedelta

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

# Each demo incident: its fields, where it got to in the lifecycle, and who was affected.
DEMO_INCIDENTS = [
    {
        "title": "Delivery delays spark a storm of angry replies",
        "summary": "A warehouse outage delayed about 4,000 orders. Customers are replying to every "
        "brand post on X and Instagram, and the #WhereIsMyOrder hashtag is trending locally.",
        "category": Incident.Category.NEGATIVE_COMMENTS,
        "severity": Incident.Severity.MAJOR,
        "platforms": ["x", "instagram", "facebook"],
        "tracking_terms": "#WhereIsMyOrder, late delivery, order delayed",
        "hours_ago": 3,
        "moves": ["respond"],
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
        "hours_ago": 0.5,
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
    {
        "title": "Employee's offensive post shared from a brand account",
        "summary": "A personal post was published from the corporate LinkedIn page by mistake "
        "and stayed up for 40 minutes.",
        "category": Incident.Category.INAPPROPRIATE_CONTENT,
        "severity": Incident.Severity.MODERATE,
        "platforms": ["linkedin"],
        "tracking_terms": "",
        "hours_ago": 30,
        "moves": ["respond", "monitor"],
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
        "title": "Checkout outage during the autumn sale",
        "summary": "Payments failed for two hours. Fixed by rolling back the release.",
        "category": Incident.Category.SERVICE_FAILURE,
        "severity": Incident.Severity.MAJOR,
        "platforms": ["x", "reddit"],
        "tracking_terms": "checkout down, payment failed",
        "hours_ago": 72,
        "moves": ["respond", "resolve"],
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
        "title": "Rumour of a recall that never happened",
        "summary": "A forum post claimed a product recall. Checked with quality: no recall.",
        "category": Incident.Category.MISINFORMATION,
        "severity": Incident.Severity.MINOR,
        "platforms": ["reddit"],
        "tracking_terms": "recall",
        "hours_ago": 120,
        "moves": ["cancel"],
        "parties": [],
    },
    {
        "title": "Drill: customer data exposed in a shared spreadsheet",
        "summary": "A practice run of the data-breach playbook.",
        "category": Incident.Category.DATA_BREACH,
        "severity": Incident.Severity.CRITICAL,
        "platforms": ["x", "linkedin"],
        "tracking_terms": "data leak",
        "hours_ago": 240,
        "moves": ["respond", "monitor", "resolve"],
        "is_drill": True,
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
]

# Statements on some demo incidents, in the states a reviewer meets: incident title -> list of
# (kind, body, target platforms, status to reach). The first incident's page is opened publicly.
DEMO_STATEMENTS = {
    "Checkout outage during the autumn sale": [
        (
            "holding",
            "Some of you cannot pay at checkout right now. We are on it and will update you "
            "here within the hour.",
            ["x", "reddit"],
            "published",
        ),
        (
            "apology",
            "Checkout works again. Payments failed for two hours during our sale, and we are "
            "sorry. Everyone affected gets the sale price with a discount code by email today.",
            ["x", "reddit"],
            "published",
        ),
    ],
    "Delivery delays spark a storm of angry replies": [
        (
            "holding",
            "We know many orders are late and we are sorry. A warehouse fault delayed them; "
            "every order will ship this week. Next update here by 18:00.",
            ["x", "instagram", "facebook"],
            "in_review",
        ),
    ],
    "Fake giveaway account impersonating the brand": [
        (
            "acknowledgement",
            "An account pretending to be us is promising free gifts. It is not ours: we never "
            "ask for card details. Please report it and do not reply.",
            ["instagram", "tiktok"],
            "draft",
        ),
    ],
}
PUBLIC_DEMO_PAGE = "Checkout outage during the autumn sale"

MOVE_REASONS = {
    "respond": "Facts gathered; response under way",
    "monitor": "Statement out; watching the conversation",
    "resolve": "Cause fixed and audience informed",
    "cancel": "No recall exists: confirmed with the quality team",
}


class Command(BaseCommand):
    help = "Create demo users and a handful of realistic incidents. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for the demo users (default: a new random one, printed).",
        )

    def handle(self, *args, **options):
        # The demo people are made up: the statement workflow's mail would only fill the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed(options)

    @transaction.atomic
    def _seed(self, options):
        sync_roles(_apps(), ROLE_PERMISSIONS)
        password = options["password"] or secrets.token_urlsafe(9)
        users = {}
        for username, first, last, group_name, is_staff in DEMO_USERS:
            user, _ = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                },
            )
            user.is_staff = is_staff
            user.is_superuser = is_staff
            user.set_password(password)
            user.save()
            if group_name:
                user.groups.add(Group.objects.get(name=group_name))
            users[username] = user

        created = 0
        for spec in DEMO_INCIDENTS:
            if Incident.objects.filter(title=spec["title"]).exists():
                continue
            self._create(spec, users)
            created += 1

        statements = self._add_statements(users)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new incidents)."))
        self.stdout.write(f"Statements: {statements} new.")
        self.stdout.write("Sign in with any of these users and the password below:")
        for username, first, last, group_name, is_staff in DEMO_USERS:
            role = group_name or ("Admin (staff)" if is_staff else "Viewer")
            self.stdout.write(f"  {username:<8} {first} {last}, {role}")
        self.stdout.write(f"  password: {password}")

    def _create(self, spec, users):
        comms, manager = users["comms"], users["manager"]
        now = timezone.now()
        incident = Incident.declare(
            by=comms,
            title=spec["title"],
            summary=spec["summary"],
            category=spec["category"],
            severity=spec["severity"],
            platforms=spec["platforms"],
            tracking_terms=spec["tracking_terms"],
            is_drill=spec.get("is_drill", False),
            lead=comms,
            detected_at=now - timedelta(hours=spec["hours_ago"]),
        )
        for kind, description, count, impact, outreach, channel in spec["parties"]:
            party = AffectedParty(
                incident=incident,
                kind=kind,
                description=description,
                estimated_count=count,
                impact=impact,
                outreach_status=outreach,
                outreach_channel=channel,
                outreach_at=None if outreach == "not_contacted" else now,
            )
            party.add(by=comms)
        for action in spec["moves"]:
            actor = manager if action in ("cancel", "resolve") else comms
            incident.move(action, by=actor, reason=MOVE_REASONS[action])

    def _add_statements(self, users):
        """Give each demo incident its statements, unless it has some already."""
        from responses.models import Statement

        comms, manager = users["comms"], users["manager"]
        added = 0
        for title, specs in DEMO_STATEMENTS.items():
            incident = Incident.objects.filter(title=title).first()
            if incident is None or incident.statements.exists():
                continue
            for kind, body, platforms, status in specs:
                statement = Statement.draft(
                    incident=incident, by=comms, kind=kind, body=body, target_platforms=platforms
                )
                if status != "draft":
                    statement.submit(by=comms)
                if status in ("approved", "published"):
                    statement.approve(by=manager, comment="Clear and kind. Go.")
                if status == "published":
                    statement.publish(by=manager)
                added += 1
            if title == PUBLIC_DEMO_PAGE and not incident.is_public_page_open:
                incident.open_public_page(by=manager)
        return added


def _apps():
    from django.apps import apps

    return apps
