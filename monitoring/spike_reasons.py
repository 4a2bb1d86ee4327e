"""Why a conversation spikes: the tracking terms that grew most against the usual hour, and the
posts with the most reach in the spike window (what the dashboard's spike box and the lead's
spike alert name).

The volumes come from the mention counts (monitoring.spikes); the reasons need the mentions'
texts, so they are read from a bounded sample, never from every row:

- the spike window (the last hour): the latest ``SAMPLE`` mentions, read backwards along the
  (incident, posted time, id) index, so at most ``SAMPLE`` rows are read and none sorted;
- the top posts: the conversation's ``REACH_WALK`` mentions with the most reach, read along the
  (incident, reach, id) index, of which those in the spike window are kept besides the sample
  (should they be older than it). The three named are the most reach among the window's mentions
  in either: the window's true top three unless a busy window's top posts are outside both the
  conversation's REACH_WALK highest and the window's latest SAMPLE. A top-N over the whole window
  would sort all of it (100,000 rows of a busy incident's hour, half a second on SQLite, on every
  dashboard view): what the page shows must not cost a read that grows with the conversation;
- the baseline (the same hour on each of the past 7 days): at most ``SAMPLE`` of its mentions,
  in no order (the database stops at the cap; nothing is sorted).

The three are one UNION ALL of capped ids, read with the mentions in one query, for up to
``CONVERSATIONS_PER_QUERY`` conversations at once.

Each term's matches in a sample are scaled to the window's volume from the counts (a sample of 500
out of 2,000 mentions stands for 2,000; a sample under the cap is the whole window and stands for
itself), and the baseline's to one usual hour (its total over 7 days, divided by 7). A term is
named when its estimated count grew by at least one mention; the largest growth first, ties by the
term in alphabetical order. Without tracking terms (the inbox, an incident without terms) the
hashtags of the spike window's sample are the candidates.
"""

from dataclasses import dataclass
from datetime import timedelta

import regex
from django.db.models import Q
from django.db.models.expressions import RawSQL

from incidents.models.platform import Platform
from monitoring.models import Mention
from monitoring.spikes import SPIKE_HISTORY_DAYS
from monitoring.terms import _compiled, split_terms

# The most mentions read from the spike window, and from the baseline, per conversation.
SAMPLE = 500
# How far the top posts are looked for along the reach index, per conversation.
REACH_WALK = 1000
# How many conversations one query explains (each adds three capped arms to its UNION ALL).
CONVERSATIONS_PER_QUERY = 5
# How many terms, and posts, a reason names.
TOP_TERMS = 3
TOP_POSTS = 3
# Without tracking terms, the most frequent hashtags of the sample are compared, at most this many.
HASHTAG_CANDIDATES = 50
# How much of a post's text is quoted.
QUOTE_CHARS = 140

_HASHTAG = regex.compile(r"(?<!\w)#\w+")
_POST_FIELDS = ("pk", "platform", "external_id", "url", "author", "text", "reach", "posted_at")


@dataclass(frozen=True)
class TermGrowth:
    """One term: about ``now`` mentions in the spike window against ``usual`` in a usual hour."""

    term: str
    now: int
    usual: int

    @property
    def growth(self):
        return self.now - self.usual


@dataclass(frozen=True)
class SpikeReason:
    terms: tuple
    posts: tuple


def _scope(incident_id):
    return Q(incident__isnull=True) if incident_id is None else Q(incident_id=incident_id)


def _window(volume, days_ago=0):
    shift = timedelta(days=days_ago)
    return Q(posted_at__gte=volume.since - shift, posted_at__lt=volume.until - shift)


def _hits(texts, patterns):
    """How many of ``texts`` each term of ``patterns`` (term: compiled expression) matches."""
    folded = [text.casefold() for text in texts if text]
    return {term: sum(1 for text in folded if pattern.search(text)) for term, pattern in patterns}


def _candidates(terms, texts):
    """(term, expression) pairs: the tracking terms, else the sample's most frequent hashtags."""
    if terms:
        return [(term, _compiled(term)) for term in terms]
    seen = {}
    for text in texts:
        for tag in set(_HASHTAG.findall((text or "").casefold())):
            seen[tag] = seen.get(tag, 0) + 1
    tags = sorted(seen, key=lambda tag: (-seen[tag], tag))[:HASHTAG_CANDIDATES]
    return [(tag, _compiled(tag)) for tag in tags]


def term_growth(terms, window_texts, window_count, base_texts, base_count):
    """THE growth rule: the terms (or hashtags) that grew, largest growth first, then by term.
    ``window_texts``/``base_texts`` are samples of ``window_count`` mentions of the spike window
    and ``base_count`` of the baseline's 7 hours."""
    patterns = _candidates(terms, window_texts)
    now_hits = _hits(window_texts, patterns)
    base_hits = _hits(base_texts, patterns)
    now_scale = window_count / len(window_texts) if window_texts else 0
    base_scale = base_count / len(base_texts) / SPIKE_HISTORY_DAYS if base_texts else 0
    grown = [
        TermGrowth(term, round(now_hits[term] * now_scale), round(base_hits[term] * base_scale))
        for term, _pattern in patterns
    ]
    grown = [g for g in grown if g.growth >= 1]
    grown.sort(key=lambda g: (-g.growth, g.term))
    return tuple(grown[:TOP_TERMS])


def _ids(queryset, limit):
    """A sliced ``SELECT id`` as SQL that may stand in a UNION ALL on SQLite and PostgreSQL
    alike (each arm wrapped: SQLite refuses LIMIT on an arm itself)."""
    sql, params = queryset.values("pk")[:limit].query.sql_with_params()
    return f"SELECT * FROM ({sql}) AS picked", params


def explain_all(conversations):
    """``{incident id or None: SpikeReason}`` for ``conversations``, ``(incident id or None for
    the inbox, its spiking monitoring.spikes.Volume, its tracking terms)``. One query per
    CONVERSATIONS_PER_QUERY conversations, reading for each at most ``SAMPLE`` mentions of the
    spike window, ``SAMPLE`` of the baseline and ``TOP_POSTS`` (see the module docstring)."""
    found = {}
    for first in range(0, len(conversations), CONVERSATIONS_PER_QUERY):
        found.update(_explain_chunk(conversations[first : first + CONVERSATIONS_PER_QUERY]))
    return found


def _explain_chunk(conversations):
    arms = []
    for incident_id, volume, _terms in conversations:
        mentions = Mention.objects.filter(_scope(incident_id))
        window = mentions.filter(_window(volume))
        past = Q()
        for day in range(1, SPIKE_HISTORY_DAYS + 1):
            past |= _window(volume, days_ago=day)
        arms += [
            # The window's latest, backwards along the (incident, posted time, id) index.
            _ids(window.order_by("-posted_at", "-pk"), SAMPLE),
            # Its top posts, should they be older than the latest SAMPLE: of the conversation's
            # REACH_WALK with most reach (along its reach index), those in the window.
            _ids(
                window.filter(
                    pk__in=mentions.order_by("-reach", "-pk").values("pk")[:REACH_WALK]
                ).order_by("-reach", "-pk"),
                TOP_POSTS,
            ),
            # The baseline, in no order: the database stops at the cap.
            _ids(mentions.filter(past).order_by(), SAMPLE),
        ]
    union = RawSQL(" UNION ALL ".join(sql for sql, _ in arms), [p for _, ps in arms for p in ps])
    rows = {}
    for row in Mention.objects.filter(pk__in=union).order_by().values(*_POST_FIELDS, "incident"):
        rows.setdefault(row["incident"], []).append(row)
    return {
        incident_id: _reason(rows.get(incident_id, []), volume, terms)
        for incident_id, volume, terms in conversations
    }


def _reason(rows, volume, tracking_terms):
    window = [row for row in rows if volume.since <= row["posted_at"] < volume.until]
    # The sample is the window's latest SAMPLE (its top posts may have come besides).
    sample = sorted(window, key=lambda row: (row["posted_at"], row["pk"]), reverse=True)[:SAMPLE]
    posts = sorted(window, key=lambda row: (-row["reach"], -row["pk"]))[:TOP_POSTS]
    base = [row["text"] for row in rows if not volume.since <= row["posted_at"] < volume.until]
    terms = term_growth(
        split_terms(tracking_terms),
        [row["text"] for row in sample],
        _sampled(len(sample), volume.count),
        base,
        _sampled(len(base), sum(volume.daily)),
    )
    return SpikeReason(terms, tuple(_post(row) for row in posts))


def explain(incident_id, volume, tracking_terms=""):
    """The :class:`SpikeReason` of one conversation (see :func:`explain_all`). One query."""
    return explain_all([(incident_id, volume, tracking_terms)])[incident_id]


def _sampled(read, counted):
    """How many mentions the ``read`` ones stand for: themselves when fewer than the cap (the
    whole window was read), else the volume from the counts (never fewer than were read)."""
    return read if read < SAMPLE else max(read, counted)


def _post(row):
    text = " ".join((row["text"] or "").split())
    if len(text) > QUOTE_CHARS:
        text = text[: QUOTE_CHARS - 1].rstrip() + "…"
    # Only a web address is offered as a link (never ``javascript:`` or the like).
    link = row["url"] if row["url"].lower().startswith(("https://", "http://")) else ""
    platform = dict(Platform.choices).get(row["platform"], row["platform"])
    return {**row, "quote": text, "link": link, "platform_label": platform}


def headline(reason):
    """The term that grew most, for a title: ``, most growth in “burn”`` (nothing without)."""
    return f", most growth in “{reason.terms[0].term}”" if reason.terms else ""


def describe(reason):
    """The reason as plain text, for the alert's mail, chat message and browser notification:
    ``most growth in “burn” (+31), “refund” (+12). Most-seen posts: ...``."""
    parts = []
    if reason.terms:
        grown = ", ".join(f"“{g.term}” (+{g.growth})" for g in reason.terms)
        parts.append(f"Most growth in {grown}.")
    for row in reason.posts:
        who = row["author"] or "someone"
        line = f"- {who} on {row['platform_label']} ({row['reach']:,} reach): “{row['quote']}”"
        if row["link"]:
            line += f" {row['link']}"
        parts.append(line)
    if reason.posts:
        parts.insert(1 if reason.terms else 0, "Most-seen posts in the spike hour:")
    return "\n".join(parts)
