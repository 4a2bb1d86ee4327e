"""seed_demo: the demo desk (users, incidents over the last weeks, the last day's mentions).

The data lives in :mod:`demo.data`, the story that tells it in :mod:`demo.story`.
"""

import secrets

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings
from django.utils import timezone

from crisis.outbound import EventKind
from crisis.outbound.models import ChatChannel, Delivery
from crisis.roles import ADMIN, ROLE_PERMISSIONS, VIEWER, sync_roles
from demo import chains, inquiries, story
from demo.conversation import demo_mentions
from demo.data.incidents import DEMO_INCIDENTS, DEMO_USERS
from demo.data.mentions import MENTION_SOURCE
from incidents.models import Incident
from monitoring.mentions import ingest_mentions

DEMO_REFUSAL = "Seeded by the demo: its people are made up, so nothing is sent."


def _demo_readers(incidents, now):
    """A few confirmed mail subscribers (example.com, which takes no mail) on each public page
    made now and on the status page, so the incident page's counts show something."""
    from subscriptions.models import Subscription

    pages = [i for i in incidents if i.is_public_page_open and not i.is_drill]
    for incident in [None, *pages]:
        for n in (1, 2):
            Subscription.objects.get_or_create(
                email=f"reader{n}@example.com", incident=incident, defaults={"confirmed_at": now}
            )


def _example_chat_channel():
    """An example Slack channel for the admin's page, inactive and pointing at a reserved name
    (.invalid never resolves): the demo connects nothing outside."""
    ChatChannel.objects.get_or_create(
        name="Example: comms team on Slack",
        defaults={
            "kind": ChatChannel.Kind.SLACK,
            "url": "https://hooks.example.invalid/services/demo",
            "events": [
                EventKind.INCIDENT_DECLARED,
                EventKind.REVIEW_REQUESTED,
                EventKind.PUBLISHED,
                EventKind.UPDATE_PUBLISHED,
                EventKind.ACKNOWLEDGEMENT_DUE,
                EventKind.UPDATE_DUE,
            ],
            "severities": ["1", "2"],
            "is_active": False,
        },
    )


class Command(BaseCommand):
    help = (
        "Create demo users, a handful of realistic incidents spread over the last weeks (one "
        "closed with its post-mortem) and the last day's mentions. Safe to run again: it adds "
        "only what is missing and keeps the users' passwords."
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
        # The same goes for the outbox: what the story raised is refused (visibly, in the admin)
        # once the seeding has committed and its events are recorded, so no worker mails them.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            before = Delivery.objects.aggregate(last=Max("pk"))["last"] or 0
            self._seed(options)
            Delivery.objects.filter(pk__gt=before).refuse(DEMO_REFUSAL)

    @transaction.atomic
    def _seed(self, options):
        sync_roles(apps, ROLE_PERMISSIONS)
        _example_chat_channel()
        password = options["password"] or secrets.token_urlsafe(9)
        users, given_password = self._users(password, reset=options["reset_passwords"])

        story.brand()
        # A chain already on the desk is followed by the stories' approvals (story.approve_through).
        chains.join_groups(users)
        statements = plans = 0
        now = timezone.now()
        created = []
        for spec in DEMO_INCIDENTS:
            if Incident.objects.filter(title=spec["title"]).exists():
                continue
            incident = story.tell(spec, users, now)
            statements += incident.statements.count()
            plans += incident.plan_applications.count()
            created.append(incident)
        _demo_readers(created, now)
        lines = story.write_lines(users, now)
        variants = story.write_variants(users)
        logged = inquiries.log_inquiry(users, now)
        # After the stories: their statements were approved the way they were told (one
        # manager); the chain applies from now on.
        chains.seed_chain(users, now)
        # The conversation of the incidents made now (their clocks start with this run), and the
        # inbox, whose fixed ids the ingestion stores once however often the command runs.
        mentions = ingest_mentions(demo_mentions(created, now), source=MENTION_SOURCE, now=now)
        # After the mentions: a rumour is dated and measured by those it was seen in.
        rumours = story.write_rumours(users)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(created)} new incidents)."))
        self.stdout.write(f"Statements: {statements} new.")
        self.stdout.write(f"Plan templates applied: {plans}.")
        self.stdout.write(f"Mentions: {mentions.created} new.")
        self.stdout.write(f"Approved lines: {lines} new.")
        self.stdout.write(f"Variants for audiences: {variants} new.")
        self.stdout.write(f"Media inquiries: {logged} new.")
        self.stdout.write(f"Rumours: {rumours} new.")
        self.stdout.write("Sign in with any of these users:")
        for username, first, last, group_name, is_staff in DEMO_USERS:
            role = group_name or (f"{ADMIN} (staff)" if is_staff else VIEWER)
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
