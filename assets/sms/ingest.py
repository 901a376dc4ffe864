"""chat.db → warehouse `sms_messages`: new bank SMS since the cursor, OTPs dropped, numbers masked.

The cursor is the highest chat.db ROWID already looked at (bank or not, OTP or not), so every run
reads only what arrived since the last one. Rows and cursor are written in one DuckDB
transaction, and rows already stored (same ROWID or GUID) are skipped, so a re-run never
duplicates.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import closing
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd

from assets.common.warehouse import connect
from assets.sms.attributed_body import decode_attributed_body
from assets.sms.chatdb import (
    BankRow,
    bank_handles,
    iter_bank_rows,
    max_message_rowid,
    open_chat_db_readonly,
)
from assets.sms.parallel import can_split, run_halves
from assets.sms.privacy import is_otp, mask_numbers
from assets.sms.tables import ensure_tables

DEFAULT_SOURCE = "messages"
# chat.db ROWIDs to look at before a second process pays off (a tick sees a few dozen).
PARALLEL_SPAN = 200_000
# Stored rows from which the checkpoint skips DICT_FSST (see _checkpoint_bulk): a first ingest.
BULK_ROWS = 20_000


class IngestStats(NamedTuple):
    read: int  # bank messages read from chat.db this run
    stored: int  # rows newly inserted into sms_messages
    otp_dropped: int
    cursor_before: int
    cursor: int  # chat.db ROWID the next run starts after
    newest_rowid: int = 0  # chat.db's highest ROWID; below cursor_before = a replaced chat.db

    @property
    def chat_db_replaced(self) -> bool:
        """chat.db holds fewer ROWIDs than already read: a restore or a new Mac. New messages
        would sit below the cursor and never be read; the owner has to decide what to do."""
        return self.newest_rowid < self.cursor_before


def read_cursor(con: duckdb.DuckDBPyConnection, source: str = DEFAULT_SOURCE) -> int:
    rows = con.execute("SELECT last_rowid FROM ingest_cursor WHERE source = ?", [source]).fetchall()
    return int(rows[0][0]) if rows else 0


def ingest_new_messages(
    chat_db: Path | str,
    warehouse_path: Path | str,
    headers: Collection[str],
    source: str = DEFAULT_SOURCE,
) -> IngestStats:
    """Copy new bank SMS from chat.db into the warehouse; raises ChatDbUnreadableError first.

    chat.db is opened before the warehouse, so an unreadable source changes nothing.
    """
    with closing(open_chat_db_readonly(chat_db)) as chat, connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        since = read_cursor(con, source)
        # One read transaction: the ROWID ceiling and the rows come from the same snapshot, so a
        # message Messages commits meanwhile is left for the next run, never skipped.
        chat.execute("BEGIN")
        try:
            upto = max_message_rowid(chat)
            handles = bank_handles(chat, headers)
            if upto - since >= PARALLEL_SPAN and can_split():
                # A first ingest: two processes each read, decode and clean half the ROWIDs.
                middle = since + (upto - since) // 2
                first, second = run_halves(
                    _read_range, (chat_db, handles, since, middle), (chat_db, handles, middle, upto)
                )
                columns = {name: first[0][name] + second[0][name] for name in first[0]}
                read, dropped = first[1] + second[1], first[2] + second[2]
            else:
                rows = iter_bank_rows(chat, handles, since, upto)
                columns, read, dropped = _collect(rows, handles)
        finally:
            chat.execute("COMMIT")
        cursor = max(since, upto)
        con.begin()
        try:
            stored = 0
            if columns["rowid"]:
                frame = _frame(columns)
                con.register("new_sms", frame)
                try:
                    stored = _insert(con, _INSERT_NEW)
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
            if not _insert(con, _UPDATE_CURSOR, [cursor, source]):
                con.execute("INSERT INTO ingest_cursor VALUES (?, ?)", [source, cursor])
            con.commit()
        except BaseException:
            con.rollback()
            raise
        if stored >= BULK_ROWS:
            _checkpoint_bulk(con)
    return IngestStats(read, stored, dropped, since, cursor, upto)


def _checkpoint_bulk(con: duckdb.DuckDBPyConnection) -> None:
    """Write a first ingest to the file without DICT_FSST string compression.

    Analysing 100,000 bodies for DICT_FSST costs ~0.25 s of a ~0.35 s checkpoint; without it the
    table takes ~24 MB instead of ~15 MB. Done here, scoped, rather than by the close: the
    setting is global to the database instance, so it is reset at once and ticks keep the
    default.
    """
    con.execute("SET disabled_compression_methods = 'dict_fsst'")
    try:
        con.execute("CHECKPOINT")
    finally:
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
    first ingest, so per-row objects and attribute look-ups are kept out of it.
    """
    rowids: list[int] = []
    guids: list[str] = []
    senders: list[str] = []
    micros: list[int] = []
    bodies: list[str | None] = []
    from_blob: list[bool] = []
    decode, otp, mask = decode_attributed_body, is_otp, mask_numbers
    read = dropped = 0
    for rowid, guid, handle_id, received_us, text, blob in rows:
        read += 1
        if text is None and blob is not None:
            body, decoded = decode(blob), True
        else:
            body, decoded = text, False
        if body is not None:
            if otp(body):
                dropped += 1
                continue
            body = mask(body)
        rowids.append(rowid)
        guids.append(guid)
        senders.append(handles[handle_id])
        micros.append(received_us)
        bodies.append(body)
        from_blob.append(decoded)
    columns = {
        "rowid": rowids,
        "guid": guids,
        "sender": senders,
        "received_us": micros,
        "body": bodies,
        "from_attributed_body": from_blob,
    }
    return columns, read, dropped


def _frame(columns: dict[str, list[Any]]) -> pd.DataFrame:
    # A tz-aware datetime64 column arrives in DuckDB as TIMESTAMPTZ by a plain copy, with no
    # per-row Python objects and no time-zone extension to load.
    micros = pd.array(columns["received_us"], dtype="int64")
    received = pd.to_datetime(micros, unit="us", utc=True)
    return pd.DataFrame(
        {
            "rowid": pd.array(columns["rowid"], dtype="int64"),
            "guid": pd.array(columns["guid"], dtype=object),
            "sender": pd.array(columns["sender"], dtype=object),
            "received_at": received,
            "body": pd.array(columns["body"], dtype=object),
            "from_attributed_body": pd.array(columns["from_attributed_body"], dtype=bool),
        }
    )


# A tick's rows are above the cursor, so they are new: a plain INSERT, with the primary key and
# the unique GUID as the guard, costs a third of the anti-joins (~5 ms against ~15 ms a tick).
_INSERT_NEW = (
    "INSERT INTO sms_messages SELECT rowid, guid, sender, received_at, body,"
    " from_attributed_body FROM new_sms"
)
_INSERT_MISSING = (
    "INSERT INTO sms_messages"
    " SELECT n.rowid, n.guid, n.sender, n.received_at, n.body,"
    " n.from_attributed_body FROM new_sms n"
    " ANTI JOIN sms_messages r ON r.rowid = n.rowid"
    " ANTI JOIN sms_messages g ON g.guid = n.guid"
)
_UPDATE_CURSOR = "UPDATE ingest_cursor SET last_rowid = ? WHERE source = ?"


def _insert(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    """Rows an INSERT or UPDATE wrote (DuckDB returns the count as its result)."""
    # fetchall, not fetchone: DuckDB 2 refuses new work while a result is only partly fetched.
    return int(con.execute(sql, params).fetchall()[0][0])
