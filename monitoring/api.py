"""The mentions API under /api/v1/ (django-ninja), for listening tools and other programs.

Every operation needs ``Authorization: Bearer <token>`` (an :class:`~incidents.models.ApiToken`);
a request without a usable token is answered 401 before its body is read. The OpenAPI schema is
served at /api/v1/openapi.json. Ninja's interactive docs page is off: it loads its scripts from
a CDN and runs inline script, which this site's Content-Security-Policy forbids.

The API authenticates by token, never by the session cookie, so cross-site request forgery does
not apply to it (a browser cannot add the header to a forged request) and ninja's views are
exempt from Django's CSRF check; every other page of the site keeps it.
"""

import base64
import json
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from pydantic import Field

from incidents.models import Incident
from monitoring.mentions import MAX_BATCH, MentionIn, ingest_mentions
from monitoring.models import ApiToken, Mention


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        return ApiToken.authenticate(token)


class MentionsAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        """The operation ids the schema had when the API was incidents.api (issue 22 moved it
        here): clients generated from the schema keep their method names."""
        return f"incidents_api_{operation.view_func.__name__}"


api = MentionsAPI(
    title="Crisis Desk API",
    version="1",
    description=(
        "Push mentions from listening tools and read an incident's mentions. Every operation "
        "needs `Authorization: Bearer <token>`; an admin creates tokens in the admin site or "
        "with `manage.py create_api_token NAME`."
    ),
    urls_namespace="api",
    docs_url=None,
    # The schema is read, never posted to.
    docs_decorator=require_safe,
    auth=BearerToken(),
)


@api.exception_handler(AuthenticationError)
def _unauthorised(request, error):
    response = api.create_response(
        request,
        {"detail": "A valid API token is required (Authorization: Bearer <token>)."},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


class Error(Schema):
    detail: str


class Rejected(Schema):
    index: int = Field(description="Position of the item in the batch, from 0.")
    field: str = Field(description='The field at fault, or "item" for the item as a whole.')
    message: str


class IngestOut(Schema):
    created: int = Field(description="Mentions stored by this request.")
    duplicates: int = Field(
        description="Valid mentions already stored (or sent twice in the batch): not stored again."
    )
    rejected: list[Rejected] = Field(description="One entry per problem of a refused item.")


class MentionOut(Schema):
    id: int
    platform: str
    external_id: str
    url: str
    author: str
    text: str
    posted_at: datetime
    sentiment_score: float | None
    sentiment_label: str
    reach: int
    received_at: datetime
    linked_at: datetime | None


class MentionPage(Schema):
    items: list[MentionOut]
    next_cursor: str | None = Field(
        description="Pass it as `cursor` for the next page; null on the last page."
    )


def _error(status, detail):
    return Status(status, {"detail": detail})


def _batch_schema():
    item = MentionIn.model_json_schema()
    item.pop("title", None)
    return {
        "type": "array",
        "maxItems": MAX_BATCH,
        "items": item,
        "description": f"Up to {MAX_BATCH:,} mentions.",
    }


@api.post(
    "/mentions",
    url_name="mentions",
    summary="Push a batch of mentions",
    description=(
        f"Stores up to {MAX_BATCH:,} mentions. Invalid items are reported by index, field and "
        "message while the valid ones are stored. A mention already stored (same platform and "
        "external id) is counted as a duplicate and not stored again, so a batch may be sent "
        "again safely. Sentiment is computed from the text when the item gives neither score "
        "nor label. Mentions whose text holds an open incident's tracking terms are linked to it."
    ),
    response={200: IngestOut, 400: Error, 413: Error},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _batch_schema()}},
        }
    },
)
def post_mentions(request: HttpRequest):
    # The body is read here rather than through request.body, so that the API's own limit
    # (MENTIONS_API_MAX_BYTES) applies instead of DATA_UPLOAD_MAX_MEMORY_SIZE, which guards the
    # site's forms and is smaller than a full batch may be.
    limit = settings.MENTIONS_API_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "The Content-Length header is not a number.")
    if length > limit:
        return _error(413, f"The body is larger than {limit:,} bytes; send smaller batches.")
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return _error(413, f"The body is larger than {limit:,} bytes; send smaller batches.")
    try:
        items = json.loads(raw)
    except (ValueError, RecursionError) as error:
        return _error(400, f"The body is not valid JSON: {error}")
    if not isinstance(items, list):
        return _error(400, "The body must be a JSON array of mentions.")
    if len(items) > MAX_BATCH:
        return _error(
            400,
            f"A batch holds at most {MAX_BATCH:,} mentions; this one has {len(items):,}. "
            "Split it and send each part.",
        )
    return ingest_mentions(items, source=request.auth.source).as_dict()


MAX_PAGE = 500


def _encode_cursor(mention):
    text = f"{mention.posted_at.astimezone(UTC).isoformat()}|{mention.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
        moment, pk = text.split("|")
        posted_at = datetime.fromisoformat(moment).astimezone(UTC)
        pk = int(pk)
    except (ValueError, UnicodeError, OverflowError):
        return None
    if not moment.endswith("+00:00") or not 0 < pk < 2**63:
        return None
    return posted_at, pk


@api.get(
    "/incidents/{reference:reference}/mentions",
    url_name="incident-mentions",
    summary="List an incident's mentions",
    description=(
        "The incident's linked mentions, newest posted first, a page at a time. Pass the "
        "`next_cursor` of a page as `cursor` to get the next; every page costs the same."
    ),
    response={200: MentionPage, 400: Error, 404: Error},
)
def incident_mentions(
    request: HttpRequest,
    reference: str,
    cursor: str | None = None,
    limit: int = Query(100, ge=1, le=MAX_PAGE),
):
    incident = get_object_or_404(Incident.objects.only("pk"), reference=reference)
    mentions = Mention.objects.filter(incident=incident).newest_first()
    if cursor:
        position = _decode_cursor(cursor)
        if position is None:
            return _error(400, "The cursor is not one this API gave out.")
        mentions = mentions.before(*position)
    page = list(mentions[: limit + 1])
    next_cursor = _encode_cursor(page[limit - 1]) if len(page) > limit else None
    return {"items": page[:limit], "next_cursor": next_cursor}
