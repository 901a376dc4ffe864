"""A stand-in Kite Connect server on 127.0.0.1, for `homeclerk demo` and the tests.

It serves recorded responses (broker_responses/) through real HTTP, so the demo and the tests go
through exactly the adapter code a real broker would. Scenarios script the failures a real broker
produces: an expired session, rate limiting, 5xx, slow answers, broken or empty bodies.
It also plays the browser login (`/connect/login` redirects with a request token) and the session
exchange, checking the checksum the way Kite does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from assets.portfolio.login import session_checksum
from assets.portfolio.token_store import IST, BrokerSession, expected_expiry, save_session

DEMO_RESPONSES = Path(__file__).with_name("broker_responses")
# Demo-only credentials: they open nothing but this local fake.
DEMO_API_KEY = "demo_api_key"
DEMO_API_SECRET = "demo_api_secret"
DEMO_ACCESS_TOKEN = "demo_access_token"

SCENARIOS = (
    "ok",
    "token_expired",  # 403 TokenException on every authenticated call
    "rate_limited_once",  # the first authenticated call gets 429, then all is well
    "rate_limited",  # 429 on every authenticated call
    "server_error",  # 500 with a GeneralException envelope
    "bad_gateway",  # 502 with an HTML body, as a proxy in front of the broker sends
    "slow",  # every authenticated answer waits `slow_seconds` first
    "malformed",  # 200 with an HTML page instead of JSON
    "truncated",  # 200 with JSON cut in the middle (honest Content-Length)
    "cut_connection",  # 200 announcing the full body, then the connection drops half way
    "wrong_shape",  # valid JSON, but `data` is not a list
    "empty",  # a legal, empty holdings list
)

_RESPONSE_FILES = {
    "/portfolio/holdings": "holdings.json",
    "/mf/holdings": "mf_holdings.json",
    "/user/profile": "profile.json",
}


class BrokerPortBusyError(OSError):
    """The fake broker's port is taken by another program."""

    def __init__(self, port: int) -> None:
        super().__init__(
            f"the demo broker cannot listen on 127.0.0.1:{port}: the port is in use (is another "
            f"`homeclerk ui` running on this demo? see `lsof -i :{port}`); stop it, or change "
            "[broker] base_url in the demo's homeclerk.toml"
        )


@dataclass(frozen=True)
class RecordedRequest:
    """One request the stand-in broker answered: method, path, query, headers and form."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, list[str]]


class FakeKiteServer:
    """Kite's API on 127.0.0.1 from recorded responses, for the demo and the tests."""

    def __init__(
        self,
        responses_dir: Path = DEMO_RESPONSES,
        scenario: str = "ok",
        *,
        api_key: str = DEMO_API_KEY,
        api_secret: str = DEMO_API_SECRET,
        access_tokens: tuple[str, ...] = (DEMO_ACCESS_TOKEN,),
        redirect_url: str | None = None,
        slow_seconds: float = 2.0,
        port: int = 0,
    ) -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS)}")
        self.responses_dir = Path(responses_dir)
        self.scenario = scenario
        self.api_key = api_key
        self.api_secret = api_secret
        self.redirect_url = redirect_url
        self.slow_seconds = slow_seconds
        self.requests: list[RecordedRequest] = []
        self._access_tokens = set(access_tokens)
        self._request_tokens: set[str] = set()
        self._rate_limited_once = False
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        try:
            self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise BrokerPortBusyError(port) from None
            raise
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The server's URL, for `[broker] base_url`."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def issued_tokens(self) -> set[str]:
        """The session tokens handed out so far."""
        with self._lock:
            return set(self._access_tokens)

    def start(self) -> FakeKiteServer:
        """Serve on a thread; the server itself (for `with`)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._stopping.set()  # release any deliberately slow answer at once
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FakeKiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Request handling, called from the handler threads.

    def handle(self, handler: _Handler, method: str) -> None:
        """Answer one request from the recorded responses (or the failure set for the path)."""
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8") if length else ""
        request = RecordedRequest(
            method=method,
            path=split.path,
            query=parse_qs(split.query),
            headers={k.lower(): v for k, v in handler.headers.items()},
            form=parse_qs(body),
        )
        with self._lock:
            self.requests.append(request)

        if split.path == "/connect/login":
            return self._browser_login(handler, request)
        if request.headers.get("x-kite-version") != "3":
            return _send_json(handler, 400, _error("InputException", "Missing X-Kite-Version."))
        if split.path == "/session/token" and method == "POST":
            return self._session_token(handler, request)
        if split.path not in _RESPONSE_FILES or method != "GET":
            return _send_json(handler, 404, _error("GeneralException", "Route not found."))
        if not self._authorised(request):
            return _send_json(
                handler, 403, _error("TokenException", "Incorrect `api_key` or `access_token`.")
            )
        self._scripted(handler, split.path)

    def _authorised(self, request: RecordedRequest) -> bool:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        key, _, token = credentials.partition(":")
        with self._lock:
            return scheme == "token" and key == self.api_key and token in self._access_tokens

    def _scripted(self, handler: _Handler, path: str) -> None:
        scenario = self.scenario
        if scenario == "token_expired":
            return _send_json(
                handler, 403, _error("TokenException", "Token is invalid or has expired.")
            )
        if scenario == "rate_limited_once":
            with self._lock:
                first, self._rate_limited_once = not self._rate_limited_once, True
            if first:
                return _send_json(handler, 429, _error("NetworkException", "Too many requests"))
        if scenario == "rate_limited":
            return _send_json(handler, 429, _error("NetworkException", "Too many requests"))
        if scenario == "server_error":
            return _send_json(handler, 500, _error("GeneralException", "Something went wrong."))
        if scenario == "bad_gateway":
            return _send_raw(handler, 502, b"<html>502 Bad Gateway</html>", "text/html")
        if scenario == "slow" and self._stopping.wait(self.slow_seconds):
            return None  # shutting down: the client has long given up
        if scenario == "malformed":
            return _send_raw(handler, 200, b"<html><body>Maintenance</body></html>", "text/html")

        payload = self._recorded(path)
        if scenario == "empty" and path.endswith("/holdings"):
            payload = {"status": "success", "data": []}
        if scenario == "wrong_shape" and path.endswith("/holdings"):
            payload = {"status": "success", "data": {"holdings": payload["data"]}}
        body = json.dumps(payload).encode("utf-8")
        if scenario == "truncated":
            return _send_raw(handler, 200, body[: len(body) // 2], "application/json")
        if scenario == "cut_connection":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.close_connection = True
            return None
        return _send_raw(handler, 200, body, "application/json")

    def _recorded(self, path: str) -> dict[str, Any]:
        text = (self.responses_dir / _RESPONSE_FILES[path]).read_text(encoding="utf-8")
        return json.loads(text)

    def _browser_login(self, handler: _Handler, request: RecordedRequest) -> None:
        # What Kite's login page does once the user signs in: redirect with a request token.
        if request.query.get("api_key") != [self.api_key] or not self.redirect_url:
            return _send_raw(handler, 400, b"unknown app", "text/plain")
        request_token = secrets.token_hex(16)
        with self._lock:
            self._request_tokens.add(request_token)
        query = urlencode({"request_token": request_token, "action": "login", "status": "success"})
        handler.send_response(302)
        handler.send_header("Location", f"{self.redirect_url}?{query}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return None

    def _session_token(self, handler: _Handler, request: RecordedRequest) -> None:
        form = {k: v[0] for k, v in request.form.items()}
        request_token = form.get("request_token", "")
        expected = session_checksum(self.api_key, request_token, self.api_secret)
        with self._lock:
            known = request_token in self._request_tokens
            valid = known and form.get("api_key") == self.api_key
            valid = valid and form.get("checksum") == expected
            if valid:
                self._request_tokens.discard(request_token)  # single use, as at Kite
                access_token = secrets.token_hex(16)
                self._access_tokens.add(access_token)
        if not valid:
            return _send_json(
                handler, 403, _error("TokenException", "Token is invalid or has expired.")
            )
        login_time = dt.datetime.now(IST).strftime("%Y-%m-%d %H:%M:%S")
        data = {
            "user_id": "XY1234",
            "user_name": "Demo Investor",
            "access_token": access_token,
            "public_token": secrets.token_hex(8),
            "login_time": login_time,
        }
        return _send_json(handler, 200, {"status": "success", "data": data})


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        # A client that timed out and left needs no answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.server.fake.handle(self, method)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        # Silent: request lines carry request tokens and API keys.
        return None


def _error(error_type: str, message: str) -> dict[str, str]:
    return {"status": "error", "message": message, "error_type": error_type}


def _send_json(handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    _send_raw(handler, status, json.dumps(payload).encode("utf-8"), "application/json")


def _send_raw(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextmanager
def serve_broker(
    responses_dir: Path = DEMO_RESPONSES, scenario: str = "ok", **options: Any
) -> Iterator[str]:
    """Run a fake broker for the `with` block; yields its base URL (http://127.0.0.1:PORT)."""
    with FakeKiteServer(responses_dir, scenario, **options) as server:
        yield server.base_url


def write_demo_session(token_file: Path, now: dt.datetime | None = None) -> None:
    """A token file the fake broker accepts, valid until the next 06:00 IST, for the demo."""
    login_time = (now or dt.datetime.now(dt.UTC)).astimezone(IST)
    save_session(
        token_file,
        BrokerSession(
            access_token=DEMO_ACCESS_TOKEN,
            user_id="XY1234",
            login_time=login_time,
            expires_at=expected_expiry(login_time),
        ),
    )
