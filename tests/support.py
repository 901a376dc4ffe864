"""Helpers shared by tests: free ports, polling with a deadline, headless Chromium."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from dagster import DagsterInstance

T = TypeVar("T")

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as exc:  # the thing polled may not be up yet
            last_error = exc
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what} (last error: {last_error})")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= response.status < 400
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def chromium_path() -> str:
    path = os.environ.get("HOMECLERK_CHROMIUM") or shutil.which("chromium")
    if not path:
        raise RuntimeError(
            "Chromium is not installed: run `bash scripts/setup-system.sh` (UI tests need it)"
        )
    return path


@contextlib.contextmanager
def homeclerk_instance(home: Path) -> Iterator[DagsterInstance]:
    """A Dagster instance in `home` (created) configured as homeclerk writes it: its
    dagster.yaml, its storages, its retention."""
    from dagster import DagsterInstance

    from pipeline.service.instance import render_dagster_yaml

    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(render_dagster_yaml(home))
    with DagsterInstance.from_config(str(home)) as instance:
        yield instance


class PinnedFeedServer:
    """The real feed server on a free 127.0.0.1 port, its clock a settable instant."""

    def __init__(self, folder: Path, now: dt.datetime) -> None:
        from pipeline.service.feed_server import FeedServer
        from pipeline.service.hostcheck import allowed_hosts

        self.now = now
        self.port = free_port()
        self.server = FeedServer(
            folder, self.port, allowed_hosts(self.port), clock=lambda: self.now
        )

    def get(self, name: str) -> tuple[int, bytes]:
        """GET /name over HTTP: (status, body)."""
        url = f"http://127.0.0.1:{self.port}/{name}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


@contextlib.contextmanager
def pinned_feed_server(folder: Path, now: dt.datetime) -> Iterator[PinnedFeedServer]:
    """Serve `folder` over real HTTP with "now" pinned (set `.now` to move it)."""
    pinned = PinnedFeedServer(folder, now)
    thread = threading.Thread(target=pinned.server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield pinned
    finally:
        pinned.server.shutdown()
        pinned.server.server_close()
        thread.join()


@contextlib.contextmanager
def machine_timezone(name: str) -> Iterator[None]:
    """This process's local time zone set to `name` for the block, as on a machine elsewhere."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()
