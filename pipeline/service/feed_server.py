"""A read-only HTTP endpoint for dashboards: `GET /expenses.json` serves `feeds/expenses.json`.

Each feed is served with its status as of the request (`assets.common.feed_status`): once a
feed's `stale_after` has passed, `status` is `stale` and `message` says why, while the file on disk
stays as it was written. A feed that is still current is served byte for byte.

Only the feed files themselves (`*.json` directly in the feeds folder), only GET and HEAD, with
the same Host check as the UIs, and `Cache-Control: no-cache` so a dashboard never shows a feed
older than the file. Plain stdlib: a feed server must cost nothing while idle, and
`homeclerk serve` runs it on a thread of its own process (`serve.feed_server`); `python -m
pipeline.service.feed_server` serves it alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import re
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from assets.common.clock import now_utc
from assets.common.feed_status import iso_instant, status_as_of
from assets.common.store_fault import is_feed, with_fault
from pipeline.service.hostcheck import _REFUSAL, allowed_hosts, host_allowed

LOOPBACK = "127.0.0.1"
# A feed name: letters, digits, dash, underscore, dot inside, ending .json; no slash, no "..".
_FEED_NAME = re.compile(r"^/([A-Za-z0-9_-][A-Za-z0-9_.-]*\.json)$")


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
    ):
        self.feeds_dir = feeds_dir.resolve()
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

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _serve(self, body: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.server.allowed):
            self._send(421, _REFUSAL, "text/plain; charset=utf-8", body=body)
            return
        path = self.path.split("?", 1)[0]
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
        self._send(200, served, "application/json", body=body)

    def _send(
        self, status: int, data: bytes, content_type: str, body: bool = True, allow: bool = False
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        if allow:
            self.send_header("Allow", "GET, HEAD")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # a dashboard polls every few seconds: no line per request in the service log


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


def serve(feeds_dir: Path, port: int, extra_hosts: tuple[str, ...] = ()) -> None:
    """Serve until SIGTERM or SIGINT."""
    from pipeline.service.single_instance import ensure_port_free

    ensure_port_free(port, "the feed server")
    server = FeedServer(feeds_dir, port, allowed_hosts(port, extra_hosts))
    print(f"feeds on http://{LOOPBACK}:{port}/ from {server.feeds_dir}", flush=True)

    def stop(signum: int, frame: FrameType | None) -> None:
        # shutdown() waits for serve_forever to return: call it from another thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=1.0)
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> None:
    """`python -m pipeline.service.feed_server FEEDS_DIR --port N [--allow-host NAME …]`."""
    parser = argparse.ArgumentParser(description="Serve feeds/*.json read-only on 127.0.0.1.")
    parser.add_argument("feeds_dir", type=Path)
    parser.add_argument("--port", type=int, default=5080)
    parser.add_argument("--allow-host", action="append", default=[])
    args = parser.parse_args(argv)
    serve(args.feeds_dir, args.port, tuple(args.allow_host))


if __name__ == "__main__":
    main()
