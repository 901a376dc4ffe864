"""The notification state file: read, changed and written back under a lock, atomically.

Several writers share it (the Dagster sensors, the service's supervisor, `homeclerk notify`),
so each change holds an exclusive `flock` on a lock file beside it. A state file that cannot be
read is set aside as `<name>.bad` (said once in the log) and a fresh one started: a broken file
must not silence every later incident.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assets.common.atomic import write_json_atomic
from assets.notify.incidents import empty_state


def read_state(path: Path, log: Callable[[str], None] = lambda line: None) -> dict[str, Any]:
    """The state in `path` (an empty one when there is none, or when it is unreadable)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return empty_state()
    try:
        state = json.loads(raw)
        if not isinstance(state, dict) or not isinstance(state.get("outbox", []), list):
            raise ValueError("not a notification state")
    except ValueError as exc:
        aside = path.with_name(path.name + ".bad")
        os.replace(path, aside)
        log(f"{path} was unreadable ({exc}); set aside as {aside.name}, starting afresh")
        return empty_state()
    return {**empty_state(), **state}


@contextlib.contextmanager
def changing_state(
    path: Path, log: Callable[[str], None] = lambda line: None
) -> Iterator[dict[str, Any]]:
    """Hold the lock, yield the state to change, write it back when the block ends normally."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state = read_state(path, log)
            before = json.dumps(state, sort_keys=True, default=str)
            yield state
            # Most ticks change nothing: no write (and no fsync) for them.
            if not path.exists() or json.dumps(state, sort_keys=True, default=str) != before:
                write_json_atomic(path, state, mode=0o600)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
