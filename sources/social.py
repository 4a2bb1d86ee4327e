"""A Mastodon hashtag (Mastodon.py ``timeline_hashtag`` walked up with ``min_id``) and a Bluesky
search (atproto ``search_posts`` with its cursor and ``since``) as mentions.

The client libraries make their own connections, so the address guard cannot sit at the socket:
the instance's host is resolved and checked (:func:`sources.fetch.check_address`) before every
poll, and no redirect is followed (a redirect fails the poll).
"""

from datetime import UTC, datetime

import requests
from atproto import Client as BlueskyClient
from atproto_client import exceptions as bluesky_errors
from atproto_client.request import Request as BlueskyRequest
from django.conf import settings
from django.utils.html import strip_tags
from mastodon import Mastodon
from mastodon import errors as mastodon_errors

from connectors.crypto import CredentialUnreadable
from connectors.platforms import retry_after_seconds
from sources.feeds import plain_text
from sources.fetch import PollFailed, check_address
from sources.ingest import Platform

MASTODON_PAGE = 40
BLUESKY_PAGE = 100


def _when(value, now):
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return now
    if not isinstance(value, datetime) or value.tzinfo is None:
        return now
    return min(value.astimezone(UTC), now)


def poll_mastodon(source, now):
    """Statuses with the source's hashtag above the cursor, oldest pages first. Returns (items,
    state); the state's ``more`` says a burst is still waiting above the new cursor.

    The first poll takes the newest page and starts there (no history is walked). Later polls
    ask with ``min_id``, which answers the page just above the cursor, and walk up page after
    page (at most SOURCES_MASTODON_PAGES), the cursor moving to the highest id taken; ``since_id``
    would answer the newest page above the cursor and skip what lies between.
    """
    check_address(source.url)
    session = requests.Session()
    session.trust_env = False
    session.max_redirects = 0
    last = {}
    session.hooks["response"].append(lambda response, *a, **k: last.update(r=response))
    api = Mastodon(
        api_base_url=source.url,
        version_check_mode="none",
        request_timeout=settings.SOURCES_TIMEOUT,
        ratelimit_method="throw",
        session=session,
    )
    tag = source.query.strip().lstrip("#")
    cursor = int(source.cursor) if source.cursor.isdigit() else 0
    items = []
    more = False
    for _page in range(max(1, settings.SOURCES_MASTODON_PAGES)):
        statuses = _hashtag_page(api, tag, cursor, source, last)
        highest = cursor
        for status in statuses:
            number = _status_number(status)
            # Above the cursor only (an instance answering more than asked is not trusted).
            if cursor and number <= cursor:
                continue
            highest = max(highest, number)
            items.append(_mastodon_item(status, now))
        first = not cursor
        full = len(statuses) >= MASTODON_PAGE
        if highest <= cursor:
            break
        cursor = highest
        if first or not full:
            break
    else:
        more = full
    return items, {"cursor": str(cursor) if cursor else source.cursor, "more": more}


def _hashtag_page(api, tag, cursor, source, last):
    """One page of the hashtag timeline: the newest page without a cursor, else the page just
    above it (``min_id``). Mastodon answers either newest first; the caller does not rely on
    the order."""
    try:
        if cursor:
            statuses = api.timeline_hashtag(tag, min_id=str(cursor), limit=MASTODON_PAGE)
        else:
            statuses = api.timeline_hashtag(tag, limit=MASTODON_PAGE)
    except mastodon_errors.MastodonRatelimitError as error:
        wait = retry_after_seconds(last["r"].headers if "r" in last else {})
        raise PollFailed("Mastodon is limiting our requests (429).", retry_after=wait) from error
    except mastodon_errors.MastodonServerError as error:
        headers = last["r"].headers if "r" in last else {}
        raise PollFailed(
            f"Mastodon answered with a server error ({_args(error)}).",
            retry_after=retry_after_seconds(headers),
        ) from error
    except mastodon_errors.MastodonNetworkError as error:
        raise PollFailed(
            f"Mastodon at {source.host} did not answer within {settings.SOURCES_TIMEOUT} s, "
            "could not be reached, or redirected elsewhere."
        ) from error
    except mastodon_errors.MastodonError as error:
        raise PollFailed(f"Mastodon refused the request: {_args(error)}.") from error
    return list(statuses or [])


def _status_number(status):
    value = str(status["id"])
    return int(value) if value.isdigit() else 0


def _mastodon_item(status, now):
    account = status.get("account") or {}
    return {
        "platform": Platform.MASTODON,
        # The status's URI is the same on every instance: seen twice, stored once.
        "external_id": str(status.get("uri") or status["id"])[:200],
        "url": str(status.get("url") or status.get("uri") or "")[:2000],
        "author": str(account.get("acct") or "")[:200],
        "text": plain_text(status.get("content")),
        "posted_at": _when(status.get("created_at"), now),
        "reach": max(0, int(account.get("followers_count") or 0)),
    }


def _args(error):
    args = [str(arg) for arg in error.args if arg]
    return " ".join(args[1:3]) if len(args) >= 3 else (args[0] if args else "no detail")


def poll_bluesky(source, now):
    """Posts matching the source's search since the newest seen, following the cursor for up to
    SOURCES_BLUESKY_PAGES pages; a search left unfinished keeps its cursor for the next poll.
    Returns (items, state)."""
    check_address(source.url)
    client = BlueskyClient(
        base_url=source.url.rstrip("/") + "/xrpc",
        request=BlueskyRequest(timeout=settings.SOURCES_TIMEOUT),
    )
    items = []
    cursor = source.cursor or None
    newest = source.since
    try:
        if source.handle and source.has_secret:
            client.login(source.handle, source.secret(), fetch_bsky_profile=False)
        for _page in range(max(1, settings.SOURCES_BLUESKY_PAGES)):
            params = {"q": source.query, "limit": BLUESKY_PAGE, "sort": "latest"}
            if cursor:
                params["cursor"] = cursor
            if source.since:
                params["since"] = source.since
            answer = client.app.bsky.feed.search_posts(params=params)
            for post in answer.posts:
                items.append(_bluesky_item(post, now))
                indexed = getattr(post, "indexed_at", "") or ""
                newest = max(newest, indexed)
            cursor = answer.cursor if answer.posts else None
            if not cursor:
                break
    except CredentialUnreadable as error:
        raise PollFailed(str(error)) from error
    except bluesky_errors.InvokeTimeoutError as error:
        raise PollFailed(
            f"Bluesky at {source.host} did not answer within {settings.SOURCES_TIMEOUT} s."
        ) from error
    except bluesky_errors.AtProtocolError as error:
        raise _bluesky_failure(source, error) from error
    # Unfinished: continue from the cursor next time, with the same ``since``.
    if cursor:
        return items, {"cursor": cursor, "more": True}
    return items, {"cursor": "", "since": newest, "more": False}


def _bluesky_item(post, now):
    record = post.record
    handle = post.author.handle
    rkey = post.uri.rsplit("/", 1)[-1]
    return {
        "platform": Platform.BLUESKY,
        "external_id": post.uri[:200],
        "url": f"https://bsky.app/profile/{handle}/post/{rkey}"[:2000],
        "author": handle[:200],
        "text": strip_tags(getattr(record, "text", "") or "")[:20000],
        "posted_at": _when(getattr(record, "created_at", None) or post.indexed_at, now),
        "reach": 0,
    }


def _bluesky_failure(source, error):
    response = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    if code is None:
        return PollFailed(f"Bluesky at {source.host} could not be reached ({error}).")
    content = getattr(response, "content", None)
    detail = getattr(content, "message", None) or getattr(content, "error", None) or ""
    if code == 429 or code >= 500:
        return PollFailed(
            f"Bluesky answered {code}{': ' + detail if detail else ''}.",
            retry_after=retry_after_seconds(response.headers),
        )
    if code in (401, 403):
        return PollFailed(
            f"Bluesky refused the request ({code}{': ' + detail if detail else ''}): the service "
            "may ask for a sign-in; give the source a handle and an app password."
        )
    return PollFailed(f"Bluesky refused the search ({code}{': ' + detail if detail else ''}).")
