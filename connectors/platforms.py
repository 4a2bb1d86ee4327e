"""The calls to Mastodon (Mastodon.py) and Bluesky (atproto): post one text, say what happened.

Each call returns a :class:`Posted` or raises :class:`PostFailed` with a reason a manager can act
on and whether a later try may succeed (a 429, a 5xx, a timeout) or not (a revoked token). Run by
the posting job only: a page never waits on a platform.
"""

import email.utils
from datetime import datetime, timedelta
from typing import NamedTuple

import requests
from atproto import Client as BlueskyClient
from atproto_client import exceptions as bluesky_errors
from atproto_client.request import Request as BlueskyRequest
from django.conf import settings
from mastodon import Mastodon
from mastodon import errors as mastodon_errors

from crisis import timekeeper
from incidents.models import Platform


class Posted(NamedTuple):
    url: str
    # True when a retry found the post an earlier try had made, instead of posting again.
    was_there: bool = False


class PostFailed(Exception):
    def __init__(self, reason, *, transient, retry_after=None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        # Seconds the platform asked us to wait (Retry-After), or None.
        self.retry_after = retry_after


def post(account, text, *, idempotency_key, since, look_first):
    """Post ``text`` to ``account``. ``look_first`` says an earlier try may have reached the
    platform: Mastodon is sent the same ``idempotency_key`` anyway; Bluesky, which has no such
    key, is asked for the account's posts since ``since`` and the post is not made again when
    one has this exact text."""
    if account.platform == Platform.MASTODON:
        return _post_to_mastodon(account, text, idempotency_key)
    return _post_to_bluesky(account, text, since=since, look_first=look_first)


def retry_after_seconds(headers, now=None):
    """The wait a 429 asks for: ``Retry-After`` (seconds or an HTTP date), else the rate limit's
    reset time (Mastodon's ``X-RateLimit-Reset``, an ISO time; Bluesky's ``RateLimit-Reset``,
    epoch seconds). None when none is readable."""
    headers = {str(key).lower(): str(value) for key, value in (headers or {}).items()}
    now = now or timekeeper.now()
    raw = headers.get("retry-after", "").strip()
    if raw.isdigit():
        return int(raw)
    if raw:
        try:
            return max(0, int((email.utils.parsedate_to_datetime(raw) - now).total_seconds()))
        except (TypeError, ValueError):
            pass
    reset = headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset") or ""
    try:
        when = (
            datetime.fromtimestamp(int(reset), tz=now.tzinfo)
            if reset.isdigit()
            else datetime.fromisoformat(reset.replace("Z", "+00:00"))
        )
    except ValueError:
        return None
    return max(0, int((when - now).total_seconds()))


def _post_to_mastodon(account, text, idempotency_key):
    session = requests.Session()
    last = {}
    session.hooks["response"].append(lambda response, *args, **kwargs: last.update(r=response))
    api = Mastodon(
        access_token=account.secret(),
        api_base_url=account.server_url,
        # No version probe: one call per post, and the statuses API is the same in every version.
        version_check_mode="none",
        request_timeout=settings.CONNECTOR_TIMEOUT,
        ratelimit_method="throw",
        session=session,
    )
    try:
        status = api.status_post(text, idempotency_key=idempotency_key, visibility="public")
    except mastodon_errors.MastodonRatelimitError as error:
        headers = last["r"].headers if "r" in last else {}
        raise PostFailed(
            "Mastodon is limiting our posts (429 Too Many Requests); it will be tried again.",
            transient=True,
            retry_after=retry_after_seconds(headers),
        ) from error
    except mastodon_errors.MastodonUnauthorizedError as error:
        raise PostFailed(
            "Mastodon refused the access token (401): it was revoked or mistyped. Enter a new "
            "token for the account in the admin site, then retry.",
            transient=False,
        ) from error
    except mastodon_errors.MastodonServerError as error:
        raise PostFailed(
            f"Mastodon answered with a server error ({_code(error)}); it will be tried again.",
            transient=True,
        ) from error
    except mastodon_errors.MastodonNetworkError as error:
        raise PostFailed(
            f"Mastodon at {account.server_url} did not answer within "
            f"{settings.CONNECTOR_TIMEOUT} s or could not be reached; it will be tried again.",
            transient=True,
        ) from error
    except mastodon_errors.MastodonAPIError as error:
        raise PostFailed(f"Mastodon refused the post: {_code(error)}.", transient=False) from error
    url = status.get("url") or status.get("uri") or ""
    if not url:
        raise PostFailed("Mastodon accepted the post but gave no link to it.", transient=False)
    return Posted(url)


def _code(error):
    # Mastodon.py's errors carry (message, status code, reason, detail) as their args.
    args = [str(arg) for arg in error.args if arg]
    return " ".join(args[1:3]) if len(args) >= 3 else (args[0] if args else "no detail")


def _post_to_bluesky(account, text, *, since, look_first):
    client = BlueskyClient(
        base_url=account.server_url.rstrip("/") + "/xrpc",
        request=BlueskyRequest(timeout=settings.CONNECTOR_TIMEOUT),
    )
    try:
        client.login(account.handle, account.secret(), fetch_bsky_profile=False)
        if look_first:
            found = _find_post(client, account.handle, text, since)
            if found:
                return Posted(_bluesky_url(account.handle, found), was_there=True)
        created = client.send_post(text, profile_identify=account.handle)
    except bluesky_errors.InvokeTimeoutError as error:
        raise PostFailed(
            f"Bluesky at {account.server_url} did not answer within "
            f"{settings.CONNECTOR_TIMEOUT} s; it will be tried again.",
            transient=True,
        ) from error
    except bluesky_errors.RequestErrorBase as error:
        raise _bluesky_failure(account, error) from error
    return Posted(_bluesky_url(account.handle, created.uri))


def _find_post(client, handle, text, since):
    """The URI of the account's post with exactly ``text`` made since ``since`` (with a minute's
    allowance for clocks), among its latest 50, or None."""
    records = client.com.atproto.repo.list_records(
        {"repo": handle, "collection": "app.bsky.feed.post", "limit": 50}
    ).records
    earliest = since - timedelta(minutes=1)
    for record in records:
        value = record.value
        created = getattr(value, "created_at", None) or ""
        try:
            made = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            continue
        if getattr(value, "text", None) == text and made >= earliest:
            return record.uri
    return None


def _bluesky_url(handle, uri):
    # at://did:plc:…/app.bsky.feed.post/<rkey> is read at bsky.app/profile/<handle>/post/<rkey>.
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def _bluesky_failure(account, error):
    response = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    content = getattr(response, "content", None)
    detail = getattr(content, "message", None) or getattr(content, "error", None) or ""
    if code is None:
        return PostFailed(
            f"Bluesky at {account.server_url} could not be reached; it will be tried again.",
            transient=True,
        )
    if code == 429:
        return PostFailed(
            "Bluesky is limiting our posts (429 Too Many Requests); it will be tried again.",
            transient=True,
            retry_after=retry_after_seconds(response.headers),
        )
    if code in (401, 403):
        return PostFailed(
            f"Bluesky refused the sign-in ({code}): the app password was revoked or mistyped. "
            "Enter a new app password for the account in the admin site, then retry.",
            transient=False,
        )
    if code >= 500 or code in (408, 409, 413):
        return PostFailed(
            f"Bluesky answered with a server error ({code}); it will be tried again.",
            transient=True,
        )
    return PostFailed(
        f"Bluesky refused the post ({code}{': ' + detail if detail else ''}).", transient=False
    )
