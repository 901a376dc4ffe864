"""Real local receivers for the notification tests: an ntfy-like HTTP server and an SMTP server
(aiosmtpd), both on 127.0.0.1 at a free port."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support import free_port


@dataclass
class Posted:
    """One request the HTTP receiver took."""

    path: str
    headers: dict[str, str]
    body: str


@dataclass
class HttpReceiver:
    """What was posted, and how many of the next requests to refuse (with HTTP 503)."""

    url: str
    posts: list[Posted] = field(default_factory=list)
    refuse: int = 0
    refused: int = 0


@contextlib.contextmanager
def http_receiver(topic: str = "homeclerk-test") -> Iterator[HttpReceiver]:
    """An HTTP server on 127.0.0.1 (port 0) that records each POST, like an ntfy topic."""
    state: dict[str, HttpReceiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = state["r"]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            if receiver.refuse > 0:
                receiver.refuse -= 1
                receiver.refused += 1
                self.send_response(503)
                self.end_headers()
                return
            receiver.posts.append(Posted(self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id":"x"}')

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = HttpReceiver(f"http://127.0.0.1:{server.server_address[1]}/{topic}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state["r"]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class SmtpReceiver:
    """The messages the SMTP server took, and the logins it saw."""

    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


@contextlib.contextmanager
def smtp_receiver(password: str | None = None) -> Iterator[SmtpReceiver]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; with `password`, it asks for a login (plain,
    no TLS: it is local) and accepts only that password."""
    port = free_port()
    receiver = SmtpReceiver("127.0.0.1", port)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            receiver.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            receiver.messages.append(message_from_bytes(envelope.content))
            return "250 OK"

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any) -> Any:
        if not isinstance(auth, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, given = auth.login.decode(), auth.password.decode()
        receiver.logins.append((user, given))
        return AuthResult(success=given == password, handled=False)

    options: dict[str, Any] = {}
    if password is not None:
        options = {
            "authenticator": authenticate,
            "auth_require_tls": False,
            "auth_required": True,
        }
    controller = Controller(Handler(), hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
