"""The Host check and the feed server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.service.feed_server import FeedServer
from pipeline.service.hostcheck import (
    _CROSS_SITE_REFUSAL as _CROSS_SITE_BODY,
)
from pipeline.service.hostcheck import (
    HostCheckASGI,
    HostCheckWSGI,
    allowed_hosts,
    can_change_state,
    host_allowed,
    is_cross_site,
)
from tests.support import free_port, wait_for


def _request(
    port: int, path: str, host: str | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": host or f"127.0.0.1:{port}"})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_host_allowed_names() -> None:
    allowed = allowed_hosts(3000, ["box.tailnet.ts.net", "proxy.lan:8443"])
    for ok in ("127.0.0.1:3000", "localhost:3000", "LOCALHOST:3000", "[::1]:3000"):
        assert host_allowed(ok, allowed), ok
    assert host_allowed("box.tailnet.ts.net", allowed)
    assert host_allowed("box.tailnet.ts.net:443", allowed)  # a proxy's own port
    assert host_allowed("proxy.lan:8443", allowed)
    for bad in (
        None,
        "",
        "evil.example.com",
        "evil.example.com:3000",
        "127.0.0.1",  # a browser always sends the non-default port
        "localhost:3001",
        "127.0.0.1:3000.evil.example.com",
        "proxy.lan:9999",
    ):
        assert not host_allowed(bad, allowed), bad


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "expenses.json").write_text(json.dumps({"recent": [{"id": "G1"}]}))
    (folder / "notes.txt").write_text("not a feed")
    (tmp_path / "secret.json").write_text('{"token": "x"}')
    port = free_port()
    server = FeedServer(folder, port, allowed_hosts(port, ["dash.lan"]))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield port, folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_feed_server_serves_feeds_read_only(feeds: tuple[int, Path]) -> None:
    port, folder = feeds
    status, headers, body = _request(port, "/expenses.json")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-cache"
    assert json.loads(body) == {"recent": [{"id": "G1"}]}
    status, headers, body = _request(port, "/expenses.json", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0
    assert _request(port, "/expenses.json?t=1")[0] == 200
    assert _request(port, "/")[2] == b"/expenses.json\n"
    (folder / "expenses.json").write_text('{"recent": []}')  # always the file as it is now
    assert json.loads(_request(port, "/expenses.json")[2]) == {"recent": []}


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.json",
        "/%2e%2e/secret.json",
        "/..%2fsecret.json",
        "/feeds/../secret.json",
        "/notes.txt",
        "/missing.json",
        "//etc/passwd",
        "/.json",
    ],
)
def test_feed_server_serves_nothing_else(feeds: tuple[int, Path], path: str) -> None:
    status, _headers, body = _request(feeds[0], path)
    assert status == 404
    assert b"token" not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_feed_server_refuses_writes(feeds: tuple[int, Path], method: str) -> None:
    status, headers, _body = _request(feeds[0], "/expenses.json", method=method)
    assert status == 405
    assert headers["allow"] == "GET, HEAD"


def test_feed_server_checks_the_host(feeds: tuple[int, Path]) -> None:
    port, _folder = feeds
    status, _headers, body = _request(port, "/expenses.json", host="evil.example.com")
    assert status == 421
    assert b"G1" not in body
    assert _request(port, "/expenses.json", host="dash.lan")[0] == 200
    assert _request(port, "/expenses.json", host=f"localhost:{port}")[0] == 200


def test_asgi_check_in_front_of_a_starlette_app() -> None:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    app = Starlette(routes=[Route("/graphql", lambda request: PlainTextResponse("api"))])
    with _behind_the_check(app) as port:
        assert _request(port, "/graphql")[2] == b"api"
        status, _headers, body = _request(port, "/graphql", host="evil.example.com")
        assert status == 421 and body != b"api"


@contextlib.contextmanager
def _behind_the_check(app: object) -> Iterator[int]:
    """`app` served by uvicorn on a free loopback port behind HostCheckASGI; the port."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(HostCheckASGI(app, allowed_hosts(port)), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        wait_for(lambda: server.started, 10, "uvicorn")
        yield port
    finally:
        server.should_exit = True
        thread.join()


def test_wsgi_check_in_front_of_fava_style_app() -> None:
    from cheroot.wsgi import Server

    def app(environ: dict[str, object], start_response: object) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
        return [b"books"]

    port = free_port()
    server = Server(("127.0.0.1", port), HostCheckWSGI(app, allowed_hosts(port)))
    server.prepare()
    thread = threading.Thread(target=server.serve)
    thread.start()
    try:
        assert _request(port, "/")[2] == b"books"
        assert _request(port, "/", host=f"[::1]:{port}")[2] == b"books"
        status, _headers, body = _request(port, "/", host="evil.example.com")
        assert status == 421 and body != b"books"
    finally:
        server.stop()
        thread.join()


# Cross-site requests: a page the owner visits sends requests to 127.0.0.1 under its real name,
# so the Host check passes; its Origin (or Sec-Fetch-Site) is what gives it away.

_EVIL = "http://evil.example.com"


def _send(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **(headers or {})}
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_which_origins_are_cross_site() -> None:
    allowed = allowed_hosts(3000, ["box.tailnet.ts.net"])
    for own in ("http://127.0.0.1:3000", "http://localhost:3000", "https://box.tailnet.ts.net"):
        assert not is_cross_site(own, "cross-site", allowed), own  # Origin decides when present
    for foreign in (
        _EVIL,
        "http://127.0.0.1:5000",  # another of the owner's servers is another origin
        "http://127.0.0.1:3000.evil.example.com",
        "null",
        "file://",
        "ftp://127.0.0.1:3000",
    ):
        assert is_cross_site(foreign, None, allowed), foreign
    assert is_cross_site(None, "cross-site", allowed)
    assert is_cross_site(None, "same-site", allowed)
    for browserless_or_own in (None, "same-origin", "none"):
        assert not is_cross_site(None, browserless_or_own, allowed)


def test_which_requests_can_change_state() -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "post"):
        assert can_change_state(method, "/anything", "")
    for method in ("GET", "HEAD", "OPTIONS"):
        assert not can_change_state(method, "/graphql", "query=%7B+version+%7D")
    mutation = urllib.parse.urlencode({"query": "mutation { launchRun(x: 1) { __typename } }"})
    assert can_change_state("GET", "/graphql", mutation)
    assert can_change_state("GET", "/prefix/graphql/", mutation)
    named = urllib.parse.urlencode({"query": "mutation\tLaunch($p: X) { a }"})
    assert can_change_state("GET", "/graphql", named)
    commented = urllib.parse.urlencode({"query": "# mutation\n{ version }"})
    assert not can_change_state("GET", "/graphql", commented)
    assert not can_change_state("GET", "/graphql", "query=%7B+mutations+%7D")
    assert not can_change_state("GET", "/runs", mutation)  # only a GraphQL endpoint runs it


@pytest.fixture
def starlette_app() -> Iterator[int]:
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket

    async def graphql(request: object) -> PlainTextResponse:
        return PlainTextResponse("ran")

    async def stream(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("run events")
        await websocket.close()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", stream),
        ]
    )
    with _behind_the_check(app) as port:
        yield port


def test_asgi_refuses_cross_site_writes_and_keeps_reads(starlette_app: int) -> None:
    port = starlette_app
    mutation = "/graphql?" + urllib.parse.urlencode({"query": "mutation { launchRun }"})
    read = "/graphql?" + urllib.parse.urlencode({"query": "{ version }"})
    plain = {"Content-Type": "text/plain"}
    # The shapes a browser sends across sites without a preflight.
    assert _send(port, "GET", mutation, {"Origin": _EVIL}) == (403, _CROSS_SITE_BODY)
    assert _send(port, "GET", mutation, {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert _send(port, "POST", "/graphql", {**plain, "Origin": _EVIL}, b"{}")[0] == 403
    assert _send(port, "POST", "/graphql", {**plain, "Origin": "null"}, b"{}")[0] == 403
    # The same from the server's own pages, or from no browser at all, still works.
    own = {"Origin": f"http://localhost:{port}"}
    assert _send(port, "GET", mutation, own) == (200, b"ran")
    assert _send(port, "POST", "/graphql", {**plain, **own}, b"{}") == (200, b"ran")
    assert _send(port, "POST", "/graphql", {"Sec-Fetch-Site": "same-origin"}, b"{}")[0] == 200
    assert _send(port, "POST", "/graphql", plain, b"{}") == (200, b"ran")
    # Reads stay as they are, wherever they come from.
    assert _send(port, "GET", read, {"Origin": _EVIL}) == (200, b"ran")


def test_asgi_refuses_a_cross_site_websocket(starlette_app: int) -> None:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    port = starlette_app
    url = f"ws://127.0.0.1:{port}/graphql"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=_EVIL, open_timeout=10)  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
    with connect(url, origin=f"http://127.0.0.1:{port}", open_timeout=10) as ws:  # type: ignore[arg-type]
        assert ws.recv(timeout=10) == "run events"


@pytest.fixture
def fava_books(tmp_path: Path) -> Iterator[tuple[int, str, Path]]:
    from cheroot.wsgi import Server
    from fava.application import create_app

    ledger = tmp_path / "main.beancount"
    ledger.write_text(
        'option "title" "Books"\n\n2026-01-01 open Assets:Bank INR\n'
        "2026-01-01 open Expenses:Food INR\n\n"
        '2026-01-02 * "Cafe" "coffee"\n  Expenses:Food  100 INR\n  Assets:Bank\n'
    )
    port = free_port()
    server = Server(("127.0.0.1", port), HostCheckWSGI(create_app([ledger]), allowed_hosts(port)))
    server.prepare()
    thread = threading.Thread(target=server.serve)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/", headers={"Host": f"127.0.0.1:{port}"})
        location = conn.getresponse().getheader("Location") or ""
        conn.close()
        slug = urllib.parse.urlsplit(location).path.strip("/").split("/", 1)[0]
        assert slug, location
        yield port, slug, ledger
    finally:
        server.stop()
        thread.join()


def test_fava_refuses_cross_site_writes_to_the_books(fava_books: tuple[int, str, Path]) -> None:
    port, slug, ledger = fava_books
    before = ledger.read_bytes()
    status, body = _send(port, "GET", f"/{slug}/api/source?filename={ledger}")
    assert status == 200
    sha = json.loads(body)["data"]["sha256sum"]
    changed = (
        before.decode()
        + '\n2026-01-03 * "Evil" "moved money"\n  Expenses:Food  1 INR\n  Assets:Bank\n'
    )
    put = json.dumps({"file_path": str(ledger), "source": changed, "sha256sum": sha}).encode()
    json_type = {"Content-Type": "application/json"}
    for method, endpoint, payload in (
        ("PUT", "source", put),
        ("PUT", "format_source", json.dumps({"source": changed}).encode()),
        ("PUT", "add_entries", json.dumps({"entries": []}).encode()),
        ("DELETE", "document?filename=" + urllib.parse.quote(str(ledger)), None),
    ):
        for foreign in ({"Origin": _EVIL}, {"Sec-Fetch-Site": "cross-site"}):
            status, body = _send(
                port, method, f"/{slug}/api/{endpoint}", {**json_type, **foreign}, payload
            )
            assert (status, body) == (403, _CROSS_SITE_BODY), (method, endpoint, foreign)
    assert ledger.read_bytes() == before
    # Fava's own editor (same origin) still saves.
    own = {**json_type, "Origin": f"http://127.0.0.1:{port}"}
    assert _send(port, "PUT", f"/{slug}/api/source", own, put)[0] == 200
    assert "moved money" in ledger.read_text()
