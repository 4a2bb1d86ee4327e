"""What the desk did about the demo incidents: statements, playbooks applied, progress updates,
action items and post-mortems, each dated after its incident's declaration.

Data only: :mod:`demo.story` tells it through the models' own verbs.
"""

from datetime import timedelta

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

# The company as the audience sees it on the demo's public pages and status page.
DEMO_PROFILE = {
    "company_name": "Northwind Goods",
    "accent_colour": "#0b5394",
    "logo_alt": "Northwind Goods",
}
