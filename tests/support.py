"""Helpers shared by tests: free ports, polling with a deadline, headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
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

    from pipeline.instance import render_dagster_yaml

    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(render_dagster_yaml(home))
    with DagsterInstance.from_config(str(home)) as instance:
        yield instance
