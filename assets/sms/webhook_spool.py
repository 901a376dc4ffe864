"""The webhook's spool: `<data_dir>/sms-spool/spool.jsonl`, one JSON line per accepted SMS.

The webhook server appends a message (`id`, `from`, `body`, `received_at` in Unix ms) and
fsyncs it before it answers 202, like the power log: one `write` of one whole line on an
O_APPEND descriptor, then fsync (and the folder's fsync when the file or folder was created). A
server killed mid-line leaves a torn last line: readers skip it, and the next append first ends
it with a newline so the new message stays whole.

The ingest (a run, another process) reads the spool and, once its rows are committed, compacts
it: the lines it read are removed by writing what was appended since to a fresh file renamed
over the spool, so no body (and no OTP) stays on disk after the next run. Appends and the
compaction hold an exclusive `flock` on `spool.lock` beside it, so an append lands either before
the read (and is ingested) or in the fresh file (and waits for the next run), never in between.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

SPOOL_FOLDER = "sms-spool"
SPOOL_FILE = "spool.jsonl"
LOCK_FILE = "spool.lock"
FIELDS = ("id", "from", "body", "received_at")


def spool_folder(data_dir: Path) -> Path:
    """Where the webhook's spool lives under the data folder."""
    return data_dir / SPOOL_FOLDER


class SpoolRead(NamedTuple):
    """What one read of the spool found."""

    messages: list[dict[str, Any]]  # whole lines with every field, in file order
    torn_lines: int  # lines skipped: a crash mid-write
    size: int  # bytes read: the compaction removes exactly these
    inode: int  # which file was read (0: none): a compaction of another file is not ours


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ensure_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _fsync_dir(folder.parent)  # the new folder's entry survives a power cut


_thread_lock = threading.Lock()  # flock is per open file: threads of one process need this too


@contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the spool's lock (threads of this process and other processes alike)."""
    _ensure_folder(folder)
    with _thread_lock:
        fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock


def encode(message: dict[str, Any]) -> bytes:
    """One spool line (the four fields, compact JSON, newline-terminated)."""
    record = {key: message[key] for key in FIELDS}
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def append_message(folder: Path, message: dict[str, Any]) -> None:
    """Append one message durably (written and fsynced when this returns)."""
    line = encode(message)
    with locked(folder):
        path = folder / SPOOL_FILE
        created = not path.exists()
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a killed writer left a torn line: end it, keep ours whole
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            _fsync_dir(folder)


def _parse(raw: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict) or not all(key in record for key in FIELDS):
        return None
    if not isinstance(record["received_at"], int) or isinstance(record["received_at"], bool):
        return None
    if not all(isinstance(record[key], str) for key in ("id", "from", "body")):
        return None
    return record


def read_spool(folder: Path) -> SpoolRead:
    """Every whole message in the spool. A line without its newline (a crash mid-write, or an
    append being written right now) is not read, and stays for the next read."""
    path = folder / SPOOL_FILE
    with locked(folder):
        try:
            with path.open("rb") as handle:
                inode = os.fstat(handle.fileno()).st_ino
                data = handle.read()
        except FileNotFoundError:
            return SpoolRead([], 0, 0, 0)
    end = data.rfind(b"\n") + 1  # under the lock no append is half-written: a tail is torn
    messages, torn = [], 0
    for raw in data[:end].split(b"\n"):
        if not raw.strip():
            continue
        record = _parse(raw)
        if record is None:
            torn += 1
            continue
        messages.append(record)
    if end < len(data):
        torn += 1
        end = len(data)  # a torn tail under the lock is a dead writer's: removed with the rest
    return SpoolRead(messages, torn, end, inode)


def compact_spool(folder: Path, read: SpoolRead) -> int:
    """Remove the `read.size` bytes read from the spool's start (the ingested lines), keeping
    whatever was appended since in a fresh file renamed over it; returns the bytes kept."""
    path = folder / SPOOL_FILE
    if not read.size:
        return 0
    with locked(folder):
        try:
            with path.open("rb") as handle:
                if os.fstat(handle.fileno()).st_ino != read.inode:
                    return -1  # another ingest compacted it meanwhile: nothing of ours is there
                handle.seek(read.size)
                rest = handle.read()
        except FileNotFoundError:
            return 0
        fresh = folder / (SPOOL_FILE + ".tmp")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            if rest:
                os.write(fd, rest)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(fresh, path)
        _fsync_dir(folder)
    return len(rest)


def spool_ids(folder: Path) -> set[str]:
    """The ids of the messages in the spool (the server's duplicate check after a restart)."""
    return {message["id"] for message in read_spool(folder).messages}


def spool_size(folder: Path) -> int:
    """The spool's size in bytes (0 when missing): what the sensor looks at."""
    try:
        return (folder / SPOOL_FILE).stat().st_size
    except OSError:
        return 0
