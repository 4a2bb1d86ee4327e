"""What happens to us: incidents and the people they affect, one module per record."""

from incidents.models.incident import Incident
from incidents.models.incident_queryset import IncidentQuerySet
from incidents.models.mention import (
    ApiToken,
    Mention,
    MentionCount,
    MentionLinkEvent,
    MentionQuerySet,
    Sentiment,
    SpikeThreshold,
)
from incidents.models.mention_import import CsvColumnMapping, MentionImport
from incidents.models.party import AffectedParty
from incidents.models.platform import Platform
from incidents.models.postmortem import PostMortem
from incidents.models.reference import ReferenceCounter

__all__ = [
    "AffectedParty",
    "ApiToken",
    "CsvColumnMapping",
    "Incident",
    "IncidentQuerySet",
    "Mention",
    "MentionCount",
    "MentionImport",
    "MentionLinkEvent",
    "MentionQuerySet",
    "Platform",
    "PostMortem",
    "ReferenceCounter",
    "Sentiment",
    "SpikeThreshold",
]
