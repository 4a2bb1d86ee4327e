"""What is said about us: mentions, their counts and imports, API tokens and spike thresholds.

The tables keep the names they had in the incidents app (``incidents_mention``…): the move
to this app changed no row (see migrations/0001_initial.py)."""

from monitoring.models.mention import (
    ApiToken,
    Mention,
    MentionCount,
    MentionLinkEvent,
    MentionQuerySet,
    Sentiment,
    SpikeThreshold,
)
from monitoring.models.mention_import import CsvColumnMapping, MentionImport

__all__ = [
    "ApiToken",
    "CsvColumnMapping",
    "Mention",
    "MentionCount",
    "MentionImport",
    "MentionLinkEvent",
    "MentionQuerySet",
    "Sentiment",
    "SpikeThreshold",
]
