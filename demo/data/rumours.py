"""What was claimed about the demo incidents, and what is true.

Data only: :func:`demo.story.write_rumours` logs it through the model's own verbs. Each rumour
is answered by the incident's statement of ``response_kind``; ``first_seen_after`` is counted
from the declaration when the incident has no mentions to date it.
"""

from datetime import timedelta

DEMO_RUMOURS = [
    {
        # Found false and corrected on the checkout outage's public page, the one that is open.
        "incident": "Checkout outage during the autumn sale",
        "claim": "Card numbers were stolen during the checkout outage.",
        "risk": "high",
        "verification": "false",
        "correction": "No card details were exposed. Payments failed before they reached our "
        "payment provider, and no card data is stored by us.",
        "response_kind": "apology",
        "is_public": True,
        "first_seen_after": timedelta(minutes=35),
        "reach": 18400,
        "mentions": 0,
    },
    {
        # Still being answered: its statement is a draft, so it waits off the public page.
        "incident": "Fake giveaway account impersonating the brand",
        "claim": "The brand is giving away gift cards to followers who send their card details.",
        "risk": "high",
        "verification": "false",
        "correction": "We never ask for card details. The giveaway account is not ours.",
        "response_kind": "acknowledgement",
        "is_public": True,
        "first_seen_after": timedelta(minutes=5),
        "reach": None,
        # Seen in the incident's widest-reaching mentions.
        "mentions": 3,
    },
]
