"""A schema-driven fuzz of the mentions API: schemathesis reads the OpenAPI schema the app serves
(fetched through the app itself, in-process) and sends what it generates from it (valid and
invalid batches, odd references, cursors and limits) with a valid token. No answer may be a
server error."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from incidents.models import ApiToken
from tests import factories

# Serving the schema reads no database, so it can be fetched when the module is collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def token(db):
    factories.make_incident(tracking_terms="#late, delivery, acme bank")
    # As Django's test client does: a request must not close the test's connection (and roll
    # its transaction away) when it ends.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield ApiToken.issue("Fuzzer")[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_whatever_it_is_sent_without_a_server_error(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )
