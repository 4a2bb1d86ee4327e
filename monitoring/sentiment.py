"""A mention's sentiment: taken from the source when it gives one, computed here otherwise.

The computed score is VADER's compound score (vaderSentiment, a lexicon and rules shipped inside
the package: nothing is downloaded, at install or at run time). It reads English best; text in
other languages mostly scores neutral, which the label then says honestly.
"""

from functools import cache

from monitoring.models import Sentiment

# The label of a score, as VADER's authors suggest reading the compound score: from 0.05 up is
# positive, from -0.05 down is negative, in between neutral. One rule for every mention, given
# or computed.
POSITIVE_FROM = 0.05
NEGATIVE_FROM = -0.05


def label_for_score(score):
    """The sentiment label of a score from -1 to 1."""
    if score >= POSITIVE_FROM:
        return Sentiment.POSITIVE
    if score <= NEGATIVE_FROM:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


@cache
def analyser():
    """VADER's analyser, built once per process (it reads its lexicon from disk when built)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def score_text(text):
    """VADER's compound score of ``text``, from -1 (most negative) to 1 (most positive)."""
    if not text:
        return 0.0
    return analyser().polarity_scores(text)["compound"]


def sentiment_of(text, *, score=None, label=None):
    """``(score, label)`` for a mention: the source's own when it gave either, computed from the
    text when it gave neither. A label alone keeps no score (None): we do not invent one."""
    if score is not None:
        return score, label or label_for_score(score)
    if label is not None:
        return None, label
    score = score_text(text)
    return score, label_for_score(score)
