"""The Host check and the feed server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.feed_server import FeedServer
from pipeline.hostcheck import HostCheckASGI, HostCheckWSGI, allowed_hosts, host_allowed
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
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    app = Starlette(routes=[Route("/graphql", lambda request: PlainTextResponse("api"))])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(HostCheckASGI(app, allowed_hosts(port)), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        wait_for(lambda: server.started, 10, "uvicorn")
        assert _request(port, "/graphql")[2] == b"api"
        status, _headers, body = _request(port, "/graphql", host="evil.example.com")
        assert status == 421 and body != b"api"
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
