"""Atomic file writes: readers see the old file or the new one, never half of either."""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

# Feeds are read by dashboards that often run as another user; `[feeds] mode` changes it.
DEFAULT_FEED_MODE = 0o644

# Our own temp files only: ".<target name>.<8 random chars from mkstemp>.tmp".
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")
# A temp file older than this belongs to a write that was killed, not to one in progress (a
# write takes milliseconds; another process writing the same folder is never this slow).
STALE_TEMP_AGE_S = 600.0


def remove_stale_temps(
    folder: Path, *, now: float | None = None, max_age_s: float = STALE_TEMP_AGE_S
) -> list[Path]:
    """Delete temp files a killed write left in `folder`; returns what was removed.

    Only names matching our own temp pattern and older than `max_age_s` (by mtime, against
    `now`, seconds since the epoch) are touched, so a write in progress and the owner's own
    files are safe.
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < max_age_s:
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove: never fail a write over it
        removed.append(Path(entry.path))
    return removed


def write_bytes_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` via a temp file in the same folder, fsync, then rename.

    `mode` sets the file's permissions (default: mkstemp's 0600). Temp files a killed earlier
    write left in the folder are removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        # A failed write must never leave a stray temp file next to the real one.
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """UTF-8 text through `write_bytes_atomic`."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode)


def write_json_atomic(path: Path, payload: Any, mode: int | None = None) -> None:
    """Stable, human-diffable JSON: sorted keys would reorder feeds, so keep insertion order.

    The payload is serialised completely before any file is opened, so a payload that fails
    to serialise leaves the old file untouched.
    """
    text = json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n"
    write_text_atomic(path, text, mode=mode)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk (POSIX).
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
