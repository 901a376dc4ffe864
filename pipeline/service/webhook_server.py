"""The SMS webhook: `POST /sms` from a forwarder app on the phone → the spool, durably.

A message is answered 202 only once its line is written and fsynced in the spool
(`assets.sms.webhook_spool`); the `webhook_sms_sensor` sees the spool grow and starts
`bank_sms_job`, whose ingest stores it and empties the spool. The payload shapes it reads are in
`assets.sms.webhook_payload` (docs/webhook.md).

In front of that, in this order: the Host check of every homeclerk server (421; `[service]
allowed_hosts` names a reverse proxy's host), its refusal of a web page's cross-site request
(403), one path and one method (404, 405), a token
bucket (429 with Retry-After), the bearer token `SMS_WEBHOOK_TOKEN` compared in constant time
(401; neither the token nor the Authorization header is ever logged), a body of at most
MAX_BODY bytes (413; 411 without a Content-Length), then the payload (400 with a one-line
reason). An id already spooled or ingested since the server started answers 200 without a second
line. Plain stdlib on a thread of `homeclerk serve` (`serve.webhook_server`).
"""

from __future__ import annotations

import argparse
import hmac
import http.server
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.sms.webhook_payload import Ignored, PayloadError, parse_payload
from assets.sms.webhook_spool import append_message, spool_ids
from pipeline.service.hostcheck import (
    _CROSS_SITE_REFUSAL,
    _REFUSAL,
    allowed_hosts,
    host_allowed,
    is_cross_site,
)
from pipeline.service.processes import serve_until_signalled

LOOPBACK = "127.0.0.1"
PATH = "/sms"
MAX_BODY = 8 * 1024
# A body over MAX_BODY is still read (and dropped) up to this much, so its sender gets the 413
# rather than a reset connection; a larger one is cut off.
DRAIN_LIMIT = 64 * 1024
TOKEN_ENV = "SMS_WEBHOOK_TOKEN"
# Ids remembered for the duplicate answer; an older id sent again is spooled again and stored
# once all the same (the ingest keys on it).
REMEMBERED_IDS = 100_000

log = logging.getLogger("homeclerk.webhook")


class TokenBucket:
    """`rate` requests a second on average, `burst` at once; `clock` is monotonic seconds."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, float(burst), clock
        self.tokens, self.at = float(burst), clock()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0 when a request may pass (a token taken), else the seconds until one may."""
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate


class WebhookServer(http.server.ThreadingHTTPServer):
    """`POST /sms` on host:port into the spool in `spool_dir`; see the module doc."""

    daemon_threads = True

    def __init__(
        self,
        spool_dir: Path,
        port: int,
        token: str,
        extra_hosts: tuple[str, ...],
        zone: ZoneInfo,
        *,
        host: str = LOOPBACK,
        rate: float = 20.0,
        burst: int = 50,
    ) -> None:
        if not token:
            raise ValueError(f"{TOKEN_ENV} is empty")
        self.spool_dir, self.zone = spool_dir, zone
        self.expected = f"Bearer {token}".encode()
        self.bucket = TokenBucket(rate, burst)
        self.seen: OrderedDict[str, None] = OrderedDict.fromkeys(sorted(spool_ids(spool_dir)))
        self.seen_lock = threading.Lock()
        super().__init__((host, port), _Handler)
        # From the bound port: port 0 (tests, the benchmark) is a free one.
        self.allowed = allowed_hosts(self.server_address[1], extra_hosts)

    def remember(self, message_id: str) -> bool:
        """Whether `message_id` is new (and now remembered)."""
        with self.seen_lock:
            if message_id in self.seen:
                return False
            self.seen[message_id] = None
            while len(self.seen) > REMEMBERED_IDS:
                self.seen.popitem(last=False)
            return True

    def forget(self, message_id: str) -> None:
        """Drop an id whose append failed: the app's retry must be spooled."""
        with self.seen_lock:
            self.seen.pop(message_id, None)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: WebhookServer
    server_version = "homeclerk-webhook"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # keep-alive: an app sending a burst reuses its connection
    timeout = 10.0  # a slow or idle connection must not hold a thread forever

    def do_POST(self) -> None:
        self._handle()

    def _refuse_method(self) -> None:
        self._answer(405, {"error": "POST /sms only"}, allow=True)

    do_GET = do_HEAD = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _handle(self) -> None:
        server = self.server
        if not host_allowed(self.headers.get("Host"), server.allowed):
            self._answer(421, _REFUSAL.decode())
            return
        if is_cross_site(
            self.headers.get("Origin"), self.headers.get("Sec-Fetch-Site"), server.allowed
        ):
            self._answer(403, _CROSS_SITE_REFUSAL.decode())  # a web page, never a forwarder app
            return
        if self.path.split("?", 1)[0] != PATH:
            self._answer(404, {"error": "POST to /sms"})
            return
        wait = server.bucket.take()
        if wait:
            self._answer(429, {"error": "too many requests"}, retry_after=wait)
            return
        given = (self.headers.get("Authorization") or "").strip().encode("utf-8", "replace")
        if not hmac.compare_digest(given, server.expected):
            self._answer(401, {"error": f"send Authorization: Bearer <{TOKEN_ENV}>"})
            return
        data = self._body()
        if data is None:
            return
        try:
            message = parse_payload(data, server.zone)
        except Ignored as exc:
            self._answer(200, {"status": "ignored", "reason": str(exc)})
            return
        except PayloadError as exc:
            self._answer(400, {"error": str(exc)})
            return
        if not server.remember(message["id"]):
            self._answer(200, {"status": "duplicate", "id": message["id"]})
            return
        try:
            append_message(server.spool_dir, message)
        except OSError as exc:
            server.forget(message["id"])
            log.error("webhook: the spool could not be written: %s", exc.strerror or exc)
            self._answer(503, {"error": "the spool could not be written; send it again later"})
            return
        self._answer(202, {"status": "accepted", "id": message["id"]})

    def _body(self) -> bytes | None:
        """The request body, at most MAX_BODY bytes (None: answered 411/413/400 already).
        Chunked bodies are read too: "Incoming SMS to URL forwarder" sends them for rules made
        before its fixed-length default."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._chunked()
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._answer(411, {"error": "send a Content-Length"})
            return None
        size = int(length)
        if size > MAX_BODY:
            self._answer(413, {"error": f"the body is over {MAX_BODY} bytes"})
            if size <= DRAIN_LIMIT:
                self.rfile.read(size)  # read, dropped: see _discard_chunks
            return None
        return self.rfile.read(size)

    def _chunked(self) -> bytes | None:
        data = b""
        while (size := self._chunk_size()) is not None:
            if size == 0:
                self._end_of_chunks()
                return data
            if len(data) + size > MAX_BODY:
                self._answer(413, {"error": f"the body is over {MAX_BODY} bytes"})
                self._discard_chunks(size, DRAIN_LIMIT)
                return None
            data += self._chunk(size)
        self._answer(400, {"error": "a malformed chunked body"})
        return None

    def _chunk_size(self) -> int | None:
        """The size on a chunk's first line (extensions after ";" ignored), None if malformed."""
        try:
            return int(self.rfile.readline(64).split(b";", 1)[0].strip(), 16)
        except ValueError:
            return None

    def _chunk(self, size: int) -> bytes:
        data = self.rfile.read(size)
        self.rfile.readline(8)  # the CRLF after the chunk
        return data

    def _end_of_chunks(self) -> None:
        while self.rfile.readline(1024).strip():
            pass  # trailers, then the blank line that ends the body

    def _discard_chunks(self, size: int | None, budget: int) -> None:
        """Reads and drops the rest of a chunked body answered early (the chunk of `size` whose
        header was read, then the others), up to `budget` bytes: closing with the client's
        bytes unread resets the connection, and the client loses the 413 it was sent."""
        while size is not None and 0 < size <= budget:
            self._chunk(size)
            budget -= size
            size = self._chunk_size()
        if size == 0:
            self._end_of_chunks()

    def _answer(
        self,
        status: int,
        body: dict[str, str] | str,
        allow: bool = False,
        retry_after: float | None = None,
    ) -> None:
        if isinstance(body, str):
            data, kind = body.encode(), "text/plain; charset=utf-8"
        else:
            data, kind = (json.dumps(body) + "\n").encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if allow:
            self.send_header("Allow", "POST")
        if retry_after is not None:
            self.send_header("Retry-After", str(max(1, int(retry_after + 0.999))))
        if status >= 400:
            # Most are sent before the body was read: the connection cannot be reused.
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        # Method, path and status only: never a header (the token) or a body (an SMS).
        pass


def webhook_token(env_file: Path | None, environ: dict[str, str] | None = None) -> str:
    """SMS_WEBHOOK_TOKEN from the environment, else from `.env` (the supervisor does not load
    it into its own environment: the Dagster children read it themselves)."""
    source = os.environ if environ is None else environ
    token = source.get(TOKEN_ENV, "")
    if not token and env_file is not None and env_file.is_file():
        from dotenv import dotenv_values

        token = dotenv_values(env_file).get(TOKEN_ENV) or ""
    return token.strip()


class MissingTokenError(OSError):
    """No SMS_WEBHOOK_TOKEN: the webhook does not start (an OSError: the supervisor retries)."""


def token_command(env_file: Path) -> str:
    """A shell command that adds a new random SMS_WEBHOOK_TOKEN to `env_file` (mode 0600 when
    it creates the file), pasted as is."""
    return (
        f"(umask 077; echo {TOKEN_ENV}=$(python3 -c 'import secrets; "
        f"print(secrets.token_urlsafe(32))') >> {env_file})"
    )


def missing_token_line(env_file: Path | None) -> str:
    """What to do without a token, pasted as is."""
    where = env_file or Path(".env")
    return (
        f"{TOKEN_ENV} is not set: the SMS webhook does not start. Fix: add a line "
        f"{TOKEN_ENV}=<a long random string> to {where} (for instance `{token_command(where)}`), "
        "give the same token to the forwarder app, and restart `homeclerk serve`"
    )


def serve(
    spool_dir: Path,
    port: int,
    token: str,
    zone: ZoneInfo,
    host: str = LOOPBACK,
    extra_hosts: tuple[str, ...] = (),
    rate: float = 20.0,
    burst: int = 50,
) -> None:
    """Serve until SIGTERM or SIGINT (prints the port it listens on first)."""
    server = WebhookServer(
        spool_dir,
        port,
        token,
        extra_hosts,
        zone,
        host=host,
        rate=rate,
        burst=burst,
    )
    print(f"webhook on http://{host}:{server.server_address[1]}{PATH}", flush=True)

    serve_until_signalled(server, poll_interval=0.5)


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.service.webhook_server SPOOL_DIR --port N` (token from the
    environment): the webhook alone, as the tests and the benchmark run it."""
    parser = argparse.ArgumentParser(description="Serve POST /sms into a spool on 127.0.0.1.")
    parser.add_argument("spool_dir", type=Path)
    parser.add_argument("--port", type=int, default=5090)
    parser.add_argument("--timezone", default="Asia/Kolkata")
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--burst", type=int, default=50)
    args = parser.parse_args(argv)
    token = webhook_token(None)
    if not token:
        raise SystemExit(missing_token_line(None))
    serve(args.spool_dir, args.port, token, ZoneInfo(args.timezone), rate=args.rate,
          burst=args.burst)  # fmt: skip


if __name__ == "__main__":
    main()
