"""The demo desk's people and incidents: who signs in, what happened and when, who was affected.

Data only: :mod:`demo.story` tells it through the models' own verbs.
"""

from datetime import timedelta

from crisis.roles import COMMS, MANAGERS
from incidents.models import Incident

DEMO_USERS = [
    # username, first name, last name, group, is_staff
    ("comms", "Chloe", "Martin", COMMS, False),
    ("manager", "Marcus", "Reed", MANAGERS, False),
    ("viewer", "Vera", "Lind", None, False),
    ("admin", "Ada", "Okafor", None, True),
]

# Each demo incident: its fields, its story and who was affected, oldest first so that the
# references follow the order of declaration. The story is told in times: when the first signal
# came (``detected_ago``, before the command runs), then each step after the declaration. Two
# open incidents are still waiting for their first public acknowledgement past the default
# targets (critical 30 min, major 1 h), so the desk's clocks have something to say.
DEMO_INCIDENTS = [
    {
        "title": "Drill: customer data exposed in a shared spreadsheet",
        "public_title": "Drill: a customer file shared by mistake",
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
        "public_title": "Questions about our new delivery fee",
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
        "public_title": "No product recall: the facts",
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
        "public_title": "Checkout problems during the autumn sale",
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
        "public_title": "A post shared from our account",
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
        "public_title": "Late deliveries",
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
        "public_title": "A fake giveaway using our name",
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

MOVE_REASONS = {
    "respond": "Facts gathered; response under way",
    "monitor": "Calmer now; watching the conversation",
    "resolve": "Cause fixed and audience informed",
    "cancel": "No recall exists: confirmed with the quality team",
}
