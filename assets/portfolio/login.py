"""The Kite login protocol: the daily browser login, caught on 127.0.0.1 and cached.

Kite has no refresh token for ordinary apps: every session ends at about 06:00 IST, and a new one
needs a person to sign in through a browser. The browser is sent to Kite's login page; Kite
redirects it to this app's registered redirect URL (http://127.0.0.1:PORT/) with a one-time
request token, which is exchanged for an access token (`POST /session/token`, with a checksum
that proves we hold the API secret). The session is cached in a 0600 token file.
`homeclerk broker login` is the command around this.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from assets.portfolio.errors import BrokerError, LoginError
from assets.portfolio.kite_client import DEFAULT_BASE_URL, KiteClient
from assets.portfolio.token_store import (
    IST,
    BrokerSession,
    expected_expiry,
    parse_kite_time,
    save_session,
)

DEFAULT_LOGIN_URL = "https://kite.zerodha.com/connect/login"
DEFAULT_PORT = 5010
DEFAULT_WAIT_SECONDS = 300.0
SESSION_PATH = "/session/token"

__all__ = [
    "DEFAULT_LOGIN_URL",
    "DEFAULT_PORT",
    "RedirectCatcher",
    "complete_login",
    "exchange_request_token",
    "login_link",
    "request_token_from_redirect",
    "run_login",
    "session_checksum",
]


def login_link(login_url: str, api_key: str) -> str:
    """The Kite login page for this app, where the person signs in."""
    return f"{login_url}?{urlencode({'v': '3', 'api_key': api_key})}"


def session_checksum(api_key: str, request_token: str, api_secret: str) -> str:
    """SHA-256 of key + request token + secret: proves to Kite that we hold the API secret."""
    return hashlib.sha256((api_key + request_token + api_secret).encode("utf-8")).hexdigest()


def request_token_from_redirect(url_or_query: str) -> str | None:
    """The request token in a redirect (full URL or query), None if this is not the redirect
    (a browser's favicon request); LoginError if Kite reports a failed or cancelled login."""
    query = urlsplit(url_or_query).query if "?" in url_or_query else url_or_query
    params = {k: v[0] for k, v in parse_qs(query.lstrip("?")).items()}
    if not params:
        return None
    if params.get("status") != "success" or not params.get("request_token"):
        raise LoginError(
            f"the broker reported the login as {params.get('status') or 'unknown'!r}, with no "
            "request token; run `homeclerk broker login` again and finish signing in"
        )
    return params["request_token"]


class RedirectCatcher:
    """A one-shot HTTP listener on 127.0.0.1 for Kite's redirect. Bound on construction, so the
    redirect cannot arrive before anyone listens."""

    def __init__(self, port: int) -> None:
        self._results: queue.Queue[str | LoginError] = queue.Queue()
        results = self._results

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                try:
                    token = request_token_from_redirect(self.path)
                except LoginError as error:
                    self._page(400, "The broker login failed. Run homeclerk broker login again.")
                    results.put(error)
                    return
                if token is None:
                    self._page(404, "Waiting for the broker's redirect.")
                    return
                self._page(200, "Signed in to the broker. You can close this tab.")
                results.put(token)

            def _page(self, status: int, text: str) -> None:
                body = f"<!doctype html><title>homeclerk</title><p>{text}</p>\n".encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None  # request lines carry the request token

        try:
            self._httpd = HTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise LoginError(
                f"cannot listen on 127.0.0.1:{port} for the broker's redirect ({exc.strerror}); "
                "stop the program using that port or choose another (and register the new "
                "redirect URL for the Kite Connect app)"
            ) from None
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def redirect_url(self) -> str:
        """The URL the broker must redirect to (this server's address)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> RedirectCatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def wait(self, timeout_seconds: float) -> str:
        """The request token from the broker's redirect; LoginError if none arrives in time."""
        try:
            result = self._results.get(timeout=timeout_seconds)
        except queue.Empty:
            raise LoginError(
                f"no sign-in arrived within {timeout_seconds:g} s; run `homeclerk broker login` "
                f"again, and check that the app's redirect URL is {self.redirect_url}"
            ) from None
        if isinstance(result, LoginError):
            raise result
        return result


def exchange_request_token(
    api_key: str,
    api_secret: str,
    request_token: str,
    base_url: str = DEFAULT_BASE_URL,
    timeout_seconds: float = 10.0,
) -> BrokerSession:
    """Trade a one-time request token for a session; LoginError if the broker refuses it."""
    form = {
        "api_key": api_key,
        "request_token": request_token,
        "checksum": session_checksum(api_key, request_token, api_secret),
    }
    try:
        with KiteClient(
            api_key,
            base_url=base_url,
            timeout_seconds=timeout_seconds,
            secrets=(api_secret, request_token),
        ) as client:
            data = client.post_form(SESSION_PATH, form)
    except BrokerError as error:
        raise LoginError(f"the broker did not open a session: {error}") from None
    try:
        access_token = str(data["access_token"])
        login_time = parse_kite_time(str(data["login_time"]))
        user_id = str(data.get("user_id", ""))
    except (KeyError, TypeError, ValueError):
        raise LoginError(
            "the broker's session answer lacks an access token or login time; try again"
        ) from None
    if not access_token:
        raise LoginError("the broker's session answer has an empty access token; try again")
    return BrokerSession(
        access_token=access_token,
        user_id=user_id,
        login_time=login_time,
        expires_at=expected_expiry(login_time),
    )


def _open_session(
    api_key: str, api_secret: str, token_file: Path, request_token: str, base_url: str
) -> BrokerSession:
    # The one tail both ways of signing in share: exchange the token, cache the session.
    session = exchange_request_token(api_key, api_secret, request_token, base_url)
    save_session(Path(token_file), session)
    return session


def complete_login(
    api_key: str,
    api_secret: str,
    token_file: Path,
    redirect: str,
    base_url: str = DEFAULT_BASE_URL,
) -> BrokerSession:
    """Finish a login from the redirected URL pasted by hand (for a headless server, whose
    127.0.0.1 is not the browser's)."""
    request_token = request_token_from_redirect(redirect)
    if request_token is None:
        raise LoginError("that is not the broker's redirect URL (it has no request_token)")
    return _open_session(api_key, api_secret, token_file, request_token, base_url)


def run_login(
    api_key: str,
    api_secret: str,
    token_file: Path,
    base_url: str = DEFAULT_BASE_URL,
    login_url: str = DEFAULT_LOGIN_URL,
    open_browser: bool = True,
    port: int = DEFAULT_PORT,
    *,
    wait_seconds: float = DEFAULT_WAIT_SECONDS,
    browser: Callable[[str], object] = webbrowser.open,
    out: Callable[[str], object] = print,
) -> None:
    """Print (and optionally open) the login link, catch the redirect, cache the session.
    Raises LoginError with the reason and the fix. Never prints the secret or the token."""
    if not api_key or not api_secret:
        raise LoginError(
            "the broker API key or secret is not set: add KITE_API_KEY and KITE_API_SECRET "
            "to the .env file"
        )
    link = login_link(login_url, api_key)
    with RedirectCatcher(port) as catcher:
        out(f"Sign in to the broker: {link}")
        out(
            f"Waiting for the sign-in to come back to {catcher.redirect_url} (this must be the "
            "Kite Connect app's redirect URL)."
        )
        if open_browser:
            browser(link)
        request_token = catcher.wait(wait_seconds)
    session = _open_session(api_key, api_secret, token_file, request_token, base_url)
    out(
        f"Signed in as {session.user_id}; the session is cached in {token_file} and lasts "
        f"until about {session.expires_at.astimezone(IST):%Y-%m-%d %H:%M} IST."
    )
