"""The demo's conversation as a listening tool would send it: the items (dicts) that
:func:`monitoring.mentions.ingest_mentions` takes, drawn from :mod:`demo.data.mentions`."""

import random
from datetime import timedelta

from demo.data.mentions import (
    AUTHOR_ENDINGS,
    AUTHOR_NAMES,
    DEMO_INBOX,
    DEMO_MENTIONS,
    MENTION_SEED,
)
from monitoring.models import Sentiment


def demo_mentions(incidents, now):
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
    """A sentiment score the label of ``sentiment`` reads (monitoring.sentiment), as a listening
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
