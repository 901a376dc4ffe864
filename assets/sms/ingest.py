"""chat.db → warehouse `sms_messages`: new bank SMS since the cursor, OTPs dropped, numbers masked.

The cursor is the highest chat.db ROWID already looked at (bank or not, OTP or not), so every run
reads only what arrived since the last one. Rows and cursor are written in one DuckDB
transaction, and rows already stored (same GUID) are skipped, so a re-run never duplicates.

A replaced chat.db (a restore, a new Mac) numbers its messages afresh, so new ones can sit below
the cursor. The cursor therefore remembers the GUID of the message at its ROWID; when chat.db no
longer holds that message there, the whole file is read again and only GUIDs not yet stored are
added. A tick pays one primary-key look-up for this.

After each commit the cursor is also written to a file beside the warehouse (assets.sms.news):
what the service's watcher and the sensor judge "news" against, without opening DuckDB.

A message's `date` is the device's clock, which can be wrong (reset to 1990, years ahead, a
corrupt value): a date more than DATE_TOLERANCE after the ingest's `now`, or before DATE_FLOOR,
is stored as `now` instead (`settle_dates`), and the run warns naming the message (GUID and
sender, never the body). A date the body states still wins downstream when it is plausible.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Iterable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from assets.common.clock import now_utc
from assets.common.columns import bool_column, int_column, text_column
from assets.common.gc_pause import gc_paused
from assets.common.parallel import can_split, run_halves
from assets.common.privacy import is_otp, mask_numbers
from assets.common.warehouse import connect
from assets.sms.attributed_body import decode_attributed_body
from assets.sms.chatdb import (
    BankRow,
    ChatDbUnreadableError,
    bank_handles,
    describe_sqlite_error,
    iter_bank_rows,
    max_message_rowid,
    open_chat_db_readonly,
)
from assets.sms.news import StoredCursor, chat_db_replaced, write_stored_cursor
from assets.sms.tables import ensure_tables

if TYPE_CHECKING:
    import duckdb
    import numpy as np

DEFAULT_SOURCE = "messages"
# chat.db ROWIDs to look at before a second process pays off (a tick sees a few dozen).
PARALLEL_SPAN = 200_000
# Stored rows from which the commit checkpoints, without DICT_FSST (see _commit_bulk): a first
# ingest.
BULK_ROWS = 20_000
# A received time this far past the ingest's clock is a wrong device clock, not a bank's.
DATE_TOLERANCE = dt.timedelta(days=1)
# No bank SMS reached a Messages database before this; 2001-01-01 is Apple's epoch, what a
# zeroed `date` reads as.
DATE_FLOOR = dt.datetime(2008, 1, 1, tzinfo=dt.UTC)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class IngestStats(NamedTuple):
    """What one ingest run read, stored and dropped, and where its cursor moved."""

    read: int  # bank messages read from chat.db this run
    stored: int  # rows newly inserted into sms_messages
    otp_dropped: int
    cursor_before: int
    cursor: int  # chat.db ROWID the next run starts after
    newest_rowid: int = 0  # chat.db's highest ROWID
    # chat.db no longer held the message at the cursor (replaced, or that message deleted), so
    # it was read again in full by GUID.
    chat_db_replaced: bool = False
    undecodable: int = 0  # stored with a `problem` (see tables.py)
    # Messages whose date was implausible, stored as received at the ingest's `now`: one line
    # each naming the GUID, sender and the date it had (see settle_dates).
    redated: tuple[str, ...] = ()


def read_cursor(con: duckdb.DuckDBPyConnection, source: str = DEFAULT_SOURCE) -> int:
    """The chat.db ROWID the next run starts after (0 before the first run)."""
    return _read_cursor(con, source)[0]


def _read_cursor(con: duckdb.DuckDBPyConnection, source: str) -> tuple[int, str | None]:
    rows = con.execute(
        "SELECT last_rowid, anchor_guid FROM ingest_cursor WHERE source = ?", [source]
    ).fetchall()
    return (int(rows[0][0]), rows[0][1]) if rows else (0, None)


def _replaced(
    chat: sqlite3.Connection,
    con: duckdb.DuckDBPyConnection,
    since: int,
    anchor: str | None,
    upto: int,
) -> bool:
    """Whether chat.db is no longer the file the cursor was read from."""
    if since == 0:
        return False
    if upto < since:
        return True
    if anchor is None:
        # A cursor written before anchors existed: the newest stored message stands in.
        row = con.execute(
            "SELECT rowid, guid FROM sms_messages WHERE rowid <= ? ORDER BY rowid DESC LIMIT 1",
            [since],
        ).fetchall()
        if not row:
            return False
        at, anchor = row[0]
        found = chat.execute("SELECT guid FROM message WHERE ROWID = ?", [at]).fetchone()
        return found is None or found[0] != anchor
    # The check the watcher and the sensor make on the cursor file (assets.sms.news).
    return chat_db_replaced(chat, since, anchor, upto)


@gc_paused  # a first ingest: ~100,000 rows (assets.common.gc_pause)
def ingest_new_messages(
    chat_db: Path | str,
    warehouse_path: Path | str,
    headers: Collection[str],
    source: str = DEFAULT_SOURCE,
    now: dt.datetime | None = None,
) -> IngestStats:
    """Copy new bank SMS from chat.db into the warehouse; raises ChatDbUnreadableError first.

    chat.db is opened before the warehouse, so an unreadable source changes nothing. `now` is
    the ingest time implausible dates are replaced with (the clock resource's; the wall clock
    when not given).
    """
    import duckdb  # here, not at module top: the code server loads this module, never runs it

    with closing(open_chat_db_readonly(chat_db)) as chat, connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        since, anchor = _read_cursor(con, source)
        # One read transaction: the ROWID ceiling and the rows come from the same snapshot, so a
        # message Messages commits meanwhile is left for the next run, never skipped.
        try:
            chat.execute("BEGIN")
            try:
                upto = max_message_rowid(chat)
                replaced = _replaced(chat, con, since, anchor, upto)
                start = 0 if replaced else since
                handles = bank_handles(chat, headers)
                if upto - start >= PARALLEL_SPAN and can_split():
                    # A first ingest: two processes each read, decode and clean half the ROWIDs.
                    middle = start + (upto - start) // 2
                    first, second = run_halves(
                        _read_range,
                        (chat_db, handles, start, middle),
                        (chat_db, handles, middle, upto),
                    )
                    columns = {name: first[0][name] + second[0][name] for name in first[0]}
                    read, dropped = first[1] + second[1], first[2] + second[2]
                else:
                    rows = iter_bank_rows(chat, handles, start, upto)
                    columns, read, dropped = _collect(rows, handles)
                found = chat.execute("SELECT guid FROM message WHERE ROWID = ?", [upto]).fetchone()
                new_anchor = found[0] if found else None
            finally:
                chat.execute("COMMIT")
        except sqlite3.Error as exc:
            # Corrupt pages or a lock met while reading: nothing is written, the cursor stays.
            raise ChatDbUnreadableError(describe_sqlite_error(Path(chat_db), exc)) from exc
        cursor = upto
        redated = settle_dates(columns, now or now_utc())
        undecodable = sum(p is not None for p in columns["problem"])
        con.begin()
        try:
            stored = 0
            if columns["rowid"]:
                frame = _frame(columns)
                con.register("new_sms", frame)
                try:
                    # A re-read holds mostly stored messages: straight to the anti-join.
                    stored = _insert(con, _INSERT_MISSING if replaced else _INSERT_NEW)
                except duckdb.ConstraintException:
                    # Some rows are stored already (a re-run, a reset cursor): the anti-joins
                    # insert the others, so nothing is stored twice. The rollback also undoes
                    # the registration.
                    con.rollback()
                    con.begin()
                    con.register("new_sms", frame)
                    stored = _insert(con, _INSERT_MISSING)
                con.unregister("new_sms")
            # UPDATE, then INSERT only on the very first run: an upsert costs ~5 ms a tick.
            if not _insert(con, _UPDATE_CURSOR, [cursor, new_anchor, source]):
                con.execute(
                    "INSERT INTO ingest_cursor VALUES (?, ?, ?)", [source, cursor, new_anchor]
                )
            if stored >= BULK_ROWS:
                _commit_bulk(con)
            else:
                con.commit()
        except BaseException:
            con.rollback()
            raise
        # Only once committed: the watcher and the sensor judge news against this file.
        write_stored_cursor(warehouse_path, StoredCursor(cursor, new_anchor))
    return IngestStats(
        read, stored, dropped, since, cursor, upto, replaced, undecodable, tuple(redated)
    )


def settle_dates(columns: dict[str, list[Any]], now: dt.datetime) -> list[str]:
    """Replace, in place, each `received_us` more than DATE_TOLERANCE after `now` or before
    DATE_FLOOR with `now`; one line per message replaced (GUID, sender, the date it had)."""
    micros = columns["received_us"]
    now_us = _micros(now)
    latest, earliest = _micros(now + DATE_TOLERANCE), _micros(DATE_FLOOR)
    lines = []
    for i, value in enumerate(micros):
        if earliest <= value <= latest:
            continue
        micros[i] = now_us
        lines.append(f"{columns['guid'][i]} from {columns['sender'][i]} dated {_date_text(value)}")
    return lines


def _micros(moment: dt.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _date_text(micros: int) -> str:
    try:
        return (_EPOCH + dt.timedelta(microseconds=micros)).isoformat(timespec="seconds")
    except OverflowError:
        return f"{micros} µs after 1970 (out of range)"


def _commit_bulk(con: duckdb.DuckDBPyConnection) -> None:
    """Commit a first ingest straight into the file, without DICT_FSST string compression.

    A commit whose rows would take the write-ahead log past `checkpoint_threshold` is
    checkpointed instead of logged; with the threshold at zero this one is, which saves copying
    ~100,000 bodies into the log first (~0.04 s). Analysing them for DICT_FSST costs ~0.25 s of
    a ~0.35 s checkpoint; without it the table takes ~24 MB instead of ~15 MB. Both settings
    are global to the database instance, so they are reset at once and ticks keep the defaults.
    """
    con.execute("SET disabled_compression_methods = 'dict_fsst'")
    con.execute("SET checkpoint_threshold = '0KB'")
    try:
        con.commit()
    finally:
        con.execute("RESET checkpoint_threshold")
        con.execute("RESET disabled_compression_methods")


def _read_range(
    chat_db: Path | str, handles: dict[int, str], since: int, upto: int
) -> tuple[dict[str, list[Any]], int, int]:
    """_collect over since < ROWID <= upto, on a connection of its own (runs in a worker)."""
    with closing(open_chat_db_readonly(chat_db)) as chat:
        return _collect(iter_bank_rows(chat, handles, since, upto), handles)


def _collect(
    rows: Iterable[BankRow], handles: dict[int, str]
) -> tuple[dict[str, list[Any]], int, int]:
    """Decode, drop OTPs and mask, into columns; returns (columns, rows read, OTPs dropped).

    Works on raw tuples with local names: this loop runs once per bank SMS, 100,000 times on a
    first ingest, so per-row objects and attribute look-ups are kept out of it. A row that cannot
    be processed is stored with body NULL and a `problem`, so it never blocks the rows after it;
    its body and the exception (which could quote it) go nowhere.
    """
    rowids: list[int] = []
    guids: list[str] = []
    senders: list[str] = []
    micros: list[int] = []
    bodies: list[str | None] = []
    from_blob: list[bool] = []
    problems: list[str | None] = []
    decode, otp, mask = decode_attributed_body, is_otp, mask_numbers
    read = dropped = 0
    for rowid, guid, handle_id, received_us, raw, blob in rows:
        read += 1
        problem = None
        try:
            if raw is None:
                body, decoded = (None, False) if blob is None else (decode(blob), True)
            else:
                decoded = False
                try:
                    body = raw.decode("utf-8")
                except UnicodeDecodeError:
                    body, problem = raw.decode("utf-8", "replace"), "undecodable"
            if body is not None:
                if otp(body):
                    dropped += 1
                    continue
                body = mask(body)
        except Exception:  # whatever failed: keep the row, drop the body
            body, problem = None, "unreadable"
        rowids.append(rowid)
        guids.append(guid)
        senders.append(handles[handle_id])
        micros.append(received_us)
        bodies.append(body)
        from_blob.append(decoded)
        problems.append(problem)
    columns = {
        "rowid": rowids,
        "guid": guids,
        "sender": senders,
        "received_us": micros,
        "body": bodies,
        "from_attributed_body": from_blob,
        "problem": problems,
    }
    return columns, read, dropped


def _frame(columns: dict[str, list[Any]]) -> dict[str, np.ndarray]:
    """The columns as arrays for `con.register` (see assets.common.columns); `received_us`
    stays integer microseconds, made a TIMESTAMPTZ by the INSERT (_RECEIVED_AT)."""
    return {
        "rowid": int_column(columns["rowid"]),
        "guid": text_column(columns["guid"]),
        "sender": text_column(columns["sender"]),
        "received_us": int_column(columns["received_us"]),
        "body": text_column(columns["body"]),
        "from_attributed_body": bool_column(columns["from_attributed_body"]),
        "problem": text_column(columns["problem"]),
    }


# A tick's rows are above the cursor, so they are new: a plain INSERT, with the primary key and
# the unique GUID as the guard, costs a third of the anti-joins (~5 ms against ~15 ms a tick).
_COLUMNS = "rowid, guid, sender, received_at, body, from_attributed_body, problem"
# Unix microseconds → the instant, exact and whatever the session's time zone.
_RECEIVED_AT = "make_timestamp(n.received_us) AT TIME ZONE 'UTC'"
_SELECT = (
    f"SELECT n.rowid, n.guid, n.sender, {_RECEIVED_AT}, n.body, n.from_attributed_body,"
    " n.problem FROM new_sms n"
)
# The columns named: `source` takes its default, 'messages'.
_INSERT_NEW = f"INSERT INTO sms_messages ({_COLUMNS}) {_SELECT}"
_INSERT_MISSING = (
    f"INSERT INTO sms_messages ({_COLUMNS}) {_SELECT} ANTI JOIN sms_messages g ON g.guid = n.guid"
)
_UPDATE_CURSOR = "UPDATE ingest_cursor SET last_rowid = ?, anchor_guid = ? WHERE source = ?"


def _insert(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    """Rows an INSERT or UPDATE wrote (DuckDB returns the count as its result)."""
    # fetchall, not fetchone: DuckDB 2 refuses new work while a result is only partly fetched.
    return int(con.execute(sql, params).fetchall()[0][0])
