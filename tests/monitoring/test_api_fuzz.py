"""Fuzz of the mentions API, two ways, each with the hypothesis profile's number of examples per
endpoint (1,000 in CI, tests/conftest.py):

- schema-driven: schemathesis reads the OpenAPI schema the app serves (fetched through the app
  itself, in-process) and sends what it generates from it (valid and invalid batches, odd
  references, cursors and limits) with a valid token;
- awkward: batches whose fields hold the text that breaks careless code (NUL, lone surrogates sent
  as bytes that are not UTF-8, right-to-left marks, 100 kB strings, superscript digits, dates out
  of range, markup), wrong types and missing fields, and the read endpoint asked for odd
  references, cursors and limits.

No answer may be a server error, and every refusal says what is wrong: a 400 with a detail, or
the batch's answer naming each rejected item by index, field and message."""

import json
from urllib.parse import quote

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from incidents.models import Incident
from monitoring.models import ApiToken
from tests import factories
from tests.test_fuzz import AWKWARD, text

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
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_whatever_it_is_sent_without_a_server_error(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"}, checks=[not_a_server_error]
    )


FIELDS = ["platform", "external_id", "url", "author", "text", "posted_at", "reach", "sentiment"]

# What a field of a mention may hold: what the schema wants, awkward text, or the wrong type.
odd_value = st.one_of(
    text,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.lists(st.sampled_from(AWKWARD), max_size=2),
    st.dictionaries(st.sampled_from(FIELDS), st.sampled_from(AWKWARD), max_size=2),
)


@st.composite
def items(draw):
    """One mention: a valid one with some fields replaced, dropped or added."""
    item = factories.mention_item(draw(st.integers(min_value=1, max_value=5)))
    item["sentiment"] = draw(st.sampled_from([-0.4, 0, 1, "negative", "positive"]))
    for name in draw(st.lists(st.sampled_from(FIELDS + ["extra"]), max_size=4, unique=True)):
        if draw(st.booleans()):
            item[name] = draw(odd_value)
        else:
            item.pop(name, None)
    return item


def encoded(document):
    """JSON as a broken client could send it: lone surrogates become bytes that are not UTF-8."""
    return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")


API_FUZZ = settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def api_client(client, db):
    factories.make_incident(tracking_terms="#late, delivery, acme bank")
    token = ApiToken.issue("Awkward")[1]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def rolled_back(call):
    with transaction.atomic():
        response = call()
        transaction.set_rollback(True)
    return response


@API_FUZZ
@given(batch=st.lists(items(), max_size=4) | st.one_of(odd_value, st.lists(odd_value, max_size=3)))
def test_an_awkward_batch_is_answered_item_by_item(api_client, batch):
    body = encoded(batch)
    response = rolled_back(
        lambda: api_client.post("/api/v1/mentions", body, content_type="application/json")
    )

    assert response.status_code in (200, 400, 413), (batch, response.content[:300])
    answer = response.json()
    if response.status_code != 200:
        assert answer["detail"], batch
        return
    assert isinstance(batch, list)
    refused = {refusal["index"] for refusal in answer["rejected"]}
    assert answer["created"] + answer["duplicates"] + len(refused) == len(batch)
    for refusal in answer["rejected"]:
        assert 0 <= refusal["index"] < len(batch)
        assert refusal["field"] and refusal["message"], refusal


@API_FUZZ
@given(reference=st.none() | text, cursor=st.none() | text, limit=st.none() | text)
def test_the_mentions_list_refuses_odd_addresses_by_name(api_client, reference, cursor, limit):
    """None stands for the incident's own reference, so that odd cursors and limits reach the
    endpoint itself."""
    if reference is None:
        path = Incident.objects.get().reference
    else:
        path = quote(reference.encode("utf-8", "surrogatepass"), safe="")
    url = f"/api/v1/incidents/{path}/mentions"
    query = [
        f"{name}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in (("cursor", cursor), ("limit", limit))
        if value is not None
    ]
    if query:
        url += "?" + "&".join(query)
    response = api_client.get(url)

    assert response.status_code in (200, 400, 404, 422), (url[:200], response.content[:300])
    if response.status_code in (200, 400, 422):
        assert response["Content-Type"].startswith("application/json"), url[:200]
    if response.status_code in (400, 422):
        assert response.json()["detail"], url[:200]
