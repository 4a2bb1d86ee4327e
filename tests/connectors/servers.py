"""Local stand-ins for Mastodon and Bluesky, answering as their API documentation says, on
127.0.0.1 in a thread: the real client libraries (Mastodon.py, atproto) talk to them over HTTP.

Each server records every request it was sent, and answers from a script of faults a test sets
(``fail_next``) before its normal answer. The Mastodon one keeps posts by Idempotency-Key as
Mastodon does (a repeated key gets the post it already made); the Bluesky one keeps the records
it created, so listRecords shows them.
"""

import base64
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body

    def form(self):
        # atproto sends JSON (not always with its Content-Type); Mastodon.py a form.
        if self.body.lstrip().startswith(b"{"):
            return json.loads(self.body)
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


class Fault:
    """One scripted answer instead of the normal one: a status with a JSON error and headers,
    or a wait longer than the client's timeout."""

    def __init__(self, status=500, *, headers=None, error="Internal server error", sleep=0):
        self.status = status
        self.headers = headers or {}
        self.error = error
        self.sleep = sleep


class FakeServer:
    def __init__(self):
        self.requests = []
        self.faults = {}  # path -> [Fault, ...]
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command,
                    split.path,
                    {k: v[0] for k, v in parse_qs(split.query).items()},
                    dict(self.headers.items()),
                    self.rfile.read(length) if length else b"",
                )
                server.requests.append(request)
                queued = server.faults.get(split.path) or []
                if queued:
                    fault = queued.pop(0)
                    if fault.sleep:
                        time.sleep(fault.sleep)
                    self._send(fault.status, {"error": fault.error}, fault.headers)
                    return
                status, payload = server.answer(request)
                self._send(status, payload)

            def _send(self, status, payload, headers=None):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(self, path, *faults):
        self.faults.setdefault(path, []).extend(faults)

    def sent(self, method, path):
        return [r for r in self.requests if r.method == method and r.path == path]


class FakeMastodon(FakeServer):
    """POST /api/v1/statuses answers a Status (https://docs.joinmastodon.org/methods/statuses/);
    a repeated Idempotency-Key answers the status already made for it."""

    STATUSES = "/api/v1/statuses"

    def __init__(self, token="token-123"):
        super().__init__()
        self.token = token
        self.by_key = {}
        self.statuses = []

    def answer(self, request):
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "The access token is invalid"}
        if request.method == "POST" and request.path == self.STATUSES:
            key = request.headers.get("Idempotency-Key")
            if key and key in self.by_key:
                return 200, self.by_key[key]
            status = self._status(request.form())
            self.statuses.append(status)
            if key:
                self.by_key[key] = status
            return 200, status
        if request.path == "/api/v1/instance":
            return 200, {"uri": "mastodon.example", "title": "Example", "version": "4.3.0"}
        return 404, {"error": "Record not found"}

    def _status(self, form):
        number = str(110000000000000000 + len(self.statuses) + 1)
        return {
            "id": number,
            "uri": f"https://mastodon.example/users/acme/statuses/{number}",
            "url": f"https://mastodon.example/@acme/{number}",
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "content": f"<p>{form.get('status', '')}</p>",
            "visibility": form.get("visibility", "public"),
            "sensitive": False,
            "spoiler_text": "",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "account": {
                "id": "1",
                "username": "acme",
                "acct": "acme",
                "display_name": "Acme",
                "url": "https://mastodon.example/@acme",
            },
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
        }


def _jwt(did):
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    payload = {"scope": "com.atproto.appPass", "sub": did, "iat": now, "exp": now + 7200}
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part(payload)}.c2ln"


class FakeBluesky(FakeServer):
    """XRPC as https://docs.bsky.app/docs/api describes: createSession with an app password,
    createRecord of app.bsky.feed.post, listRecords of the account's posts (newest first)."""

    SESSION = "/xrpc/com.atproto.server.createSession"
    CREATE = "/xrpc/com.atproto.repo.createRecord"
    LIST = "/xrpc/com.atproto.repo.listRecords"
    DID = "did:plc:acmeexample0000000000000"

    def __init__(self, handle="acme.bsky.example", password="app-pass-1234"):
        super().__init__()
        self.handle = handle
        self.password = password
        self.records = []
        self.jwt = _jwt(self.DID)

    def answer(self, request):
        if request.path == self.SESSION:
            form = request.form()
            if (form.get("identifier"), form.get("password")) != (self.handle, self.password):
                return 401, {"error": "AuthenticationRequired", "message": "Invalid password"}
            return 200, {
                "accessJwt": self.jwt,
                "refreshJwt": self.jwt,
                "handle": self.handle,
                "did": self.DID,
                "active": True,
            }
        if request.headers.get("Authorization") != f"Bearer {self.jwt}":
            return 401, {"error": "AuthenticationRequired", "message": "Token required"}
        if request.path == self.CREATE:
            return 200, self.add(request.form()["record"])
        if request.path == self.LIST:
            return 200, {
                "records": [
                    {"uri": r["uri"], "cid": r["cid"], "value": r["value"]}
                    for r in reversed(self.records)
                ][: int(request.query.get("limit", 50))]
            }
        return 404, {"error": "MethodNotImplemented"}

    def add(self, value):
        rkey = f"3kposted{len(self.records) + 1:05d}"
        record = {
            "uri": f"at://{self.DID}/app.bsky.feed.post/{rkey}",
            "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "value": value,
        }
        self.records.append(record)
        return {"uri": record["uri"], "cid": record["cid"]}

    def created(self):
        return self.sent("POST", self.CREATE)
