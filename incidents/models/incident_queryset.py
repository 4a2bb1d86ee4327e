"""How incidents are read: the desk's orders, the open and finished ones, by platform, and the
search (index-backed on both databases)."""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.db.models.query import ModelIterable

from crisis import clocks
from crisis.fields import ChoiceListField
from crisis.search import fts5_match, parse, search_tsquery
from crisis.search import tsquery as tsquery_of
from incidents.models.platform import Platform

# The words a search looks in. PostgreSQL indexes them as one text search vector (GIN index
# "incident_search"), SQLite as an FTS5 table kept by triggers (migration 0005).
SEARCH_FIELDS = ("reference", "title", "public_title", "summary", "tracking_terms")
# A reference's dashes are spaces to it: PostgreSQL's parser reads "CR-2026-014" as "cr" and two
# negative numbers, whereas a search for it looks for the words cr, 2026 and 014.
SEARCH_VECTOR = SearchVector(
    Replace("reference", Value("-"), Value(" ")), *SEARCH_FIELDS[1:], config="simple"
)
SQLITE_SEARCH_TABLE = "incidents_incident_search"


def _fts5_rows(match):
    """The ids of the incidents whose words ``match`` (an FTS5 expression) in the SQLite table."""
    return RawSQL(
        f"SELECT rowid FROM {SQLITE_SEARCH_TABLE} WHERE {SQLITE_SEARCH_TABLE} MATCH %s", [match]
    )


def _holding_any(incidents, terms):
    """The ids of the ``incidents`` holding any of ``terms`` (crisis.search terms), through the
    full-text index."""
    if connections[incidents.db].vendor == "postgresql":
        tsquery = SearchQuery(tsquery_of(terms, "|"), search_type="raw", config="simple")
        return incidents.alias(search=SEARCH_VECTOR).filter(search=tsquery).values("pk")
    return _fts5_rows(fts5_match(terms, "OR"))


class StatusIn(models.Func):
    """``status IN ('triage', …)`` with the codes written into the SQL rather than passed as
    parameters: SQLite's planner then knows how rare open incidents are (and may use the
    partial index incident_open_desk, whose condition reads the same), instead of guessing."""

    output_field = models.BooleanField()

    def __init__(self, codes):
        if not all(re.fullmatch(r"[a-z_]+", code) for code in codes):
            raise ValueError("Only status codes may be written into the SQL.")
        self.codes = tuple(codes)
        super().__init__(F("status"))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        codes = ", ".join(f"'{code}'" for code in self.codes)
        return f"{column} IN ({codes})", params


class OnPlatform(models.Func):
    """``platforms LIKE '%,tiktok,%'`` with the code written into the SQL, as the platform's
    partial index (incident_on_<code>) reads: the planner then counts and pages the incidents of
    one platform through that index instead of testing the text of every incident."""

    output_field = models.BooleanField()

    def __init__(self, code):
        if not re.fullmatch(r"[a-z_]+", code):
            raise ValueError("Only platform codes may be written into the SQL.")
        # Doubled: the database drivers read a single % as the start of a parameter.
        self.pattern = f"%%{ChoiceListField.lookup_value(code)}%%"
        super().__init__(F("platforms"))

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} LIKE '{self.pattern}'", params

    def as_sqlite(self, compiler, connection, **extra):
        # Django writes SQLite's LIKE with an escape character; the index condition too.
        sql, params = self.as_sql(compiler, connection, **extra)
        return f"{sql} ESCAPE '\\'", params


class _WithTargets(ModelIterable):
    """The rows of :meth:`IncidentQuerySet.with_clocks`: the targets are read once, after the
    first row, from the database the rows come from, and handed to every row."""

    def __iter__(self):
        targets = None
        for incident in super().__iter__():
            if targets is None:
                targets = clocks.response_targets(using=self.queryset.db)
            clocks.hand_targets(incident, targets)
            yield incident


class IncidentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(StatusIn(self.model.OPEN_STATUSES))

    def finished(self):
        return self.filter(StatusIn(self.model.FINISHED_STATUSES))

    def search(self, text):
        """Incidents whose reference, titles, summary or tracking terms match ``text``, read by
        crisis.search.parse: each word by its start ("refund" finds "refunds"; "CR-2026-003"
        finds that reference), "a phrase" and -left out. Through the database's full-text
        index, so it costs the same at 100,000 incidents."""
        query = parse(text)
        if query.is_blank:
            return self
        if query.finds_nothing:
            return self.none()
        if not query.wanted:
            # Only words left out: most incidents match, and no index finds what a text lacks.
            # The index finds those that hold the words; the rest are read in the list's order.
            every = self.model._default_manager.using(self.db)
            return self.exclude(pk__in=_holding_any(every, query.excluded))
        if connections[self.db].vendor == "postgresql":
            tsquery = SearchQuery(search_tsquery(query), search_type="raw", config="simple")
            return self.alias(search=SEARCH_VECTOR).filter(search=tsquery)
        match = fts5_match(query.wanted)
        if query.excluded:
            match += f" NOT ({fts5_match(query.excluded, 'OR')})"
        return self.filter(pk__in=_fts5_rows(match))

    def on_platform(self, code):
        if code not in Platform.values:
            return self.none()
        return self.filter(OnPlatform(code))

    def for_lists(self):
        return self.select_related("lead")

    def with_clocks(self):
        """The incidents with their severity's response targets handed to each (crisis.clocks),
        read in one query however many rows, and none when there are none: their clocks then
        query nothing (the public word is stored on the row)."""
        clone = self._chain()
        clone._iterable_class = _WithTargets
        return clone

    def record_public_word(self, at, promised_at=None):
        """Record a public word published ``at`` (a statement: no ``promised_at``; a public
        update: the next update it promised) on these incidents, unless a later word is already
        recorded: call it in the transaction that publishes. One UPDATE, whose condition
        PostgreSQL checks again after waiting for a concurrent publication's lock, so the later
        word stays whichever commits first. Of words of the same moment an update wins (it
        carries a promise), and of two updates the later promise."""
        at_or_before = Q(public_word_at__isnull=True) | Q(public_word_at__lte=at)
        if promised_at is None:
            return self.filter(Q(public_word_at__isnull=True) | Q(public_word_at__lt=at)).update(
                public_word_at=at, promised_update_at=None
            )
        return self.filter(at_or_before).update(
            public_word_at=at,
            promised_update_at=Case(
                When(
                    public_word_at=at,
                    promised_update_at__gt=promised_at,
                    then=F("promised_update_at"),
                ),
                default=Value(promised_at),
            ),
        )

    def open_desk_order(self):
        """The open incidents' part of :meth:`desk_order` (partial index incident_open_desk)."""
        return self.order_by("severity", "detected_at", "-declared_at", "-pk")

    def newest_first(self):
        """The rest's part of :meth:`desk_order` (index incident_declared)."""
        return self.order_by("-declared_at", "-pk")

    def recently_ended(self):
        """The ended incidents, newest first, through the partial index incident_ended_newest:
        written as "not open" (the same incidents), which the status index cannot look up, so
        that SQLite reads that index in order and stops at the limit even without statistics,
        instead of looking up each ended status and sorting every ended incident."""
        return self.exclude(StatusIn(self.model.OPEN_STATUSES)).newest_first()

    def desk_segments(self):
        """:meth:`desk_order` as two querysets, each in an order an index holds: the open
        incidents, then the rest. Pages and the export read them one after the other, so that
        no request sorts every incident ever declared."""
        return [self.open().open_desk_order(), self.finished().newest_first()]

    def desk_order(self):
        """Open incidents first, the most severe and then the longest-running first (the work on
        the desk); after them the rest, the most recently declared first."""
        is_open = Q(status__in=self.model.OPEN_STATUSES)
        return self.alias(
            is_finished=Case(When(is_open, then=0), default=1),
            open_severity=Case(When(is_open, then=F("severity"))),
            open_detected_at=Case(When(is_open, then=F("detected_at"))),
        ).order_by("is_finished", "open_severity", "open_detected_at", "-declared_at", "-pk")
