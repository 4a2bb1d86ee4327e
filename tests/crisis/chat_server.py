"""A real HTTP server on localhost, started by a test, that answers as a chat service's
documentation says (or as a failing one would), and keeps every request it received."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"ok"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


# What each service answers to a message it accepted, from its documentation.
ACCEPTED = {
    # Slack incoming webhooks: 200 with the plain text "ok".
    "slack": Answer(200, b"ok", {"Content-Type": "text/html"}),
    # Mattermost incoming webhooks: 200 "ok".
    "mattermost": Answer(200, b"ok", {"Content-Type": "text/plain"}),
    # Teams workflow webhooks ("When a Teams webhook request is received"): 202, empty body.
    "teams": Answer(202, b""),
    # Google Chat: 200 with the created message as JSON.
    "google_chat": Answer(
        200,
        json.dumps({"name": "spaces/AAA/messages/BBB", "text": "…"}).encode(),
        {"Content-Type": "application/json; charset=UTF-8"},
    ),
    # Our generic webhook: any 2xx.
    "webhook": Answer(204, b""),
}


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


class ChatServer:
    def __init__(self):
        self.answers = []  # answered in order; the last one repeats
        self.received = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                server.received.append(Received(self.path, dict(self.headers), body))
                answer = server.answers.pop(0) if len(server.answers) > 1 else server.answers[0]
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path="/hook"):
        host, port = self.httpd.server_address
        return f"http://{host}:{port}{path}"

    def answer(self, *answers):
        self.answers = list(answers)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
