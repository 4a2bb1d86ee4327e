"""POST /api/v1/mentions and GET /api/v1/incidents/<reference>/mentions."""

import base64
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.models import ApiToken, Mention
from tests import factories

URL = "/api/v1/mentions"


@pytest.fixture
def token(db):
    return ApiToken.issue("Brandwatch")[1]


def post(client, body, token=None, *, authorization=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if authorization is not None:
        headers["Authorization"] = authorization
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return client.post(URL, body, content_type="application/json", headers=headers)


def batch(start, stop, **overrides):
    return [factories.mention_item(n, **overrides) for n in range(start, stop)]


def test_the_routes_are_where_the_readme_says():
    assert reverse("api:mentions") == URL
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"


def test_a_batch_is_stored_and_counted(client, token):
    response = post(client, batch(1, 4) + [factories.mention_item(9, platform="myspace")], token)

    assert response.status_code == 200
    assert response.json() == {
        "created": 3,
        "duplicates": 0,
        "rejected": [
            {
                "index": 3,
                "field": "platform",
                "message": response.json()["rejected"][0]["message"],
            }
        ],
    }
    assert "x" in response.json()["rejected"][0]["message"]
    assert set(Mention.objects.values_list("source", flat=True)) == {"api:Brandwatch"}


def test_sending_a_batch_again_stores_nothing_new(client, token):
    post(client, batch(1, 6), token)
    rows = list(Mention.objects.order_by("pk").values_list("pk", "external_id", "text"))

    response = post(client, batch(1, 6, text="changed"), token)

    assert response.json() == {"created": 0, "duplicates": 5, "rejected": []}
    assert list(Mention.objects.order_by("pk").values_list("pk", "external_id", "text")) == rows


def test_an_empty_batch_is_fine(client, token):
    assert post(client, [], token).json() == {"created": 0, "duplicates": 0, "rejected": []}


# Every limit


def unauthorised(response):
    return response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_without_a_usable_token_nothing_is_read_or_stored(client, admin):
    revoked_token, revoked = ApiToken.issue("Revoked")
    revoked_token.revoke(by=admin)
    soon = timezone.now() + timedelta(seconds=1)
    expired_token, expired = ApiToken.issue("Expired", expires_at=soon)
    ApiToken.objects.filter(pk=expired_token.pk).update(expires_at=timezone.now())
    _token, good = ApiToken.issue("Good")
    body = json.dumps(batch(1, 3))

    answers = [
        post(client, body),
        post(client, body, authorization=f"Basic {good}"),
        post(client, body, authorization="Bearer"),
        post(client, body, authorization=f"Bearer  {good}"),
        post(client, body, "cd_nothing_here"),
        post(client, body, good[:-2]),
        post(client, body, revoked),
        post(client, body, expired),
        # The body is not even parsed: malformed JSON or a huge body still answer 401.
        post(client, b"{not json", "wrong"),
        post(client, b"[" + b" " * (6 * 1024 * 1024) + b"]", "wrong"),
    ]

    assert all(unauthorised(answer) for answer in answers), [a.status_code for a in answers]
    assert not Mention.objects.exists()
    assert set(ApiToken.objects.values_list("last_used_at", flat=True)) == {None}


def test_the_token_is_needed_even_when_signed_in(client, comms):
    client.force_login(comms)
    assert unauthorised(post(client, batch(1, 2)))
    assert not Mention.objects.exists()


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"[1, 2", b"\xff\xfe[]", b"NaN]", b"[" * 100_000],
)
def test_malformed_json_is_a_400(client, token, body):
    response = post(client, body, token)

    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize("body", [{"platform": "x"}, b'"a string"', 42, None])
def test_a_body_that_is_not_an_array_is_a_400(client, token, body):
    response = post(client, body, token)

    assert response.status_code == 400
    assert response.json() == {"detail": "The body must be a JSON array of mentions."}


def test_more_than_a_thousand_mentions_is_a_400_that_says_so(client, token):
    response = post(client, [{}] * 1001, token)

    assert response.status_code == 400
    assert "at most 1,000 mentions; this one has 1,001" in response.json()["detail"]
    assert not Mention.objects.exists()


def test_a_body_over_the_limit_is_a_413(client, token, settings):
    settings.MENTIONS_API_MAX_BYTES = 2000
    small = json.dumps(batch(1, 2))
    big = json.dumps(batch(1, 30))
    assert len(small) < 2000 < len(big)

    assert post(client, small, token).status_code == 200
    response = post(client, big, token)

    assert response.status_code == 413
    assert "larger than 2,000 bytes" in response.json()["detail"]
    assert Mention.objects.count() == 1


def test_a_full_batch_larger_than_djangos_form_limit_is_accepted(client, token, settings):
    # Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) guards forms; the API has its own limit.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    items = batch(1, 1001, text="long " * 100, sentiment_score=-0.2)
    body = json.dumps(items)
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = post(client, body, token)

    assert response.status_code == 200
    assert response.json()["created"] == 1000


def test_the_api_needs_no_csrf_token_but_the_site_keeps_it(token, comms):
    client = Client(enforce_csrf_checks=True)

    assert post(client, batch(1, 2), token).status_code == 200

    client.force_login(comms)
    assert client.post(reverse("incidents:create"), {"title": "x"}).status_code == 403


def test_the_schema_is_served_and_describes_the_batch(client):
    schema = client.get("/api/v1/openapi.json").json()

    operation = schema["paths"]["/api/v1/mentions"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["maxItems"] == 1000
    assert set(body["items"]["required"]) == {"platform", "external_id", "posted_at"}
    assert operation["security"] == [{"BearerToken": []}]
    assert "/api/v1/incidents/{reference}/mentions" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 404
    # The operation ids of before the move to the monitoring app: generated clients keep theirs.
    assert operation["operationId"] == "incidents_api_post_mentions"
    listing = schema["paths"]["/api/v1/incidents/{reference}/mentions"]["get"]
    assert listing["operationId"] == "incidents_api_incident_mentions"


# Two clients at once


@pytest.mark.django_db(transaction=True)
def test_two_clients_sending_the_same_batch_at_once_store_it_once():
    _token, whole = ApiToken.issue("Twins")
    body = json.dumps(batch(1, 401, sentiment_score=0.1))
    start = threading.Barrier(2)
    answers, errors = [], []

    def send():
        try:
            start.wait(timeout=10)
            answers.append(post(Client(), body, whole).json())
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(a["created"] for a in answers) == 400
    assert sum(a["duplicates"] for a in answers) == 400
    assert Mention.objects.count() == 400


# Reading an incident's mentions


def page(client, token, incident, **params):
    url = f"/api/v1/incidents/{incident.reference}/mentions"
    return client.get(url, params, headers={"Authorization": f"Bearer {token}"})


def test_an_incidents_mentions_come_newest_first_a_page_at_a_time(client, token, incident):
    base = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
    for n in range(5):
        # Two share a posted time: the id breaks the tie.
        factories.make_mention(incident, posted_at=base + timedelta(minutes=min(n, 3)))
    factories.make_mention(None, external_id="inbox")
    expected = list(
        Mention.objects.filter(incident=incident)
        .order_by("-posted_at", "-pk")
        .values_list("pk", flat=True)
    )

    seen, cursor = [], None
    for _ in range(3):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = page(client, token, incident, **params).json()
        seen.extend(item["id"] for item in body["items"])
        cursor = body["next_cursor"]
    assert seen == expected
    assert cursor is None


def test_each_page_costs_the_same(client, token, incident, django_assert_num_queries):
    for n in range(30):
        factories.make_mention(
            incident, posted_at=datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=n)
        )
    first = page(client, token, incident, limit=5).json()
    with django_assert_num_queries(3):  # token, incident, page
        page(client, token, incident, limit=5, cursor=first["next_cursor"])


def test_an_unknown_incident_or_cursor_is_refused(client, token, incident):
    url = "/api/v1/incidents/CR-1999-999/mentions"
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 404
    assert page(client, token, incident, cursor="not-a-cursor").status_code == 400
    odd = base64.urlsafe_b64encode(b"0001-01-01T00:00:00+01:00|5").decode()
    assert page(client, token, incident, cursor=odd).status_code == 400
    assert page(client, token, incident, limit=0).status_code == 422
    assert page(client, token, incident, limit=501).status_code == 422
