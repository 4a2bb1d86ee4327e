"""A browser's push service on localhost, started by a test: it checks what a real one checks
and decrypts what a browser would.

Each subscriber is a key pair and an authentication secret made here, as a browser makes them.
A message is accepted (201) only when its VAPID token (RFC 8292) is signed with ES256 by the
public key it names, that key is the desk's, its audience is this service's origin, it has not
expired (and expires within 24 hours) and names a contact; and when its body decrypts
(aes128gcm, RFC 8188/8291) with the subscriber's private key and secret. Anything else is
answered 400, 401 or 403 with the reason, and kept in ``refusals``. A test may make the service
answer otherwise (410, 429) with :meth:`PushService.answer`.
"""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscriber:
    name: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    endpoint: str

    def info(self):
        """What the browser's ``PushSubscription.toJSON()`` gives."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        keys = {"p256dh": b64url(public), "auth": b64url(self.auth)}
        return {"endpoint": self.endpoint, "keys": keys}


@dataclass
class Received:
    subscriber: str
    headers: dict
    claims: dict
    message: dict


@dataclass
class Scripted:
    status: int
    headers: dict = field(default_factory=dict)


class Refused(Exception):
    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status


class PushService:
    def __init__(self, vapid_public_key):
        self.vapid_public_key = vapid_public_key
        self.subscribers = {}
        self.received = []
        self.refusals = []
        self.scripted = {}  # subscriber name → answers given in order before accepting
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                name = self.path.rsplit("/", 1)[-1]
                # Header names are case-insensitive (RFC 9110): kept here in lower case.
                received = {key.lower(): value for key, value in self.headers.items()}
                status, headers = service.handle(name, received, body)
                self.send_response(status)
                for header, value in headers.items():
                    self.send_header(header, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def origin(self):
        host, port = self.httpd.server_address
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def subscriber(self, name):
        """A new browser: its keys, and its address on this service."""
        subscriber = Subscriber(
            name,
            ec.generate_private_key(ec.SECP256R1()),
            os.urandom(16),
            f"{self.origin}/push/{name}",
        )
        self.subscribers[name] = subscriber
        return subscriber

    def answer(self, name, status, **headers):
        """Make the next message to ``name`` answered ``status`` (and nothing kept)."""
        self.scripted.setdefault(name, []).append(Scripted(status, headers))

    def handle(self, name, headers, body):
        scripted = self.scripted.get(name)
        if scripted:
            answer = scripted.pop(0)
            return answer.status, answer.headers
        if name not in self.subscribers:
            return 404, {}
        try:
            claims = self.check_vapid(headers)
            message = self.decrypt(self.subscribers[name], headers, body)
        except Refused as refusal:
            self.refusals.append(str(refusal))
            return refusal.status, {}
        self.received.append(Received(name, headers, claims, message))
        return 201, {"Location": f"{self.origin}/message/{len(self.received)}"}

    def check_vapid(self, headers):
        authorization = headers.get("authorization", "")
        scheme, _space, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(401, f"No VAPID authorization: {authorization!r}")
        parts = dict(item.strip().split("=", 1) for item in params.split(","))
        if parts.get("k") != self.vapid_public_key:
            raise Refused(403, "The token names another key than the desk's")
        token = parts.get("t", "")
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(unb64url(header_b64))
        if header.get("alg") != "ES256":
            raise Refused(401, f"Not ES256: {header}")
        signature = unb64url(signature_b64)
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
        try:
            key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Refused(403, "The VAPID signature does not verify") from None
        claims = json.loads(unb64url(claims_b64))
        now = time.time()
        if claims.get("aud") != self.origin:
            raise Refused(403, f"Audience {claims.get('aud')!r} is not {self.origin}")
        if not now < claims.get("exp", 0) <= now + 24 * 3600:
            raise Refused(403, f"Expiry {claims.get('exp')} is not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            raise Refused(403, f"No contact: {claims.get('sub')!r}")
        return claims

    def decrypt(self, subscriber, headers, body):
        if headers.get("content-encoding") != "aes128gcm":
            raise Refused(400, f"Not aes128gcm: {headers.get('content-encoding')!r}")
        if not headers.get("ttl", "").isdigit():
            raise Refused(400, "No TTL")
        try:
            plain = http_ece.decrypt(
                body,
                private_key=subscriber.private_key,
                auth_secret=subscriber.auth,
                version="aes128gcm",
            )
        except Exception as error:
            raise Refused(400, f"Could not decrypt: {error!r}") from None
        return json.loads(plain)
