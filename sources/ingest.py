"""The one place this app reaches the mentions' ingestion and models (they may move to their own
app: only these imports change)."""

from incidents.mentions import ingest_mentions  # noqa: F401
from incidents.models import Incident, Mention, Platform  # noqa: F401
from incidents.terms import TermMatcher  # noqa: F401

INCIDENT_MODEL = "incidents.Incident"
