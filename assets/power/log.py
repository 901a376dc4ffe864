"""The sample log: `<data_dir>/power/samples-YYYY-MM.jsonl`, one JSON line per sample.

Append-only and crash-safe without a lock: each sample is one `write` of one whole line on an
O_APPEND descriptor, then fsync. A writer killed mid-line leaves a torn last line; readers skip
it, and the next append first ends it with a newline so the new sample stays whole.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

SAMPLES_GLOB = "samples-*.jsonl"


def log_path(folder: Path, at: dt.datetime) -> Path:
    """The month's log file for an instant (months in UTC, like the samples' `at`)."""
    return folder / f"samples-{at.astimezone(dt.UTC):%Y-%m}.jsonl"


def append_sample(folder: Path, sample: dict[str, Any]) -> Path:
    """Append one sample (needs `at`, ISO UTC) durably to its month's log; returns the file."""
    at = dt.datetime.fromisoformat(sample["at"])
    path = log_path(folder, at)
    folder.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(sample, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        if not _ends_with_newline(path, os.fstat(fd).st_size):
            line = b"\n" + line  # a killed writer left a torn line: end it, keep ours whole
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _ends_with_newline(path: Path, size: int) -> bool:
    if size == 0:
        return True
    with open(path, "rb") as handle:
        handle.seek(size - 1)
        return handle.read(1) == b"\n"


class LogRead(NamedTuple):
    """The samples read back from the log, and how many torn lines were skipped."""

    samples: list[dict[str, Any]]  # sorted by `at`, duplicates (same `at`) dropped
    torn_lines: int  # lines skipped: a crash mid-write, or a hand edit


def read_samples(folder: Path, since: dt.datetime | None = None) -> LogRead:
    """Every whole sample at or after `since` from the month logs in `folder`.

    Safe while the sampler writes: a line without its newline yet is skipped, not guessed.
    """
    samples: dict[str, dict[str, Any]] = {}
    torn = 0
    first_month = f"samples-{since.astimezone(dt.UTC):%Y-%m}.jsonl" if since else ""
    for path in sorted(folder.glob(SAMPLES_GLOB)) if folder.is_dir() else []:
        if path.name < first_month:
            continue
        for sample in _lines(path):
            if sample is None:
                torn += 1
                continue
            at = dt.datetime.fromisoformat(sample["at"])
            if since is None or at >= since:
                samples[sample["at"]] = sample
    return LogRead([samples[k] for k in sorted(samples)], torn)


def _lines(path: Path) -> Iterator[dict[str, Any] | None]:
    data = path.read_bytes()
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            sample = json.loads(raw)
            dt.datetime.fromisoformat(sample["at"])
        except (ValueError, KeyError, TypeError):
            yield None
            continue
        yield sample if isinstance(sample, dict) else None
