"""The one place this app reaches the mentions' ingestion and models (``monitoring``) and the
incidents they are linked to."""

from incidents.models import Incident, Platform  # noqa: F401
from monitoring.mentions import ingest_mentions  # noqa: F401
from monitoring.models import Mention  # noqa: F401
from monitoring.terms import TermMatcher  # noqa: F401

INCIDENT_MODEL = "incidents.Incident"
