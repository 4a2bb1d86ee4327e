import random
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
from incidents.mentions import ingest_mentions
from incidents.models import AffectedParty, Incident, PostMortem, Sentiment

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
    # Closed with its post-mortem: the lesson the comment storm below is reminded of.
    {
        "title": "Delivery fee change sparks a wave of complaints",
        "summary": "An email announced a higher delivery fee without saying why. Customers "
        "complained on X and Facebook for two days, until the change was explained on the "
        "website and in a pinned post.",
        "category": Incident.Category.NEGATIVE_COMMENTS,
        "severity": Incident.Severity.MODERATE,
        "platforms": ["x", "facebook"],
        "tracking_terms": "delivery fee, #FeeHike",
        "detected_ago": timedelta(days=23, hours=2),
        "declared_after": timedelta(minutes=40),
        "moves": [
            (timedelta(hours=1), "respond"),
            (timedelta(hours=20), "monitor"),
            (timedelta(days=2, hours=3), "resolve"),
        ],
        "parties": [],
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
        "tracking_terms": "brand account, LinkedIn post",
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

# Action items written by hand on demo incidents (the playbooks' items come with DEMO_PLANS):
# incident title -> list of (kind, title, owner's username, added this long after the
# declaration, due: this long after the declaration, or ("from now", timedelta) for a due time
# counted from the seeding moment, done this long after the declaration or None for open).
DEMO_ACTION_ITEMS = {
    "Delivery fee change sparks a wave of complaints": [
        (
            "rectify",
            "Reply to the most shared complaints with the reason for the new fee",
            "comms",
            timedelta(hours=1, minutes=10),
            timedelta(hours=6),
            timedelta(hours=5),
        ),
        (
            "rectify",
            "Explain the fee on the delivery help page",
            "comms",
            timedelta(hours=2),
            timedelta(days=1),
            timedelta(hours=20),
        ),
        (
            "prevent",
            "Explain every price or fee change on the website before the email goes out",
            "manager",
            timedelta(days=1),
            timedelta(days=7),
            timedelta(days=3),
        ),
        # Still open when the incident closed (Prevent items do not hold a closing back): the
        # comment storm's page lists it among the prevention still not done.
        (
            "prevent",
            "Prepare support's approved replies and a pinned post before every customer "
            "announcement",
            "manager",
            timedelta(days=1),
            ("from now", timedelta(days=6)),
            None,
        ),
    ],
}

# Post-mortems: incident title -> (drafted by Comms this long after the declaration, submitted
# by the manager, closing the incident, this long after it, the text).
DEMO_POSTMORTEMS = {
    "Delivery fee change sparks a wave of complaints": (
        timedelta(days=3, hours=4),
        timedelta(days=4),
        {
            "summary": "An email announced that the delivery fee rises from 3.95 to 5.95 "
            "without saying why. Complaints on X and Facebook peaked the same evening and went "
            "on for two days, until the fee was explained on the website and in a pinned post.",
            "root_cause": "Logistics decided the change and marketing announced it the same "
            "day. Nobody told support or the social team, so when the email went out there was "
            "no explanation to point to and no approved reply.",
            "impact": "About 900 complaints in two days, 140 cancelled orders that mention the "
            "fee and one article in the local press. No customer data or money was at risk.",
            "went_well": "Support and the social team agreed on one explanation within two "
            "hours of the declaration, and the help page said it the next morning.",
            "went_wrong": "For almost a day we answered complaints one by one, before a pinned "
            "post said it once for everyone. Replies written on the spot disagreed on when the "
            "new fee applied.",
            "lessons_learned": "In a comment storm, publish one pinned statement within the "
            "hour and point every reply to it instead of answering one by one. Give support "
            "the approved lines before the first reply goes out.",
            "follow_up": "Explain every price or fee change on the website before the email "
            "goes out (done). Prepare support's approved replies and a pinned post before every "
            "customer announcement (Marcus Reed).",
        },
    ),
}

# The conversation around the open demo incidents over the last day, as a listening tool sends
# it: incident title -> (a short name for the mentions' ids, waves of (from this many hours ago,
# until this many hours ago, how many mentions, (negative, neutral, positive) weights), texts
# per sentiment). Every text holds one of the incident's tracking terms, so the ingestion links
# it on arrival. The storm peaked three to four hours ago; the fake giveaway is spiking now
# (more than the spike rule's minimum of 50 in the last hour, which the dashboard shows).
DEMO_MENTIONS = {
    "Delivery delays spark a storm of angry replies": (
        "storm",
        [
            (23, 12, 18, (55, 35, 10)),
            (12, 6, 32, (60, 30, 10)),
            (6, 4, 45, (70, 22, 8)),
            (4, 2.5, 70, (80, 15, 5)),
            (2.5, 1, 35, (65, 25, 10)),
            (1, 0, 15, (50, 30, 20)),
        ],
        {
            "negative": [
                "Day four and still nothing. #WhereIsMyOrder",
                "Ordered on the 18th, promised Friday, tracking hasn't moved since. "
                "#WhereIsMyOrder",
                "Another late delivery. The birthday present won't make it. Thanks for nothing.",
                "My order delayed again and not one email to say why.",
                "Third time I've asked support where my parcel is. No answer. #WhereIsMyOrder",
                "Paid for express and got a late delivery. Refund the shipping at least.",
                "Order delayed, chatbot useless, phone line closed. Great weekend.",
                "If your warehouse is down, say so. Silence makes it worse. #WhereIsMyOrder",
                "Cancelled after my order delayed twice. Never again.",
            ],
            "neutral": [
                "Anyone else's order delayed? Mine says 'processing' since Tuesday.",
                "Is there an official update on the late delivery problem? #WhereIsMyOrder",
                "Tracking finally says dispatched. We'll see. #WhereIsMyOrder",
                "Apparently a warehouse fault is behind every late delivery this week.",
            ],
            "positive": [
                "Support just called me about my order delayed by the warehouse and refunded "
                "the shipping. Fair play.",
                "Got an email explaining the late delivery, with a discount. Appreciated. "
                "#WhereIsMyOrder",
                "Parcel arrived this morning! Late, but the note inside was kind. #WhereIsMyOrder",
            ],
        },
    ),
    "Fake giveaway account impersonating the brand": (
        "giveaway",
        [
            (8, 3, 12, (30, 50, 20)),
            (3, 1, 20, (40, 40, 20)),
            (0.97, 0.02, 62, (50, 30, 20)),
        ],
        {
            "negative": [
                "This giveaway account asked for my card number 'to verify'. It's a scam, "
                "report it.",
                "Fell for the fake giveaway and now there's a charge on my card. Furious.",
                "Why is that fake giveaway still up? Reported it twice.",
                "The 'free gift card' messages are a scam. Do not send your details.",
                "You should warn people about this giveaway, my mum nearly fell for it.",
            ],
            "neutral": [
                "Is this giveaway real? The account has the logo but only 300 followers.",
                "Can someone official confirm whether the free gift card offer is theirs?",
                "Two accounts are running the same giveaway. Which one is official?",
                "Saw the free gift card video on TikTok, the link goes to an odd website.",
            ],
            "positive": [
                "Just entered the giveaway!! Fingers crossed",
                "A free gift card for sharing a post? Love this brand",
                "Thanks for the giveaway, tagged three friends!",
            ],
        },
    ),
    "Employee's offensive post shared from a brand account": (
        "post",
        [(23, 12, 16, (50, 30, 20)), (12, 0, 10, (30, 40, 30))],
        {
            "negative": [
                "Still thinking about that LinkedIn post. Who gets access to a brand account "
                "like that?",
                "The apology doesn't explain how that post got onto the brand account.",
                "Screenshots of the LinkedIn post are still going round. Not a good look.",
            ],
            "neutral": [
                "For those who missed it: what happened with yesterday's LinkedIn post.",
                "A case study in brand account access, after this week's LinkedIn post.",
                "Are they changing who can publish from the brand account?",
            ],
            "positive": [
                "Credit where due: a quick removal and a clear apology for the LinkedIn post.",
                "Good to see a second check before anything goes out from the brand account.",
            ],
        },
    ),
}
# What came in that no incident's tracking terms found, waiting in the inbox for someone to
# link or dismiss it: (platform, hours ago, text, sentiment score or None to let the ingestion
# compute it). Some of it belongs to an open incident in other words than its terms.
DEMO_INBOX = [
    ("x", 22.5, "Parcel was due Monday and still says 'preparing'. Anyone else?", -0.31),
    ("facebook", 21, "Been waiting a week for my order. Is the warehouse closed?", -0.4),
    ("reddit", 19.5, "Their autumn range is actually great value this year.", None),
    ("instagram", 18, "Is @prizes.official.shop really you? They messaged me about a prize.", 0.0),
    ("x", 16, "Why does the app log me out every time I open it?", -0.35),
    ("threads", 14.5, "Does anyone know if they ship to Ireland?", None),
    ("instagram", 13, "Loving the new packaging, no more plastic!", 0.64),
    ("facebook", 11.5, "The Leeds store had nobody at the tills for 20 minutes.", -0.47),
    ("youtube", 10, "Unboxing the winter coat: an honest review", None),
    ("x", 9, "Customer service sorted my return in five minutes. Impressed.", 0.7),
    ("tiktok", 8, "This 'win a voucher' video uses your logo. Is it yours?", 0.02),
    ("linkedin", 7, "Great talk by their communications team at the conference.", 0.62),
    ("x", 6, "My order is delayed again??", -0.52),
    ("reddit", 5, "PSA: a fake account is messaging people about prizes with the logo.", -0.48),
    ("bluesky", 4, "Their chief executive's interview this morning was… something.", 0.0),
    ("x", 3, "Still no parcel. Tracking hasn't changed in four days.", -0.55),
    ("instagram", 2, "Where is my parcel?? Ordered on the 19th", -0.43),
    ("tiktok", 1.5, "Prices of the basics went up again, noticed?", -0.1),
    ("x", 1, "Happy with the refund, it took two days.", 0.57),
    ("facebook", 0.5, "Anyone tried their new loyalty app?", None),
]
# The demo's conversation is the same on every machine (and so are the tests' counts).
MENTION_SEED = 20261202
MENTION_SOURCE = "demo"
# Handles the demo mentions' authors are made of.
AUTHOR_NAMES = ("amy", "bea", "chidi", "dana", "fatima", "hana", "ivan", "kemal", "maya", "omar")
AUTHOR_ENDINGS = ("", "_k", "1987", ".writes", "_uk", "99", "_m", "hq", "_22")

MOVE_REASONS = {
    "respond": "Facts gathered; response under way",
    "monitor": "Calmer now; watching the conversation",
    "resolve": "Cause fixed and audience informed",
    "cancel": "No recall exists: confirmed with the quality team",
}


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
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self._seed(options)

    @transaction.atomic
    def _seed(self, options):
        sync_roles(_apps(), ROLE_PERMISSIONS)
        password = options["password"] or secrets.token_urlsafe(9)
        users, given_password = self._users(password, reset=options["reset_passwords"])

        statements = plans = 0
        now = timezone.now()
        created = []
        for spec in DEMO_INCIDENTS:
            if Incident.objects.filter(title=spec["title"]).exists():
                continue
            incident = self._create(spec, users, now)
            statements += incident.statements.count()
            plans += incident.plan_applications.count()
            created.append(incident)
        # The conversation of the incidents made now (their clocks start with this run), and the
        # inbox, whose fixed ids the ingestion stores once however often the command runs.
        mentions = ingest_mentions(_demo_mentions(created, now), source=MENTION_SOURCE, now=now)

        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(created)} new incidents)."))
        self.stdout.write(f"Statements: {statements} new.")
        self.stdout.write(f"Plan templates applied: {plans}.")
        self.stdout.write(f"Mentions: {mentions.created} new.")
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
        for item in DEMO_ACTION_ITEMS.get(spec["title"], []):
            steps += _action_item_steps(incident, declared_at, now, users, *item)
        if spec["title"] in DEMO_POSTMORTEMS:
            steps += _postmortem_steps(
                incident, declared_at, comms, manager, *DEMO_POSTMORTEMS[spec["title"]]
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


def _action_item_steps(incident, declared_at, now, users, kind, title, owner, after, due, done):
    """The steps of one hand-written action item: added by Comms, and done by its owner when
    ``done`` says when. Added before the incident closes: a closed incident's items are frozen."""
    from responses.models import ActionItem

    made = {}
    due_at = now + due[1] if isinstance(due, tuple) else declared_at + due

    def add():
        made["item"] = ActionItem(
            incident=incident, kind=kind, title=title, owner=users[owner], due_at=due_at
        ).add(by=users["comms"])

    steps = [(declared_at + after, add)]
    if done is not None:
        steps.append((declared_at + done, lambda: made["item"].complete(by=users[owner])))
    return steps


def _postmortem_steps(incident, declared_at, comms, manager, drafted_after, submitted_after, text):
    """Comms drafts the post-mortem; the manager submits it, which closes the resolved incident
    (PostMortem.submit refuses while a close gate holds: the demo's incident passes them)."""
    postmortem = PostMortem(incident=incident, **text)
    return [
        (declared_at + drafted_after, lambda: postmortem.save_draft(by=comms)),
        (
            declared_at + submitted_after,
            lambda: postmortem.submit(by=manager, expected_version=postmortem.version),
        ),
    ]


def _demo_mentions(incidents, now):
    """The mentions a listening tool would send for the open ``incidents`` of the demo, and the
    inbox's, as the ingestion's items (dicts), posted over the day before ``now``. The same on
    every run: each incident draws from its own seeded random generator."""
    items = []
    for incident in incidents:
        if incident.title not in DEMO_MENTIONS or not incident.is_open:
            continue
        key, waves, texts = DEMO_MENTIONS[incident.title]
        rng = random.Random(f"{MENTION_SEED}:{key}")
        number = 0
        for since, until, count, weights in waves:
            for _ in range(count):
                number += 1
                sentiment = rng.choices(SENTIMENTS, weights)[0]
                items.append(
                    _mention(
                        rng,
                        f"demo-{key}-{number:03d}",
                        rng.choice(incident.platforms),
                        now - timedelta(hours=rng.uniform(until, since)),
                        rng.choice(texts[sentiment]),
                        _score(rng, sentiment),
                    )
                )
    rng = random.Random(f"{MENTION_SEED}:inbox")
    for number, (platform, hours_ago, text, score) in enumerate(DEMO_INBOX, start=1):
        items.append(
            _mention(
                rng,
                f"demo-inbox-{number:02d}",
                platform,
                now - timedelta(hours=hours_ago),
                text,
                score,
            )
        )
    return items


SENTIMENTS = ("negative", "neutral", "positive")


def _score(rng, sentiment):
    """A sentiment score the label of ``sentiment`` reads (incidents.sentiment), as a listening
    tool would give it: no time spent scoring the demo's texts."""
    if sentiment == Sentiment.NEGATIVE:
        return -round(rng.uniform(0.25, 0.92), 3)
    if sentiment == Sentiment.POSITIVE:
        return round(rng.uniform(0.15, 0.88), 3)
    return round(rng.uniform(-0.04, 0.04), 3)


def _mention(rng, external_id, platform, posted_at, text, score):
    author = rng.choice(AUTHOR_NAMES) + rng.choice(AUTHOR_ENDINGS)
    # Mostly small accounts, now and then a large one (the incident page's "top by reach").
    reach = int(10 ** rng.uniform(5, 6.3) if rng.random() < 0.03 else 10 ** rng.uniform(1, 4.3))
    return {
        "platform": platform,
        "external_id": external_id,
        # Addresses under the reserved .example domain: the demo links to no real post.
        "url": f"https://{platform}.example/{author}/{external_id}",
        "author": author,
        "text": text,
        "posted_at": posted_at,
        "sentiment_score": score,
        "reach": reach,
    }


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
