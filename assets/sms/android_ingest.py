"""Android backups in `[sources.android] inbox` → warehouse `sms_messages` (source 'android').

Each `*.xml` file is read when it is new or changed (its size and modification time are kept in
`android_files`), streamed in batches of BATCH messages through the same OTP drop, number masking
and date settling as chat.db's (assets.sms.ingest), and stored once: a message's GUID is a hash
of its sender, date and body (assets.sms.android), so overlapping backups add each message once.

Android rows get ROWIDs from ROWID_BASE up, above any chat.db ROWID: the transactions asset
derives "what is above the highest derived ROWID" first, and Android rows keep that order among
themselves. (On a machine with both sources the chat.db rows then sit below, and the derive finds
them by its anti-join instead: correct, a little slower.)

A file that stops being XML part-way (a backup still syncing) keeps the messages before the
break, is recorded with its problem, and is read again when it changes. After each run the
recorded files are also written beside the warehouse (`android-inbox.json`), which the sensor
compares with the inbox without opening DuckDB.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assets.common.atomic import write_text_atomic
from assets.common.clock import now_utc
from assets.common.privacy import is_otp, mask_numbers
from assets.common.warehouse import connect
from assets.sms.android import BackupUnreadableError, message_guid, read_backup
from assets.sms.chatdb import normalise_headers
from assets.sms.ingest import settle_dates
from assets.sms.tables import ensure_tables

if TYPE_CHECKING:
    import duckdb

ANDROID_SOURCE = "android"
ROWID_BASE = 1 << 40
# The webhook's rows (assets.sms.webhook_ingest) start here; Android's stay below it.
ROWID_CEILING = 2 << 40
BATCH = 50_000
SEEN_FILE = "android-inbox.json"

ANDROID_FILES_DDL = """
CREATE TABLE IF NOT EXISTS android_files (
    name VARCHAR PRIMARY KEY,
    size BIGINT,
    mtime_ns BIGINT,
    messages BIGINT,
    problem VARCHAR
)
"""


class AndroidIngestStats(NamedTuple):
    """What one pass over the inbox read and stored."""

    files_read: int  # new or changed backup files read this run
    files_unchanged: int
    read: int  # messages of configured senders read from them
    stored: int  # rows newly inserted (a message already stored is not counted)
    otp_dropped: int
    redated: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()  # one line per file that stopped being XML


def inbox_listing(inbox: Path) -> dict[str, tuple[int, int]]:
    """{file name: (size, mtime_ns)} of the backups in the inbox (none when it is missing)."""
    listing = {}
    try:
        entries = sorted(inbox.glob("*.xml"))
    except OSError:
        return {}
    for path in entries:
        try:
            info = path.stat()
        except OSError:
            continue  # removed meanwhile (a sync replacing it)
        listing[path.name] = (info.st_size, info.st_mtime_ns)
    return listing


def seen_path(warehouse_path: Path | str) -> Path:
    """Where the files already read are listed for the sensor."""
    return Path(warehouse_path).parent / SEEN_FILE


def read_seen(warehouse_path: Path | str) -> dict[str, tuple[int, int]]:
    """The listing written after the last run ({} before the first, or when unreadable)."""
    try:
        data = json.loads(seen_path(warehouse_path).read_text(encoding="utf-8"))
        return {name: (int(v[0]), int(v[1])) for name, v in data.items()}
    except (OSError, ValueError, TypeError, IndexError):
        return {}


def ingest_android_inbox(
    inbox: Path | str,
    warehouse_path: Path | str,
    headers: Collection[str],
    now: dt.datetime | None = None,
) -> AndroidIngestStats:
    """Read every new or changed backup in `inbox` into sms_messages; see the module doc."""
    inbox, moment = Path(inbox), now or now_utc()
    senders = normalise_headers(headers)
    listing = inbox_listing(inbox)
    totals = {"files": 0, "read": 0, "stored": 0, "dropped": 0}
    redated: list[str] = []
    problems: list[str] = []
    with connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        con.execute(ANDROID_FILES_DDL)
        known = {
            name: (size, mtime)
            for name, size, mtime in con.execute(
                "SELECT name, size, mtime_ns FROM android_files"
            ).fetchall()
        }
        for name, stamp in listing.items():
            if known.get(name) == stamp:
                continue
            totals["files"] += 1
            problem, count = _read_file(con, inbox / name, senders, moment, totals, redated)
            if problem:
                problems.append(problem)
            con.execute(
                "INSERT OR REPLACE INTO android_files VALUES (?, ?, ?, ?, ?)",
                [name, stamp[0], stamp[1], count, problem],
            )
            known[name] = stamp
        recorded = {name: known[name] for name in listing if name in known}
    write_text_atomic(seen_path(warehouse_path), json.dumps(recorded, sort_keys=True))
    return AndroidIngestStats(
        totals["files"],
        len(listing) - totals["files"],
        totals["read"],
        totals["stored"],
        totals["dropped"],
        tuple(redated),
        tuple(problems),
    )


def _read_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    senders: frozenset[str],
    now: dt.datetime,
    totals: dict[str, int],
    redated: list[str],
) -> tuple[str | None, int]:
    """Store one file's messages in batches; (its problem or None, messages read)."""
    batch: dict[str, tuple[str, int, str]] = {}
    count = 0
    problem = None
    try:
        for sms in read_backup(path, senders):
            count += 1
            guid = message_guid(sms.address, sms.date_ms, sms.body)
            batch[guid] = (sms.address, sms.date_ms, sms.body)
            if len(batch) >= BATCH:
                store_batch(con, batch, now, totals, redated)
                batch = {}
    except BackupUnreadableError as exc:
        problem = str(exc)
    except OSError as exc:  # gone or unreadable meanwhile: tried again when it changes
        problem = f"{path}: {exc.strerror or exc}"
    if batch:
        store_batch(con, batch, now, totals, redated)
    totals["read"] += count
    return problem, count


def store_batch(
    con: duckdb.DuckDBPyConnection,
    batch: dict[str, tuple[str, int, str]],
    now: dt.datetime,
    totals: dict[str, int],
    redated: list[str],
    source: str = ANDROID_SOURCE,
    rowids: tuple[int, int] = (ROWID_BASE, ROWID_CEILING),
) -> None:
    """OTPs dropped, numbers masked, dates settled, then the messages not yet stored, as
    `source` with ROWIDs in `rowids` (from, below) after the highest one there."""
    columns: dict[str, list[Any]] = {
        "guid": [],
        "sender": [],
        "received_us": [],
        "body": [],
    }
    otp, mask = is_otp, mask_numbers
    for guid, (address, date_ms, body) in batch.items():
        if body and otp(body):
            totals["dropped"] += 1
            continue
        columns["guid"].append(guid)
        columns["sender"].append(address)
        columns["received_us"].append(date_ms * 1000)
        columns["body"].append(mask(body) if body else body)
    if not columns["guid"]:
        return
    redated.extend(settle_dates(columns, now))
    import pandas as pd  # ~50 MB resident: loaded by the run that ingests, not the code server

    first = con.execute(
        "SELECT coalesce(max(rowid), ?) FROM sms_messages WHERE rowid >= ? AND rowid < ?",
        [rowids[0], rowids[0], rowids[1]],
    ).fetchall()[0][0]
    size = len(columns["guid"])
    frame = pd.DataFrame(
        {
            "rowid": pd.array(range(int(first) + 1, int(first) + 1 + size), dtype="int64"),
            "guid": pd.array(columns["guid"], dtype=object),
            "sender": pd.array(columns["sender"], dtype=object),
            "received_at": pd.to_datetime(
                pd.array(columns["received_us"], dtype="int64"), unit="us", utc=True
            ),
            "body": pd.array(columns["body"], dtype=object),
        }
    )
    con.begin()
    try:
        con.register("new_android", frame)
        stored = con.execute(
            "INSERT INTO sms_messages (rowid, guid, sender, received_at, body,"
            " from_attributed_body, problem, source)"
            " SELECT n.rowid, n.guid, n.sender, n.received_at, n.body, false, NULL, ?"
            " FROM new_android n ANTI JOIN sms_messages g ON g.guid = n.guid",
            [source],
        ).fetchall()[0][0]
        con.unregister("new_android")
        con.commit()
    except BaseException:
        con.rollback()
        raise
    totals["stored"] += int(stored)
