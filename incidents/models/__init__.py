"""What happens to us: incidents and the people they affect, one module per record."""

from incidents.models.incident import Incident, IncidentQuerySet, Platform, ReferenceCounter
from incidents.models.mention import (
    ApiToken,
    Mention,
    MentionLinkEvent,
    MentionQuerySet,
    Sentiment,
    SpikeThreshold,
)
from incidents.models.party import AffectedParty
from incidents.models.postmortem import PostMortem

__all__ = [
    "AffectedParty",
    "ApiToken",
    "Incident",
    "IncidentQuerySet",
    "Mention",
    "MentionLinkEvent",
    "MentionQuerySet",
    "Platform",
    "PostMortem",
    "ReferenceCounter",
    "Sentiment",
    "SpikeThreshold",
]
