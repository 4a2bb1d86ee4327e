"""What the demo's listening tool says: the last day's conversation about the open incidents and
the inbox waiting for triage.

Data only: :mod:`demo.conversation` turns it into the ingestion's items.
"""

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
