"""Searching records by words, the same way from every page: one function, two databases.

On PostgreSQL, :func:`text_search` is a full-text search: the words are stemmed in English
("deliveries" finds "delivery") and read with the web search syntax people know — ``"exact
phrase"``, ``-left out``, ``this or that``. Elsewhere (SQLite, for development and the quick
test runs) every word must appear, as typed but in any case, in at least one of the fields;
a word starting with ``-`` must appear in none; quotes only group words. Either way, the text is
data, never syntax: quotes, percent signs, underscores and backslashes are matched as themselves
or ignored, never an error.
"""

from django.db import connections
from django.db.models import Q

# The dictionary PostgreSQL stems words with.
SEARCH_CONFIG = "english"
# Longer text is cut here before searching (forms refuse far less: this guards other callers).
MAX_SEARCH_LENGTH = 500
# On the plain search, the words after this many are ignored (each is one more LIKE per field).
MAX_PLAIN_WORDS = 20


def text_search(queryset, text, fields):
    """``queryset`` narrowed to the rows whose ``fields`` (names or lookups through relations)
    match ``text``; unchanged for an empty text."""
    # A NUL character cannot reach PostgreSQL (forms refuse it; other callers lose it here).
    text = (text or "").replace("\x00", " ").strip()[:MAX_SEARCH_LENGTH]
    if not text:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        return _full_text(queryset, text, fields)
    return _plain(queryset, text, fields)


def _full_text(queryset, text, fields):
    from django.contrib.postgres.search import SearchQuery, SearchVector

    vector = SearchVector(*fields, config=SEARCH_CONFIG)
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    return queryset.annotate(_text_search=vector).filter(_text_search=query)


def plain_words(text):
    """``(wanted, unwanted)``: the words of ``text`` to find and those (``-word``) to leave out,
    quotes dropped."""
    wanted, unwanted = [], []
    for token in text.replace('"', " ").split()[:MAX_PLAIN_WORDS]:
        if token.startswith("-") and len(token) > 1:
            unwanted.append(token[1:])
        else:
            wanted.append(token)
    return wanted, unwanted


def _plain(queryset, text, fields):
    wanted, unwanted = plain_words(text)

    def anywhere(word):
        match = Q()
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
        return match

    for word in wanted:
        queryset = queryset.filter(anywhere(word))
    for word in unwanted:
        queryset = queryset.exclude(anywhere(word))
    return queryset
