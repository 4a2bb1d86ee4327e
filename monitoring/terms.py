"""Tracking terms: which mentions an incident's terms find, and which incident wins a mention.

An incident's tracking terms (comma-separated on the incident) are words, phrases, hashtags
(``#acmefail``) and handles (``@acme``). A term matches a mention's text:

- without regard to case (both sides are Unicode case-folded, so ``STRASSE`` finds ``straße``
  and a final sigma finds a medial one);
- on word boundaries: the characters just before and after the term are not letters, digits,
  marks or ``_`` in any script. So ``acme`` finds "Acme's", "#acme" and "@acme" but not
  "acmes" or "@acme_support"; ``#acme`` finds "#Acme!" but not "acme" or "#acmefail";
  ``@acme`` does not find the address "support@acme.com";
- with any punctuation inside the term taken literally (``c++``, ``acme.com``, ``o'neil``),
  and any run of spaces or line breaks in the text matching a space in a phrase;
- in scripts written without spaces between words (Chinese, Japanese, Korean, Thai, Lao, Khmer,
  Burmese) no boundary is required on a side where the term begins or ends with such a letter:
  there the term is found inside a run of text, as a reader would find it. Scripts that separate
  words with spaces (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari...) keep the boundaries;
  write Arabic terms as they appear, article included (``الشركة``).

The rule is one regular expression per term (:func:`term_pattern`). To match thousands of
mentions a second, :class:`TermMatcher` searches a text with a term's expression only when the
text holds the term's longest word as a plain substring, which rules out nearly every term that
is not there for a fraction of the cost.

When one mention matches the terms of several open incidents, it is linked to one: the most
severe, then the one detected first (then the one declared first); drills come after every real
incident. A mention belongs to one conversation, and the most serious incident is where the
team looks first; the others can still link it by hand.
"""

from functools import lru_cache

import regex

# Letters of scripts written without spaces between words: no boundary is asked for beside them.
_UNSPACED = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]"
)


def split_terms(text):
    """The terms of a comma-separated list, stripped, case-folded, without empties or repeats."""
    seen = []
    for term in (text or "").split(","):
        term = " ".join(term.split()).casefold()
        if term and term not in seen:
            seen.append(term)
    return seen


def _terms_of(terms):
    if isinstance(terms, str):
        return tuple(split_terms(terms))
    return tuple(split_terms(",".join(terms)))


def term_pattern(term):
    """THE rule, as a regular expression for one case-folded term (see the module docstring)."""
    body = r"\s+".join(regex.escape(word) for word in term.split(" "))
    before = "" if _UNSPACED.match(term[0]) else r"(?<!\w)"
    after = "" if _UNSPACED.match(term[-1]) else r"(?!\w)"
    return f"{before}{body}{after}"


@lru_cache(maxsize=1024)
def _compiled(term):
    return regex.compile(term_pattern(term))


class TermMatcher:
    """The tracking terms of several incidents, prepared once (for a batch), in the order in
    which they win a mention that matches more than one."""

    def __init__(self, incidents):
        """``incidents``: ``(incident id, terms)`` pairs, the winner first; ``terms`` a list or
        comma-separated text."""
        # (incident id, a piece any matching text holds as it is, the term's expression), in
        # precedence order: the first term confirmed wins.
        self._terms = [
            (incident_id, _fragment(term), _compiled(term))
            for incident_id, terms in incidents
            for term in _terms_of(terms)
        ]

    @classmethod
    def for_open_incidents(cls):
        """The open incidents' terms, in precedence order (real before drills, most severe, then
        first detected, then first declared). One query."""
        from incidents.models import Incident

        rows = (
            Incident.objects.open()
            .exclude(tracking_terms="")
            .order_by("is_drill", "severity", "detected_at", "declared_at", "pk")
            .values_list("pk", "tracking_terms")
        )
        return cls(list(rows))

    def __bool__(self):
        return bool(self._terms)

    def match(self, text):
        """The id of the incident that wins ``text``, or None."""
        if not text or not self._terms:
            return None
        folded = text.casefold()
        for incident_id, fragment, pattern in self._terms:
            # A substring test costs a fraction of a regular expression search, and rules out
            # nearly every term that is not in the text.
            if fragment in folded and pattern.search(folded) is not None:
                return incident_id
        return None


def _fragment(term):
    """The longest piece of ``term`` that any text it matches holds as it is (a phrase's words
    may be apart by other spaces in the text)."""
    return max(term.split(" "), key=len)


@lru_cache(maxsize=256)
def _matcher_of(terms):
    return TermMatcher([(0, terms)])


def terms_match(text, terms):
    """Whether ``text`` holds any of ``terms`` (a list, or comma-separated text)."""
    return _matcher_of(_terms_of(terms)).match(text) is not None
