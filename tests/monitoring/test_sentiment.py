"""Sentiment: the one rule from score to label, and VADER computed locally, never downloading."""

import socket

import pytest

from monitoring import sentiment
from monitoring.models import Sentiment


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (1.0, Sentiment.POSITIVE),
        (0.05, Sentiment.POSITIVE),
        (0.0499, Sentiment.NEUTRAL),
        (0.0, Sentiment.NEUTRAL),
        (-0.0499, Sentiment.NEUTRAL),
        (-0.05, Sentiment.NEGATIVE),
        (-1.0, Sentiment.NEGATIVE),
    ],
)
def test_the_label_of_a_score(score, label):
    assert sentiment.label_for_score(score) == label


def test_the_source_wins_and_the_text_is_read_only_without_it():
    assert sentiment.sentiment_of("I love it", score=-0.4) == (-0.4, Sentiment.NEGATIVE)
    assert sentiment.sentiment_of("I love it", score=-0.4, label="neutral") == (-0.4, "neutral")
    assert sentiment.sentiment_of("I love it", label="negative") == (None, "negative")
    score, label = sentiment.sentiment_of("I love it")
    assert score > 0.05 and label == Sentiment.POSITIVE
    assert sentiment.sentiment_of("") == (0.0, Sentiment.NEUTRAL)


def test_the_analyser_is_built_once_and_needs_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("VADER tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    sentiment.analyser.cache_clear()

    first = sentiment.analyser()
    assert sentiment.score_text("This is terrible and awful") < -0.5
    assert sentiment.analyser() is first
