"""A read-only HTTP endpoint for dashboards: `GET /expenses.json` serves `feeds/expenses.json`,
and `GET /reviews/` the weekly reviews (an index of weeks; `/reviews/2026-W47.html` each one).

Each feed is served with its status as of the request (`assets.common.feed_status`): once a
feed's `stale_after` has passed, `status` is `stale` and `message` says why, while the file on disk
stays as it was written. A feed that is still current is served byte for byte.

Only the feed files themselves (`*.json` directly in the feeds folder), only GET and HEAD, with
the same Host check as the UIs, and `Cache-Control: no-cache` so a dashboard never shows a feed
older than the file; an `ETag` (of the bytes served) and `Last-Modified` (the file's) let it
revalidate for a 304 instead of the whole file. Plain stdlib: a feed server must cost nothing
while idle, and `homeclerk serve` runs it on a thread of its own process (`serve.feed_server`);
`python -m pipeline.service.feed_server` serves it alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import hashlib
import html
import http.server
import json
import re
from collections.abc import Callable
from pathlib import Path

from assets.common.clock import now_utc
from assets.common.feed_status import iso_instant, status_as_of
from assets.common.store_fault import is_feed, with_fault
from pipeline.service.hostcheck import _REFUSAL, allowed_hosts, host_allowed
from pipeline.service.processes import serve_until_signalled

LOOPBACK = "127.0.0.1"
# A feed name: letters, digits, dash, underscore, dot inside, ending .json; no slash, no "..".
_FEED_NAME = re.compile(r"^/([A-Za-z0-9_-][A-Za-z0-9_.-]*\.json)$")
# A weekly review's page: its ISO week and nothing else.
_REVIEW_NAME = re.compile(r"^/reviews/(\d{4}-W\d{2}\.html)$")
_REVIEW_FILE = re.compile(r"^\d{4}-W\d{2}\.html$")


class FeedServer(http.server.ThreadingHTTPServer):
    """Serves `feeds_dir/*.json` on host:port, answering only to `allowed` Host names.

    `clock` gives "now" for each request's status (tests pin it)."""

    daemon_threads = True

    def __init__(
        self,
        feeds_dir: Path,
        port: int,
        allowed: frozenset[str],
        host: str = LOOPBACK,
        clock: Callable[[], dt.datetime] = now_utc,
        fault: Callable[[], str | None] = lambda: None,
        reviews_dir: Path | None = None,
        cors_origins: frozenset[str] = frozenset(),
    ):
        self.feeds_dir = feeds_dir.resolve()
        # The weekly reviews' folder (None: not served).
        self.reviews_dir = reviews_dir.resolve() if reviews_dir is not None else None
        # CORS is off unless `[service] cors_origins` names the page's origin.
        self.cors_origins = cors_origins
        self.allowed = allowed
        self.clock = clock
        # A broken store the service knows of (assets/common/store_fault.py): served as each
        # feed's status even where the file could not be rewritten.
        self.fault = fault
        super().__init__((host, port), _Handler)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "homeclerk-feeds"
    sys_version = ""

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _refuse_method(self) -> None:
        self._send(405, b"read-only: GET or HEAD\n", "text/plain; charset=utf-8", allow=True)

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse_method

    def do_OPTIONS(self) -> None:
        # A CORS preflight (a cross-site read sending If-None-Match) from a named origin only.
        if self._cors_origin() is None or not host_allowed(
            self.headers.get("Host"), self.server.allowed
        ):
            self._refuse_method()
            return
        self._send(
            204,
            b"",
            "text/plain; charset=utf-8",
            body=False,
            extra={
                "Access-Control-Allow-Methods": "GET, HEAD",
                "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
                "Access-Control-Max-Age": "600",
            },
        )

    def _cors_origin(self) -> str | None:
        origin = (self.headers.get("Origin") or "").lower()
        return origin if origin in self.server.cors_origins else None

    def _serve(self, body: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.server.allowed):
            self._send(421, _REFUSAL, "text/plain; charset=utf-8", body=body)
            return
        path = self.path.split("?", 1)[0]
        if path.startswith("/reviews") and self.server.reviews_dir is not None:
            self._serve_review(path, body)
            return
        if path == "/":
            names = sorted(p.name for p in self.server.feeds_dir.glob("*.json") if p.is_file())
            listing = "".join(f"/{n}\n" for n in names).encode()
            self._send(200, listing, "text/plain; charset=utf-8", body=body)
            return
        match = _FEED_NAME.match(path)
        target = self.server.feeds_dir / match.group(1) if match else None
        if target is None or ".." in path or not target.is_file():
            self._send(404, b"no such feed; GET / lists them\n", "text/plain; charset=utf-8", body)
            return
        try:
            data = target.read_bytes()  # feeds are written atomically: never half a file
        except OSError:
            self._send(404, b"no such feed\n", "text/plain; charset=utf-8", body=body)
            return
        served = as_of_now(data, self.server.clock(), self.server.fault())
        # The file's time says when the bytes changed only when they are served as they are.
        modified = _mtime(target) if served is data else None
        self._send_validated(served, "application/json", body, modified)

    def _serve_review(self, path: str, body: bool) -> None:
        folder = self.server.reviews_dir
        assert folder is not None
        if path in ("/reviews", "/reviews/"):
            weeks = sorted(
                (p.name for p in folder.glob("*.html") if _REVIEW_FILE.match(p.name)),
                reverse=True,
            )
            self._send_validated(review_index(weeks), "text/html; charset=utf-8", body, None)
            return
        match = _REVIEW_NAME.match(path)
        target = folder / match.group(1) if match else None
        try:
            data = target.read_bytes() if target is not None else None  # written atomically
        except OSError:
            data = None
        if target is None or data is None:
            self._send(
                404, b"no such week; GET /reviews/ lists them\n", "text/plain; charset=utf-8", body
            )
            return
        self._send_validated(data, "text/html; charset=utf-8", body, _mtime(target))

    def _send_validated(
        self, data: bytes, content_type: str, body: bool, modified: float | None
    ) -> None:
        """200 with `ETag` (and `Last-Modified` when known), or 304 when the client's copy is
        these bytes (If-None-Match) or not older than the file (If-Modified-Since)."""
        tag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
        headers = {"ETag": tag}
        if modified is not None:
            headers["Last-Modified"] = email.utils.formatdate(modified, usegmt=True)
        if _not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), tag, modified
        ):
            self._send(304, b"", content_type, body=False, extra=headers, length=False)
            return
        self._send(200, data, content_type, body=body, extra=headers)

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str,
        body: bool = True,
        allow: bool = False,
        extra: dict[str, str] | None = None,
        length: bool = True,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        if allow:
            self.send_header("Allow", "GET, HEAD")
        origin = self._cors_origin()
        if origin is not None:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Expose-Headers", "ETag, Last-Modified")
        if self.server.cors_origins:
            self.send_header("Vary", "Origin")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a dashboard polls every few seconds: no line per request in the service log


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


def _not_modified(
    if_none_match: str | None, if_modified_since: str | None, tag: str, modified: float | None
) -> bool:
    """RFC 9110: If-None-Match decides when present; else If-Modified-Since against the file."""
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return tag in tags or "*" in tags
    if if_modified_since is None or modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return int(modified) <= since.timestamp()


def review_index(weeks: list[str]) -> bytes:
    """The reviews' index page: each week, newest first, linking to its page (no script)."""
    items = "".join(
        f'<li><a href="/reviews/{html.escape(w)}">{html.escape(w.removesuffix(".html"))}</a></li>'
        for w in weeks
    )
    empty = "" if weeks else "<p>No weekly review has been written yet.</p>"
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        "<title>Weekly reviews</title><style>body{font:16px/1.5 system-ui,sans-serif;"
        "max-width:640px;margin:0 auto;padding:12px}</style></head>\n"
        f"<body><h1>Weekly reviews</h1>{empty}<ul>{items}</ul></body></html>\n"
    ).encode()


def as_of_now(data: bytes, now: dt.datetime, fault: str | None = None) -> bytes:
    """A feed file's bytes with `status`/`message` as of `now` (stale for `fault`, a broken
    store, when there is one); the bytes themselves when the status holds (or the file is not a
    feed object)."""
    try:
        feed = json.loads(data)
    except ValueError:
        return data
    if fault and is_feed(feed):
        feed = with_fault(feed, fault, iso_instant(now))
    elif not isinstance(feed, dict) or "stale_after" not in feed:
        return data
    status, message = status_as_of(feed, now)
    if (status, message) == (feed.get("status"), feed.get("message")) and not fault:
        return data
    feed |= {"status": status, "message": message}
    return (json.dumps(feed, indent=2, ensure_ascii=False) + "\n").encode()


def serve(
    feeds_dir: Path,
    port: int,
    extra_hosts: tuple[str, ...] = (),
    reviews_dir: Path | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT."""
    from pipeline.service.single_instance import ensure_port_free

    ensure_port_free(port, "the feed server")
    server = FeedServer(feeds_dir, port, allowed_hosts(port, extra_hosts), reviews_dir=reviews_dir)
    print(f"feeds on http://{LOOPBACK}:{port}/ from {server.feeds_dir}", flush=True)

    serve_until_signalled(server, poll_interval=1.0)


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.service.feed_server FEEDS_DIR --port N [--allow-host NAME …]`."""
    parser = argparse.ArgumentParser(description="Serve feeds/*.json read-only on 127.0.0.1.")
    parser.add_argument("feeds_dir", type=Path)
    parser.add_argument("--port", type=int, default=5080)
    parser.add_argument("--allow-host", action="append", default=[])
    parser.add_argument("--reviews", type=Path, default=None, help="the reviews folder to serve")
    args = parser.parse_args(argv)
    serve(args.feeds_dir, args.port, tuple(args.allow_host), args.reviews)


if __name__ == "__main__":
    main()
