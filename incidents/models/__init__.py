"""What happens to us: incidents and the people they affect, one module per record."""

from incidents.models.incident import Incident
from incidents.models.incident_queryset import IncidentQuerySet
from incidents.models.party import AffectedParty
from incidents.models.platform import Platform
from incidents.models.postmortem import PostMortem
from incidents.models.reference import ReferenceCounter

__all__ = [
    "AffectedParty",
    "Incident",
    "IncidentQuerySet",
    "Platform",
    "PostMortem",
    "ReferenceCounter",
]
