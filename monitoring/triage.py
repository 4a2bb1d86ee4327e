"""Reading mentions for people: the inbox's and an incident's filters, keyset pages, the
incident declared from a selection, and the chart of mentions per hour.

The rules of linking, dismissing and matching terms live in monitoring.mentions; this module
only prepares what the pages show and asks.
"""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django import forms
from django.db.models import Count
from django.utils import timezone

from crisis.converters import whole_number
from crisis.panels import DeclareExtension
from crisis.roles import ACT_ON_MENTIONS
from crisis.search import text_search
from incidents.models import Platform
from monitoring.counts import chart_hours
from monitoring.models import Mention, MentionCount, Sentiment

PAGE_SIZE = 50
# The most mentions one action takes at once (a page holds PAGE_SIZE).
MAX_SELECTED = 500
PERIODS = {
    "1h": ("Last hour", timedelta(hours=1)),
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
    "30d": ("Last 30 days", timedelta(days=30)),
}
# The chart shows this many hours, ending with the current one.
CHART_HOURS = 24


class MentionFilterForm(forms.Form):
    """The inbox's and an incident's mention filters. A value not understood shows an error by
    its field and that filter is left out."""

    q = forms.CharField(label="Words", required=False, max_length=200)
    platform = forms.ChoiceField(
        label="Platform", required=False, choices=[("", "Any platform"), *Platform.choices]
    )
    sentiment = forms.ChoiceField(
        label="Sentiment", required=False, choices=[("", "Any sentiment"), *Sentiment.choices]
    )
    period = forms.ChoiceField(
        label="Posted",
        required=False,
        choices=[("", "Any time"), *[(key, label) for key, (label, _d) in PERIODS.items()]],
    )

    def filter(self, queryset, now=None):
        data = {
            name: value
            for name, value in (self.cleaned_data if self.is_bound else {}).items()
            if name not in self.errors
        }
        queryset = text_search(queryset, data.get("q"), ("text",))
        if data.get("platform"):
            queryset = queryset.filter(platform=data["platform"])
        if data.get("sentiment"):
            queryset = queryset.filter(sentiment_label=data["sentiment"])
        if data.get("period"):
            since = (now or timezone.now()) - PERIODS[data["period"]][1]
            queryset = queryset.filter(posted_at__gte=since)
        return queryset

    @property
    def filter_count(self):
        """How many filters are in use (the count on the button that opens them on a phone)."""
        if not self.is_bound:
            return 0
        return sum(1 for name in self.fields if self.data.get(name))

    @property
    def is_filtered(self):
        return self.filter_count > 0


def filter_form(query):
    form = MentionFilterForm(query)
    form.is_valid()
    return form


# Keyset pages: newest first by (posted time, id), so the thousandth page reads as few rows as
# the first. A cursor is the last row's posted time (microseconds since the epoch) and id.

_CURSOR = re.compile(r"^([0-9]{1,20})-([0-9]{1,19})$")


def cursor_of(mention):
    stamp = int(mention.posted_at.timestamp() * 1_000_000)
    return f"{stamp}-{mention.pk}"


def parse_cursor(text):
    """``(posted_at, pk)`` from a cursor, or None when there is none or it is malformed."""
    match = _CURSOR.match(text or "")
    if not match:
        return None
    pk = whole_number(match[2], maximum=2**63 - 1)
    try:
        posted_at = datetime.fromtimestamp(int(match[1]) / 1_000_000, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return (posted_at, pk) if pk is not None else None


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    is_first: bool


def keyset_page(queryset, cursor_text, size=PAGE_SIZE):
    """One page of ``queryset`` (newest first) after the cursor; one query."""
    cursor = parse_cursor(cursor_text)
    queryset = queryset.newest_first()
    if cursor is not None:
        queryset = queryset.before(*cursor)
    rows = list(queryset[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, cursor_of(rows[-1]) if has_more else None, cursor is None)


# Selected mentions sent by a form: "mention" repeated, each an id.


def selected_ids(values):
    ids = []
    for value in values[:MAX_SELECTED]:
        number = whole_number(value, maximum=2**63 - 1)
        if number is not None:
            ids.append(number)
    return ids


# Declaring an incident from a selection of the inbox.

_TAG = re.compile(r"(?<![\w#@])([#@][\w]{2,60})", re.UNICODE)


def declare_prefill(ids):
    """The Declare incident form's first values for the mentions ``ids``: a title, their
    platforms, the hashtags and handles they share as tracking terms, the first one's time as
    the detection. One query."""
    found = list(Mention.objects.filter(pk__in=ids).order_by("posted_at", "pk")[:MAX_SELECTED])
    if not found:
        return {}
    tags = Counter()
    for mention in found:
        tags.update({tag.casefold() for tag in _TAG.findall(mention.text or "")})
    terms = [tag for tag, _n in tags.most_common(5)]
    platforms = [code for code in Platform.values if code in {m.platform for m in found}]
    if terms:
        title = f"Conversation about {', '.join(terms[:3])}"
    else:
        first = " ".join((found[0].text or "").split())
        title = first[:80] + ("…" if len(first) > 80 else "") or "Conversation on social media"
    return {
        "title": title,
        "platforms": platforms,
        "tracking_terms": ", ".join(terms),
        "detected_at": found[0].posted_at,
        "from_mentions": ",".join(str(m.pk) for m in found),
    }


def _declare_fields(user):
    if not user.has_perm(ACT_ON_MENTIONS):
        return {}
    return {
        "from_mentions": forms.RegexField(
            regex=r"^[0-9]{1,19}(,[0-9]{1,19}){0,499}$",
            required=False,
            widget=forms.HiddenInput,
            error_messages={"invalid": "The selected mentions were lost: select them again."},
        )
    }


def _declare_clean(cleaned_data):
    return {}


def _declare_initial(request):
    """Declared from a selection of the inbox (``?from_mentions=``, by those who act on
    mentions): its title, platforms and terms to start."""
    if not request.GET.get("from_mentions") or not request.user.has_perm(ACT_ON_MENTIONS):
        return {}
    return declare_prefill(selected_ids(request.GET["from_mentions"].split(",")))


def _declare_link(incident, cleaned_data, by):
    from monitoring.mentions import link_mentions

    ids = selected_ids((cleaned_data.get("from_mentions") or "").split(","))
    if not ids:
        return []
    # Only those still waiting: one linked meanwhile to another incident stays there.
    waiting = list(Mention.objects.inbox().filter(pk__in=ids).values_list("pk", flat=True))
    linked = link_mentions(waiting, incident, by=by) if waiting else 0
    return [f"{linked} mention{'s' if linked != 1 else ''} from the inbox linked to it."]


declare_from_mentions = DeclareExtension(
    fields=_declare_fields,
    clean=_declare_clean,
    after_declare=_declare_link,
    after="is_drill",
    initial=_declare_initial,
)


# The session remembers, per incident reference, that its tracking terms just changed: its
# page then offers to link the inbox's matches (see monitoring.panels.mentions_panel).
OFFER_KEY = "mention_link_offers"


def offer_link_after_terms_change(request, before, incident):
    """Told by the incident's edit (crisis.panels.after_edit): when the tracking terms changed,
    its page offers to link the inbox's matches."""
    if incident.tracking_terms.strip() and incident.tracking_terms != before.tracking_terms:
        offers = [r for r in request.session.get(OFFER_KEY, []) if r != incident.reference]
        request.session[OFFER_KEY] = [*offers[-9:], incident.reference]


# The chart: mentions per hour by sentiment.

SENTIMENT_ORDER = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)


def hourly_counts(incident, now=None, hours=CHART_HOURS):
    """``[(hour start, {label: count})]`` for the last ``hours`` UTC hours of ``incident``'s
    mentions (None: the inbox's), the current hour last, empty hours included. One query, over
    the mention counts (at most 3 rows an hour, however many mentions)."""
    series = chart_hours(now or timezone.now(), hours)
    counts = {}
    rows = MentionCount.objects.filter(
        incident=incident, hour__gte=series[0], hour__lte=series[-1]
    ).values_list("hour", "sentiment_label", "n")
    for hour, label, n in rows:
        counts.setdefault(hour, Counter())[label] += n
    return [(hour, counts.get(hour, Counter())) for hour in series]


CHART_ID = "mention-chart"


def _pattern(sentiment):
    return f"{CHART_ID}-{sentiment}"


# Each sentiment's pattern (templates/_chart.html): hatched negative, plain neutral, dotted
# positive, so that they differ by more than colour.
PATTERNS = [
    {
        "id": _pattern("negative"),
        "ground": "fill-negative",
        "mark": "line",
        "mark_css": "stroke-pattern",
    },
    {"id": _pattern("neutral"), "ground": "fill-neutral", "mark": "", "mark_css": ""},
    {
        "id": _pattern("positive"),
        "ground": "fill-positive",
        "mark": "dot",
        "mark_css": "fill-pattern",
    },
]


@dataclass
class Bar:
    label: str
    x: float
    y: float
    height: float
    sentiment: str
    count: int
    width: float
    css = ""

    @property
    def pattern(self):
        return _pattern(self.sentiment)

    @property
    def title(self):
        return self.label


def chart(series, *, width=480, height=160, gap=2):
    """The geometry of a stacked bar per hour (negative at the bottom), as templates/_chart.html
    draws it, and the table beside it (``hours``, ``total``, ``sentiments``). No queries."""
    totals = [sum(c.values()) for _h, c in series]
    top = max(totals + [1])
    slot = width / max(len(series), 1)
    bar_width = round(max(slot - gap, 1), 2)
    bars, hours = [], []
    for index, (hour, counts) in enumerate(series):
        base = height
        local = timezone.localtime(hour)
        label = local.strftime("%H:00")
        for sentiment in SENTIMENT_ORDER:
            n = counts.get(sentiment, 0)
            if not n:
                continue
            h = n * height / top
            base -= h
            bars.append(
                Bar(
                    f"{label}: {n} {sentiment.label.lower()}",
                    round(index * slot + gap / 2, 2),
                    round(base, 2),
                    round(h, 2),
                    sentiment.value,
                    n,
                    bar_width,
                )
            )
        hours.append(
            {
                "label": label,
                "at": local,
                "counts": [counts.get(s, 0) for s in SENTIMENT_ORDER],
                "total": totals[index],
            }
        )
    ticks = [
        {
            "x": round(i * slot + slot / 2, 2),
            "y": height + 16,
            "anchor": "middle",
            "css": "chart-label",
            "text": h["label"],
        }
        for i, h in enumerate(hours)
        if i % 6 == 0
    ]
    return {
        "id": CHART_ID,
        "css": "mention-chart w-100",
        "testid": "mention-chart",
        "view_box": f"0 -4 {width} {height + 24}",
        "title": f"Mentions per hour by sentiment over the last {len(series)} hours, at most "
        f"{top} in an hour; the table gives the numbers.",
        "patterns": PATTERNS,
        "lines": [{"x1": 0, "y1": height, "x2": width, "y2": height, "css": "chart-axis"}],
        "bars": bars,
        "texts": ticks,
        "legend": [
            {"label": sentiment.label, "css": "", "pattern": _pattern(sentiment.value)}
            for sentiment in SENTIMENT_ORDER
        ],
        "hours": hours,
        "max": top,
        "total": sum(totals),
        "sentiments": SENTIMENT_ORDER,
    }


def in_inbox_matching_count(incident):
    """How many inbox mentions the incident's tracking terms match (see
    monitoring.mentions.inbox_matches; one query reading the inbox)."""
    from monitoring.mentions import inbox_matches

    return len(inbox_matches(incident))


def sentiment_totals(queryset):
    """``{label: count}`` of ``queryset`` (one query)."""
    return dict(queryset.values_list("sentiment_label").annotate(n=Count("pk")).order_by())
