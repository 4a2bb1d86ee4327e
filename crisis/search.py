"""Searching records by words, the same way from every page: the user's text is read once
(:func:`parse`), and each record's search builds its database query from that reading.

The one rule, on both databases: every word typed must start a word of the record, in any case
("refund" finds "Refunds" and "refunded"; "fund" finds neither). ``"a phrase"`` wants its words
one after the other, each by its start; ``-word`` or ``-"a phrase"`` leaves out the records that
hold it. A word is a run of letters and digits, in any script; everything else only separates
words, so the text is data, never syntax: quotes left open, ``*``, ``:``, ``&``, ``|``, ``!``,
``NEAR``, ``OR``, percent signs and backslashes are never an error and never an operator
(``or`` and ``near`` are words like any other).

Why the start of words rather than English stems: it is what the incidents' full-text indexes
answer on both databases (SQLite's FTS5 does not stem), it finds references and half-typed
words ("CR-2026-01", "influ"), and it works the same for text that is not English.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connections
from django.db.models import Q

# Longer text is cut here before reading it (forms refuse far less: this guards other callers).
MAX_SEARCH_LENGTH = 500
# The words after this many are ignored (each is one more condition in the query).
MAX_WORDS = 10
# A quoted phrase (the closing quote may be missing), or a run of anything else; either may
# start with "-".
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
# Letters and digits of any script; the underscore separates words, as in the indexes.
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Search:
    """What a text asks for. Each term is a tuple of words that must follow one another (a
    single word is a term of one)."""

    wanted: tuple = ()
    excluded: tuple = ()
    typed: bool = False

    @property
    def is_blank(self):
        """Nothing typed: every record."""
        return not self.typed

    @property
    def finds_nothing(self):
        """Something typed, but not one word in it (only punctuation): no record."""
        return self.typed and not self.wanted and not self.excluded


def parse(text):
    """The :class:`Search` that ``text`` asks for."""
    # A NUL character cannot reach PostgreSQL (forms refuse it; other callers lose it here).
    text = (text or "").replace("\x00", " ").strip()[:MAX_SEARCH_LENGTH]
    wanted, excluded, room = [], [], MAX_WORDS
    for match in _TOKEN.finditer(text):
        minus, phrase, plain_minus, plain = match.groups()
        words = tuple(word.lower() for word in _WORD.findall(phrase or plain or ""))[:room]
        room -= len(words)
        if not words:
            continue
        if phrase is not None:
            (excluded if minus else wanted).append(words)
        elif plain_minus:
            # "-CR-2026-001" leaves out that reference, not every record holding "2026".
            excluded.append(words)
        else:
            # "CR-2026-001" or "C:\promo": each word wanted, wherever it stands.
            wanted.extend((word,) for word in words)
    return Search(tuple(wanted), tuple(excluded), typed=bool(text))


def tsquery(terms, join="&"):
    """``terms`` as a PostgreSQL ``tsquery`` (for ``search_type="raw"``), each word by its start.
    Words are letters and digits only, and quoted besides: nothing in them is an operator."""
    return f" {join} ".join(
        "(" + " <-> ".join(f"'{word}':*" for word in term) + ")" for term in terms
    )


def search_tsquery(search):
    """The whole of ``search`` as one PostgreSQL ``tsquery``."""
    parts = []
    if search.wanted:
        parts.append(tsquery(search.wanted))
    if search.excluded:
        parts.append(f"!({tsquery(search.excluded, '|')})")
    return " & ".join(parts)


def fts5_match(terms, join="AND"):
    """``terms`` as an SQLite FTS5 match expression, each word by its start. Each word is a
    quoted string, so that ``NEAR``, ``AND`` or ``OR`` typed are words."""
    return f" {join} ".join("(" + " + ".join(f'"{word}"*' for word in term) + ")" for term in terms)


def _word_start_regex(term):
    # Each word at the start of a word of the text, the next ones right after it.
    words = [re.escape(word) + r"[^\W_]*" for word in term]
    return r"(?<![^\W_])" + r"[\W_]+".join(words)


def _contains_first(term, fields, vendor):
    """A cheap test each matching row passes, read before the exact one: the term's words are
    in one of ``fields`` (``LIKE`` skips the rows without them). SQLite's ``LIKE`` folds only
    ASCII letters, so there only ASCII words are tested."""
    match = Q()
    for word in term:
        if vendor == "sqlite" and not word.isascii():
            continue
        match &= reduce(or_, (Q(**{f"{name}__icontains": word}) for name in fields))
    return match


def text_search(queryset, text, fields):
    """``queryset`` narrowed to the rows whose ``fields`` (names or lookups through relations)
    match ``text``, for records without a full-text index of their own (the words are read in
    each row the other filters leave). Unchanged for an empty text."""
    search = parse(text)
    if search.is_blank:
        return queryset
    if search.finds_nothing:
        return queryset.none()
    vendor = connections[queryset.db].vendor
    for term in search.wanted:
        queryset = queryset.filter(_contains_first(term, fields, vendor))
    if vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = SearchVector(*fields, config="simple")
        query = SearchQuery(search_tsquery(search), search_type="raw", config="simple")
        return queryset.alias(_text_search=vector).filter(_text_search=query)

    def anywhere(term):
        pattern = _word_start_regex(term)
        return reduce(or_, (Q(**{f"{name}__iregex": pattern}) for name in fields))

    for term in search.wanted:
        queryset = queryset.filter(anywhere(term))
    for term in search.excluded:
        queryset = queryset.exclude(anywhere(term))
    return queryset
