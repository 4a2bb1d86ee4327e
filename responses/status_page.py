"""The company's status page (/status/): the open public incidents and the recently resolved
ones, for anyone, with the public pages' caching rules.

Everything the page and its feed show of an incident comes from its own row (public title,
status, latest public word, when it ended), so one query lists them and its rows are the
page's ``ETag``: no history to add up, and the answer is the same whoever asks.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import reverse

from crisis import timekeeper
from incidents.models import Incident
from responses.public import PUBLIC_STATUS, as_moment, release

S = Incident.Status
LISTED_OPEN = [S.TRIAGE, S.RESPONDING, S.MONITORING]
LISTED_ENDED = [S.RESOLVED, S.CLOSED, S.CANCELLED]


@dataclass(frozen=True)
class StatusRow:
    title: str
    status: str
    url: str
    declared_at: datetime
    public_word_at: datetime | None
    ended_at: datetime | None
    changed_at: datetime

    @property
    def heading(self):
        return PUBLIC_STATUS[self.status][0]

    @property
    def sentence(self):
        return PUBLIC_STATUS[self.status][1]

    @property
    def is_open(self):
        return self.status in LISTED_OPEN


@dataclass(frozen=True)
class StatusListing:
    rows: list
    etag: str
    last_modified: datetime | None

    @property
    def open_rows(self):
        return [row for row in self.rows if row.is_open]

    @property
    def ended_rows(self):
        return [row for row in self.rows if not row.is_open]


def status_listing(profile, now=None):
    """What the status page lists, with its validators. One query.

    Listed: incidents whose public page a manager opened, except drills (a practice run is
    never announced), that are open, or ended (resolved, closed or cancelled) within
    ``STATUS_PAGE_RECENT_DAYS`` days. An incident whose page has no public title yet is
    listed under the neutral heading its page shows.
    """
    now = now or timekeeper.now()
    since = now - timedelta(days=settings.STATUS_PAGE_RECENT_DAYS)
    histories = Incident.history.model.objects.filter(id=OuterRef("pk"))
    last_change = histories.order_by().values("id").annotate(at=Max("history_date")).values("at")
    ended_recently = Q(status__in=LISTED_ENDED) & (
        Q(resolved_at__gte=since) | Q(cancelled_at__gte=since)
    )
    values = (
        Incident.objects.filter(is_public_page_open=True, is_drill=False)
        .filter(Q(status__in=LISTED_OPEN) | ended_recently)
        .annotate(changed_at=Subquery(last_change))
        .order_by("-declared_at", "-pk")
        .values_list(
            "public_token",
            "public_title",
            "status",
            "declared_at",
            "public_word_at",
            "resolved_at",
            "cancelled_at",
            "changed_at",
        )
    )
    rows = []
    for token, public_title, status, declared, word, resolved, cancelled, changed in values:
        changed = max(filter(None, [as_moment(changed), word]))
        rows.append(
            StatusRow(
                title=Incident.public_heading(public_title),
                status=status,
                url=reverse("responses:public-page", args=[token]),
                declared_at=declared,
                public_word_at=word,
                ended_at=resolved or cancelled,
                changed_at=changed,
            )
        )
    seen = repr([(row.url, row.title, row.status, row.changed_at) for row in rows])
    seen += f"\n{profile.stamp}\n{release()}"
    etag = '"' + hashlib.blake2b(seen.encode(), digest_size=12).hexdigest() + '"'
    last_modified = max((row.changed_at for row in rows), default=None)
    return StatusListing(rows, etag, last_modified)
