"""`homeclerk broker login` end to end: an HTTP client plays the browser, the fake broker plays
Kite's login page and session endpoint, and the session lands in a 0600 token file."""

from __future__ import annotations

import hashlib
import json
import socket
import stat
import threading
from pathlib import Path

import httpx
import pytest

from assets.portfolio.errors import LoginError
from assets.portfolio.login import (
    RedirectCatcher,
    complete_login,
    login_link,
    run_login,
    session_checksum,
)
from assets.portfolio.token_check import check_token
from assets.portfolio.token_store import IST, load_session

from .helpers import API_KEY, API_SECRET, SECRETS, assert_no_secrets


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Follows redirects like a browser would, on its own thread (webbrowser.open returns at
    once), and keeps the final page for the test to inspect."""

    def __init__(self, login_base: str | None = None) -> None:
        self.opened: list[str] = []
        self.pages: list[httpx.Response] = []
        self._threads: list[threading.Thread] = []
        self._login_base = login_base

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        thread = threading.Thread(target=self._visit, args=(url,))
        thread.start()
        self._threads.append(thread)
        return True

    def _visit(self, url: str) -> None:
        with httpx.Client(follow_redirects=True, timeout=10, trust_env=False) as client:
            self.pages.append(client.get(url))

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=15)


def test_checksum_is_sha256_of_key_token_secret() -> None:
    expected = hashlib.sha256(b"kkk" + b"rrr" + b"sss").hexdigest()
    assert session_checksum("kkk", "rrr", "sss") == expected
    assert login_link("https://kite.zerodha.com/connect/login", "abc") == (
        "https://kite.zerodha.com/connect/login?v=3&api_key=abc"
    )


def test_login_end_to_end_caches_a_0600_session(broker, tmp_path: Path) -> None:
    port = _free_port()
    server = broker("ok", redirect_url=f"http://127.0.0.1:{port}/")
    token_file = tmp_path / "secrets" / "kite-token.json"
    browser, lines = Browser(), []

    run_login(
        API_KEY,
        API_SECRET,
        token_file,
        base_url=server.base_url,
        login_url=f"{server.base_url}/connect/login",
        open_browser=True,
        port=port,
        wait_seconds=15,
        browser=browser,
        out=lines.append,
    )
    browser.join()

    assert browser.opened == [f"{server.base_url}/connect/login?v=3&api_key={API_KEY}"]
    assert browser.pages[0].status_code == 200
    assert "You can close this tab" in browser.pages[0].text
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    cached = json.loads(token_file.read_text())
    assert set(cached) == {"access_token", "user_id", "login_time", "expires_at"}
    assert cached["access_token"] in server.issued_tokens
    session = load_session(token_file)
    assert session.user_id == "XY1234"
    expiry = session.expires_at.astimezone(IST)
    assert (expiry.hour, expiry.minute) == (6, 0)
    assert session.login_time < session.expires_at
    # The exchange sent the checksum, never the secret itself.
    exchange = next(r for r in server.requests if r.path == "/session/token")
    request_token = exchange.form["request_token"][0]
    assert exchange.form["checksum"] == [session_checksum(API_KEY, request_token, API_SECRET)]
    assert API_SECRET not in json.dumps(exchange.form)
    # What the owner sees: the link (it carries the API key by Kite's design), never the
    # secret or the access token.
    printed = "\n".join(lines)
    assert API_SECRET not in printed and cached["access_token"] not in printed
    assert "Signed in as XY1234" in printed
    # And the new session works.
    status = check_token(API_KEY, token_file, server.base_url)
    assert (status.status, status.user_id) == ("ok", "XY1234")


def test_cancelled_login_is_a_login_error(tmp_path: Path) -> None:
    with RedirectCatcher(0) as catcher:
        response = httpx.get(
            f"{catcher.redirect_url}?status=cancelled&action=login", trust_env=False
        )
        with pytest.raises(LoginError, match="'cancelled'"):
            catcher.wait(5)
    assert response.status_code == 400


def test_redirect_catcher_ignores_favicon_and_times_out_plainly() -> None:
    with RedirectCatcher(0) as catcher:
        assert httpx.get(f"{catcher.redirect_url}favicon.ico", trust_env=False).status_code == 404
        with pytest.raises(LoginError, match=r"no sign-in arrived within 0\.2 s"):
            catcher.wait(0.2)


def test_wrong_secret_fails_without_echoing_secrets(broker, tmp_path: Path) -> None:
    port = _free_port()
    server = broker("ok", redirect_url=f"http://127.0.0.1:{port}/")
    browser = Browser()
    wrong_secret = SECRETS[1] + "x"
    with pytest.raises(LoginError) as caught:
        run_login(
            API_KEY,
            wrong_secret,
            tmp_path / "t.json",
            base_url=server.base_url,
            login_url=f"{server.base_url}/connect/login",
            port=port,
            wait_seconds=15,
            browser=browser,
            out=lambda _line: None,
        )
    browser.join()
    assert "did not open a session" in str(caught.value)
    assert_no_secrets(str(caught.value))
    assert wrong_secret not in str(caught.value)
    assert not (tmp_path / "t.json").exists()


def test_pasted_redirect_completes_a_headless_login(broker, tmp_path: Path) -> None:
    server = broker("ok", redirect_url="http://127.0.0.1:9/")
    login = httpx.get(
        f"{server.base_url}/connect/login", params={"v": "3", "api_key": API_KEY}, trust_env=False
    )
    session = complete_login(
        API_KEY, API_SECRET, tmp_path / "t.json", login.headers["location"], server.base_url
    )
    assert load_session(tmp_path / "t.json").access_token == session.access_token


def test_check_token_reports_expiry_with_the_fix(broker, paths) -> None:
    status = check_token(API_KEY, paths.token_file, broker("token_expired").base_url)
    assert status.status == "token_expired"
    assert "homeclerk broker login" in status.message
    assert_no_secrets(status.message, repr(status))
    assert check_token(API_KEY, paths.token_file, broker("ok").base_url).status == "ok"
