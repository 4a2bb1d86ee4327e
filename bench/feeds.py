"""RSS feeds for the benchmarks' sources, served on this machine: ``python bench/feeds.py --port
P --items N --every S`` (bench/polled.py and bench/burst.py start it).

``/feed/<n>.rss`` is the n-th source's feed, as an alert service's feed reads: its newest
``--window`` items, ``--items`` new ones every ``--every`` seconds (so each poll a minute apart
brings new items, and the older ones again, which the ingestion must see are stored already).
Its ``ETag`` names the feed's generation: asked again with ``If-None-Match`` before new items
came, it answers 304 with no body. ``/burst/<tag>.rss?items=N`` is a feed of N new items at once
(a source's burst), each ``<tag>`` its own items. ``/stats`` counts the answers given, as JSON.
"""

import argparse
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

# Words the items' titles are made of; "parcel" and "#acmefail" are the busy incident's tracking
# terms in bench/mixed.py, so some of what the sources bring links to it.
WORDS = ("parcel", "late", "#acmefail", "refund", "driver", "depot", "weather", "thanks", "app")


def item_xml(key, number, posted):
    """One RSS item: its guid ``key``-``number``, a title and a summary of a tweet's length."""
    words = " ".join(WORDS[(number + n) % len(WORDS)] for n in range(6))
    return (
        f"<item><guid isPermaLink='false'>{escape(key)}-{number}</guid>"
        f"<link>https://alerts.example/{escape(key)}/{number}</link>"
        f"<title>Alert {number}: {words}</title>"
        f"<description>&lt;b&gt;{words}&lt;/b&gt; seen by a reader, item {number} of "
        f"{escape(key)}, with a sentence more to read like a real alert.</description>"
        f"<author>reader{number % 97}@alerts.example</author>"
        f"<pubDate>{format_datetime(posted, usegmt=True)}</pubDate></item>"
    )


def feed_xml(key, numbers, now):
    """An RSS 2.0 document of the items ``numbers`` of ``key``, the newest first, a second
    apart before ``now``."""
    items = "".join(
        item_xml(key, number, now - timedelta(seconds=age))
        for age, number in enumerate(sorted(numbers, reverse=True))
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Bench alerts {escape(key)}</title><link>https://alerts.example/</link>"
        f"<description>Benchmark feed</description>{items}</channel></rss>"
    ).encode()


class Feeds:
    """What the server answers, without the sockets: ``answer(path, headers)`` is (status,
    headers, body)."""

    def __init__(self, *, items=3, every=30.0, window=20, clock=time.monotonic):
        self.items, self.every, self.window, self.clock = items, every, window, clock
        self.start = clock()
        self.counts = {"200": 0, "304": 0, "404": 0, "items_served": 0, "bytes_served": 0}
        self.lock = threading.Lock()

    def generation(self):
        return int((self.clock() - self.start) // self.every)

    def answer(self, path, headers):
        parts = urlsplit(path)
        now = datetime.now(UTC).replace(microsecond=0)
        if parts.path == "/stats":
            return 200, {"Content-Type": "application/json"}, json.dumps(self.counts).encode()
        if parts.path.startswith("/feed/") and parts.path.endswith(".rss"):
            key = parts.path[len("/feed/") : -len(".rss")]
            generation = self.generation()
            etag = f'"{key}-{generation}"'
            if headers.get("If-None-Match") == etag:
                return self._count(304, {"ETag": etag}, b"", 0)
            newest = (generation + 1) * self.items
            numbers = range(max(0, newest - self.window), newest)
            body = feed_xml(f"feed{key}", numbers, now)
            return self._count(200, self._rss(etag), body, len(numbers))
        if parts.path.startswith("/burst/") and parts.path.endswith(".rss"):
            key = parts.path[len("/burst/") : -len(".rss")]
            count = int(parse_qs(parts.query).get("items", ["10000"])[0])
            body = feed_xml(f"burst{key}", range(count), now)
            return self._count(200, self._rss(f'"burst-{key}"'), body, count)
        return self._count(404, {"Content-Type": "text/plain"}, b"no such feed", 0)

    @staticmethod
    def _rss(etag):
        return {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag}

    def _count(self, status, headers, body, items):
        with self.lock:
            self.counts[str(status)] += 1
            self.counts["items_served"] += items
            self.counts["bytes_served"] += len(body)
        return status, headers, body


def serve(feeds, port, host="127.0.0.1"):
    """A threading HTTP server answering with ``feeds`` on ``host``:``port`` (0: any free port);
    returns the server, already serving in a thread of its own."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            status, headers, body = feeds.answer(self.path, self.headers)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--items", type=int, default=3, help="new items per generation")
    parser.add_argument("--every", type=float, default=30.0, help="seconds per generation")
    parser.add_argument("--window", type=int, default=20, help="items a feed holds")
    args = parser.parse_args()
    serve(Feeds(items=args.items, every=args.every, window=args.window), args.port)
    print("serving", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
