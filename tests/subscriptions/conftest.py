"""The subscription tests' real SMTP server (tests/mail_server.py), a fresh cache (the rate
limits count there), and an incident with an open public page."""

import pytest
from django.core.cache import cache

from tests import factories
from tests.mail_server import smtp  # noqa: F401 - a fixture


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def open_incident(comms, manager):
    incident = factories.make_incident(comms, public_title="Late deliveries")
    factories.make_statement(incident, comms, status="published")
    incident.open_public_page(by=manager)
    incident.refresh_from_db()
    return incident
