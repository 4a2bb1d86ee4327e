"""What happens to us: incidents and the people they affect, one module per record."""

from incidents.models.incident import Incident, IncidentQuerySet, Platform, ReferenceCounter
from incidents.models.party import AffectedParty
from incidents.models.postmortem import PostMortem

__all__ = [
    "AffectedParty",
    "Incident",
    "IncidentQuerySet",
    "Platform",
    "PostMortem",
    "ReferenceCounter",
]
