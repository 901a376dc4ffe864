"""The feed server serves the weekly reviews (an index of weeks and each week's page) and lets
a reader revalidate a review or a feed (ETag / Last-Modified → 304), over real HTTP."""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.service.feed_server import FeedServer
from pipeline.service.hostcheck import allowed_hosts
from tests.support import free_port

NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


def _get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    feeds, reviews = tmp_path / "feeds", tmp_path / "reviews"
    feeds.mkdir()
    reviews.mkdir()
    (feeds / "review.json").write_text(json.dumps({"week": "2026-W09"}))
    # A feed whose status turns stale as of NOW: served rewritten, not as the file.
    (feeds / "expenses.json").write_text(
        json.dumps({"status": "ok", "message": None, "stale_after": "2026-03-01T00:00:00Z",
                    "stale_reason": "no SMS"})
    )  # fmt: skip
    for week in ("2026-W08", "2026-W09"):
        (reviews / f"{week}.html").write_text(f"<!doctype html><title>{week}</title>")
        (reviews / f"{week}.md").write_text(f"# {week}")
    (reviews / "first-week").write_text("2026-02-16\n")
    (tmp_path / "secret.html").write_text("private")
    port = free_port()
    server = FeedServer(feeds, port, allowed_hosts(port), clock=lambda: NOW, reviews_dir=reviews)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield port, tmp_path
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_index_lists_the_weeks_newest_first_and_each_page_is_served(
    served: tuple[int, Path],
) -> None:
    port, folder = served
    status, headers, body = _get(port, "/reviews/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    text = body.decode()
    assert text.index('href="/reviews/2026-W09.html"') < text.index('href="/reviews/2026-W08.html"')
    assert "<script" not in text and "first-week" not in text and ".md" not in text
    status, headers, body = _get(port, "/reviews/2026-W09.html")
    assert (status, body) == (200, (folder / "reviews" / "2026-W09.html").read_bytes())
    for path in ("/reviews/2026-W10.html", "/reviews/../secret.html", "/reviews/first-week",
                 "/reviews/2026-W09.md", "/reviews/%2e%2e/secret.html"):  # fmt: skip
        assert _get(port, path)[0] == 404, path


def test_a_review_revalidates_by_etag_and_by_date_until_it_changes(
    served: tuple[int, Path],
) -> None:
    port, folder = served
    page = folder / "reviews" / "2026-W09.html"
    os.utime(page, (1_772_000_000, 1_772_000_000))
    status, headers, _ = _get(port, "/reviews/2026-W09.html")
    tag, modified = headers["etag"], headers["last-modified"]
    assert modified == email.utils.formatdate(1_772_000_000, usegmt=True)
    status, again, body = _get(port, "/reviews/2026-W09.html", **{"If-None-Match": tag})
    assert (status, body, again["etag"]) == (304, b"", tag)
    assert _get(port, "/reviews/2026-W09.html", **{"If-Modified-Since": modified})[0] == 304
    page.write_text("<!doctype html><title>rewritten</title>")  # a late backfill of the week
    status, headers, body = _get(port, "/reviews/2026-W09.html", **{"If-None-Match": tag})
    assert status == 200 and headers["etag"] != tag and b"rewritten" in body
    assert _get(port, "/reviews/2026-W09.html", **{"If-Modified-Since": modified})[0] == 200


def test_feeds_revalidate_and_a_status_turned_stale_is_never_a_304(
    served: tuple[int, Path],
) -> None:
    port, _ = served
    status, headers, _ = _get(port, "/review.json")
    assert status == 200 and "last-modified" in headers
    assert _get(port, "/review.json", **{"If-None-Match": headers["etag"]})[0] == 304
    status, headers, body = _get(port, "/expenses.json")
    assert json.loads(body)["status"] == "stale"
    # The file did not change, the bytes served did: no date to revalidate against.
    assert "last-modified" not in headers
    far = email.utils.formatdate(4_000_000_000, usegmt=True)
    assert _get(port, "/expenses.json", **{"If-Modified-Since": far})[0] == 200
    assert _get(port, "/expenses.json", **{"If-None-Match": headers["etag"]})[0] == 304


def _request(port: int, method: str, path: str, **headers: str) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def test_cors_is_off_unless_an_origin_is_named(tmp_path: Path) -> None:
    (tmp_path / "review.json").write_text("{}")
    dash = "http://dash.lan:8080"
    for origins in (frozenset(), frozenset({dash})):
        port = free_port()
        server = FeedServer(tmp_path, port, allowed_hosts(port), cors_origins=origins)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
        thread.start()
        try:
            status, headers = _request(port, "GET", "/review.json", Origin=dash)
            assert status == 200
            assert headers.get("access-control-allow-origin") == (dash if origins else None)
            other = _request(port, "GET", "/review.json", Origin="https://evil.example")[1]
            assert "access-control-allow-origin" not in other
            preflight = _request(
                port, "OPTIONS", "/review.json", Origin=dash,
                **{"Access-Control-Request-Headers": "if-none-match"},
            )  # fmt: skip
            assert preflight[0] == (204 if origins else 405)
            assert (
                _request(port, "OPTIONS", "/review.json", Origin="https://evil.example")[0] == 405
            )
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def test_a_cors_origin_with_a_path_is_refused_naming_the_key(tmp_path: Path) -> None:
    from pipeline.settings import SettingsError, load_settings

    config = tmp_path / "homeclerk.toml"
    config.write_text('[service]\ncors_origins = ["http://dash.lan:8080/board"]\n')
    with pytest.raises(SettingsError) as refused:
        load_settings(config)
    assert "service.cors_origins[0]" in str(refused.value)
    config.write_text('[service]\ncors_origins = ["http://dash.lan:8080"]\n')  # the example
    assert load_settings(config).service.cors_origins == ("http://dash.lan:8080",)
