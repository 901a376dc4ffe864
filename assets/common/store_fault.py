"""A broken store (damaged warehouse, damaged run storage, full disk) marked in every feed.

When a store the pipeline needs is broken, no asset that would rewrite a feed can run, so the
feeds would go on saying `ok`. Whoever notices the fault (a run's failing step, the service
checking the run storage or the disk) marks each feed: `status` becomes `stale`, `message` the
fault's one line (the file, what is wrong, the fix), and `store_fault` keeps the status and message
the feed had, so every figure in it stays as it was and the mark can be taken off again. Once the
store is good again, `clear_feeds` restores them (a feed's own asset rewriting it clears it too).

A full disk may leave no room to rewrite a feed: marking is best effort (a feed it could not write
keeps its last file), and the feed server also applies the fault to what it serves
(`with_fault`) for as long as the service knows of it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .atomic import write_json_atomic
from .feed_status import STATUS_STALE

FAULT_KEY = "store_fault"


def is_feed(data: Any) -> bool:
    """Whether parsed JSON is a feed with a status (not a status marker or a review summary)."""
    return isinstance(data, dict) and "schema" in data and "status" in data


def with_fault(feed: Mapping[str, Any], reason: str, since: str) -> dict[str, Any]:
    """`feed` marked stale for `reason`; the status it had is kept under `store_fault` (the first
    one, when it was already marked)."""
    before = feed.get(FAULT_KEY)
    if not isinstance(before, Mapping):
        before = {"status": feed.get("status"), "message": feed.get("message")}
    fault = {
        "reason": reason,
        "since": before.get("since", since) if before.get("reason") == reason else since,
        "status": before.get("status"),
        "message": before.get("message"),
    }
    return {**feed, "status": STATUS_STALE, "message": reason, FAULT_KEY: fault}


def without_fault(feed: Mapping[str, Any]) -> dict[str, Any]:
    """`feed` with the status and message it had before a store fault marked it."""
    fault = feed.get(FAULT_KEY)
    if not isinstance(fault, Mapping):
        return dict(feed)
    kept = {k: v for k, v in feed.items() if k != FAULT_KEY}
    return {**kept, "status": fault.get("status"), "message": fault.get("message")}


def _feeds(feeds_dir: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(Path(feeds_dir).glob("*.json")):
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue  # not ours to judge here: the feed's own reader says it is unreadable
        if is_feed(data):
            found.append((path, data))
    return found


def mark_feeds(feeds_dir: Path, reason: str, since: str, mode: int | None = None) -> list[str]:
    """Mark every feed in `feeds_dir` stale for `reason` (atomically; files already saying it are
    left alone). Returns one line per feed that could not be written (a full disk)."""
    failed = []
    for path, feed in _feeds(feeds_dir):
        fault = feed.get(FAULT_KEY)
        if isinstance(fault, Mapping) and fault.get("reason") == reason:
            continue
        try:
            write_json_atomic(path, with_fault(feed, reason, since), mode=mode)
        except OSError as exc:
            failed.append(f"{path}: {exc.strerror or exc}")
    return failed


def faulted_feeds(feeds_dir: Path) -> list[Path]:
    """The feeds in `feeds_dir` that carry a store fault's mark (asked after every run step:
    a file without the key's name in it is not parsed)."""
    found = []
    for path in sorted(Path(feeds_dir).glob("*.json")):
        try:
            if f'"{FAULT_KEY}"'.encode() not in path.read_bytes():
                continue
        except OSError:
            continue
        found.append(path)
    if not found:
        return []
    return [path for path, feed in _feeds(feeds_dir) if path in found and FAULT_KEY in feed]


def clear_feeds(feeds_dir: Path, mode: int | None = None, reason: str | None = None) -> list[Path]:
    """Take the store fault's mark off every feed that has one (with `reason`, only the feeds
    marked for it); returns the feeds cleared (a feed that cannot be written yet keeps its mark,
    and is cleared by a later call)."""
    cleared = []
    for path, feed in _feeds(feeds_dir):
        fault = feed.get(FAULT_KEY)
        if not isinstance(fault, Mapping) or reason not in (None, fault.get("reason")):
            continue
        try:
            write_json_atomic(path, without_fault(feed), mode=mode)
        except OSError:
            continue
        cleared.append(path)
    return cleared
