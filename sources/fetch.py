"""Fetching a source's address safely: only http(s), only public addresses (unless an admin
allowed the host), redirects followed by hand and checked at every hop, a timeout, a size cap on
what arrives and on what it decompresses to, conditional requests, and the server's wait on a
429 or a 5xx.

Every refusal and fault is a :class:`PollFailed` whose reason is the source's health line.
"""

import ipaddress
import socket
import zlib
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings

from connectors.platforms import retry_after_seconds

MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class PollFailed(Exception):
    def __init__(self, reason, *, retry_after=None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class NotModified(Exception):
    """The server said 304: nothing new since the last poll."""


class Fetched(NamedTuple):
    body: bytes
    content_type: str
    etag: str
    last_modified: str
    url: str


def check_address(url):
    """Refuse (PollFailed) an address that is not http(s), or whose host resolves to a private,
    loopback, link-local or otherwise non-public address, unless an admin allowed the host."""
    from sources.models import AllowedHost

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise PollFailed(f"Refused {url[:200]}: only http and https addresses are polled.")
    host = parts.hostname
    if not host:
        raise PollFailed(f"Refused {url[:200]}: the address has no host.")
    if AllowedHost.allows(host):
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (OSError, ValueError, UnicodeError) as error:
        raise PollFailed(f"The host {host} could not be found ({error}).") from error
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise PollFailed(
                f"Refused {host}: it resolves to {ip}, a private, loopback or link-local "
                "address. An admin may allow the host in the admin site (Allowed hosts)."
            )


def fetch(url, *, etag="", last_modified=""):
    """GET ``url`` as a poll does; returns :class:`Fetched`, raises NotModified or PollFailed."""
    headers = {
        "User-Agent": "CrisisDesk/1.0 (+sources)",
        "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, */*;q=0.5",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    seen = []
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment reaches around the checks
        while True:
            check_address(url)
            if url in seen:
                raise PollFailed(f"Redirect loop: {url[:200]} was reached twice.")
            if len(seen) > MAX_REDIRECTS:
                raise PollFailed(f"More than {MAX_REDIRECTS} redirects from {seen[0][:200]}.")
            seen.append(url)
            try:
                response = session.get(
                    url,
                    headers=headers,
                    allow_redirects=False,
                    stream=True,
                    timeout=settings.SOURCES_TIMEOUT,
                )
            except requests.Timeout as error:
                raise PollFailed(
                    f"No answer from {urlsplit(url).hostname} within {settings.SOURCES_TIMEOUT} s."
                ) from error
            except requests.RequestException as error:
                raise PollFailed(f"Could not reach {urlsplit(url).hostname}: {error}.") from error
            with response:
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                return _answer(response, url)


def _answer(response, url):
    code = response.status_code
    if code == 304:
        raise NotModified()
    if code == 429 or code >= 500:
        wait = retry_after_seconds(response.headers)
        said = "is limiting our requests (429)" if code == 429 else f"answered {code}"
        later = f" it asked to wait {wait} s." if wait is not None else " it will be tried later."
        raise PollFailed(f"The server {said};{later}", retry_after=wait)
    if code != 200:
        raise PollFailed(f"The server answered {code} {response.reason} for {url[:200]}.")
    return Fetched(
        read_capped(response),
        response.headers.get("Content-Type", ""),
        response.headers.get("ETag", "")[:300],
        response.headers.get("Last-Modified", "")[:100],
        url,
    )


def read_capped(response):
    """The body, refused (PollFailed) once more than SOURCES_MAX_BYTES arrive or decompress: read
    raw and decompressed here, so a small gzip bomb stops at the cap too."""
    cap = settings.SOURCES_MAX_BYTES
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    elif encoding in ("", "identity"):
        decoder = None
    else:
        raise PollFailed(f"The answer is encoded as {encoding[:40]}, which is not read.")
    too_big = PollFailed(f"The answer is larger than {cap // 1024} KB: not read.")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise too_big
    raw = out = 0
    parts = []
    try:
        for chunk in response.raw.stream(CHUNK, decode_content=False):
            raw += len(chunk)
            if raw > cap:
                raise too_big
            if decoder is None:
                data = chunk
            else:
                # At most what is left under the cap (plus one byte to notice the excess).
                data = decoder.decompress(chunk, cap - out + 1)
                if decoder.unconsumed_tail:
                    raise too_big
            out += len(data)
            if out > cap:
                raise too_big
            parts.append(data)
    except zlib.error as error:
        raise PollFailed(f"The answer's {encoding} compression is broken ({error}).") from error
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
        raise PollFailed(f"The answer was cut off: {error}.") from error
    return b"".join(parts)
