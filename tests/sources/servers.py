"""Local servers for the sources' tests, on 127.0.0.1 in a thread.

:class:`FeedServer` answers each path from a script of raw answers (status, headers, body bytes),
the last one repeated, and records the requests' headers. :class:`FakeMastodonTags` and
:class:`FakeBlueskySearch` answer as Mastodon's hashtag timeline
(https://docs.joinmastodon.org/methods/timelines/#tag) and Bluesky's app.bsky.feed.searchPosts
(https://docs.bsky.app/docs/api/app-bsky-feed-search-posts) document, for the real client
libraries.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.connectors.servers import FakeBluesky, FakeServer


class FeedServer:
    def __init__(self):
        self.script = {}
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = urlsplit(self.path).path
                server.requests.append((path, dict(self.headers.items())))
                answers = server.script.get(path) or [(404, {}, b"not here")]
                status, headers, body = answers.pop(0) if len(answers) > 1 else answers[0]
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    if "Content-Length" not in headers:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading (the size cap)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # Started and stopped as the platforms' stand-ins are.
    __enter__ = FakeServer.__enter__
    __exit__ = FakeServer.__exit__

    def serve(self, path, *answers):
        """Answer ``path`` with each (status, headers, body) in turn, the last one from then on."""
        self.script[path] = list(answers)
        return self.url + path

    def headers_of(self, path):
        return [headers for seen, headers in self.requests if seen == path]


def status(number, tag="acme", *, text=None, created="2026-12-07T10:00:00.000Z", uri=None):
    """A Mastodon Status as the documentation shows it (the fields the source reads, and more)."""
    return {
        "id": str(number),
        "uri": uri or f"https://mastodon.example/users/fan/statuses/{number}",
        "url": f"https://mastodon.example/@fan/{number}",
        "created_at": created,
        "content": text
        if text is not None
        else f'<p>Where is my order? <a href="#">#{tag}</a></p>',
        "visibility": "public",
        "sensitive": False,
        "spoiler_text": "",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "language": "en",
        "account": {
            "id": "7",
            "username": "fan",
            "acct": "fan@mastodon.example",
            "display_name": "A fan",
            "url": "https://mastodon.example/@fan",
            "followers_count": 120,
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": tag, "url": f"https://mastodon.example/tags/{tag}"}],
        "emojis": [],
    }


class FakeMastodonTags(FakeServer):
    """GET /api/v1/timelines/tag/:hashtag as Mastodon answers it (docs.joinmastodon.org,
    methods/timelines and api/guidelines, "Paginating"): ``since_id`` gives the newest ``limit``
    statuses above the id (skipping what lies between), ``min_id`` the ``limit`` statuses just
    above it; either page comes newest first, as Mastodon returns it (its min_id page is read
    oldest first and reversed)."""

    def __init__(self):
        super().__init__()
        self.statuses = []  # oldest first

    def answer(self, request):
        if request.path.startswith("/api/v1/timelines/tag/"):
            limit = min(int(request.query.get("limit") or 20), 40)
            if request.query.get("min_id"):
                above = int(request.query["min_id"])
                newer = [s for s in self.statuses if int(s["id"]) > above]
                return 200, list(reversed(newer[:limit]))
            since = int(request.query.get("since_id") or 0)
            newer = [s for s in self.statuses if int(s["id"]) > since]
            return 200, list(reversed(newer))[:limit]
        return 404, {"error": "Record not found"}


def post_view(n, text="Acme late again", created="2026-12-07T10:00:00.000Z"):
    did = "did:plc:fan00000000000000000000"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/3kfan{n:05d}",
        "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
        "author": {"did": did, "handle": "fan.bsky.example", "displayName": "A fan"},
        "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": created},
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "indexedAt": created,
    }


class FakeBlueskySearch(FakeBluesky):
    """createSession as FakeBluesky, and app.bsky.feed.searchPosts answering ``pages``: the page
    for no cursor first, each with the cursor of the next; ``signed_in`` asks for a sign-in."""

    SEARCH = "/xrpc/app.bsky.feed.searchPosts"

    def __init__(self, *, signed_in=False):
        super().__init__()
        self.signed_in = signed_in
        self.pages = {}  # cursor ("" for the first) -> (posts, next cursor)

    def answer(self, request):
        if request.path == self.SEARCH:
            if self.signed_in and request.headers.get("Authorization") != f"Bearer {self.jwt}":
                return 401, {"error": "AuthenticationRequired", "message": "Sign in to search"}
            posts, following = self.pages.get(request.query.get("cursor", ""), ([], None))
            answer = {"posts": posts}
            if following:
                answer["cursor"] = following
            return 200, answer
        return super().answer(request)
