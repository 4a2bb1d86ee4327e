"""What the demo desk said to other audiences: variants of approved statements.

Data only: :mod:`demo.story` tells it through the models' own verbs. Each: the incident's title,
the core statement's kind, the audience's name, the language, the words, and whether the
manager approves and publishes it.
"""

DEMO_VARIANTS = [
    (
        "Checkout outage during the autumn sale",
        "apology",
        "Customers",
        "fr",
        "Le paiement fonctionne de nouveau. Pendant deux heures de nos soldes, les paiements "
        "ont échoué, et nous en sommes désolés. Chaque client concerné reçoit aujourd’hui par "
        "e-mail le prix des soldes avec un code de réduction.",
        True,
    ),
    (
        "Checkout outage during the autumn sale",
        "apology",
        "Press",
        "en",
        "Checkout payments failed for two hours on the first day of the autumn sale after a "
        "software release. The release was rolled back and checkout has worked normally since. "
        "Every affected customer receives the sale price with a discount code by email today.",
        False,
    ),
]
