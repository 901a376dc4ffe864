"""chat.db → warehouse `sms_messages`: new bank SMS since the cursor, OTPs dropped, numbers masked.

The cursor is the highest chat.db ROWID already looked at (bank or not, OTP or not), so every run
reads only what arrived since the last one. Rows and cursor are written in one DuckDB
transaction, and rows are inserted with `INSERT OR IGNORE`, so a re-run never duplicates.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

import duckdb
import pandas as pd

from assets.common.warehouse import connect
from assets.sms.chatdb import (
    bank_handles,
    iter_bank_messages,
    max_message_rowid,
    open_chat_db_readonly,
)
from assets.sms.privacy import is_otp, mask_numbers
from assets.sms.tables import ensure_tables

DEFAULT_SOURCE = "messages"


class IngestStats(NamedTuple):
    read: int  # bank messages read from chat.db this run
    stored: int  # rows newly inserted into sms_messages
    otp_dropped: int
    cursor_before: int
    cursor: int  # chat.db ROWID the next run starts after


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
    with closing(open_chat_db_readonly(chat_db)) as chat:
        with connect(Path(warehouse_path)) as con:
            ensure_tables(con)
            since = read_cursor(con, source)
        # One read transaction: the ROWID ceiling and the rows come from the same snapshot, so a
        # message Messages commits meanwhile is left for the next run, never skipped.
        chat.execute("BEGIN")
        try:
            upto = max_message_rowid(chat)
            handles = bank_handles(chat, headers)
            messages = list(iter_bank_messages(chat, handles, since, upto))
        finally:
            chat.execute("COMMIT")

    rowids: list[int] = []
    guids: list[str] = []
    senders: list[str] = []
    received: list[object] = []
    bodies: list[str | None] = []
    from_blob: list[bool] = []
    dropped = 0
    for m in messages:
        body = m.body
        if body is not None:
            if is_otp(body):
                dropped += 1
                continue
            body = mask_numbers(body)
        rowids.append(m.rowid)
        guids.append(m.guid)
        senders.append(m.sender)
        received.append(m.received_at)
        bodies.append(body)
        from_blob.append(m.from_attributed_body)

    cursor = max(since, upto)
    with connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        con.begin()
        try:
            before = _count(con)
            if rowids:
                frame = pd.DataFrame(
                    {
                        "rowid": pd.array(rowids, dtype="int64"),
                        "guid": pd.array(guids, dtype=object),
                        "sender": pd.array(senders, dtype=object),
                        "received_at": pd.to_datetime(received, utc=True),
                        "body": pd.array(bodies, dtype=object),
                        "from_attributed_body": pd.array(from_blob, dtype=bool),
                    }
                )
                con.register("new_sms", frame)
                con.execute(
                    "INSERT OR IGNORE INTO sms_messages"
                    " SELECT rowid, guid, sender, received_at, body, from_attributed_body"
                    " FROM new_sms"
                )
                con.unregister("new_sms")
            stored = _count(con) - before
            con.execute(
                "INSERT INTO ingest_cursor VALUES (?, ?)"
                " ON CONFLICT (source) DO UPDATE SET last_rowid = excluded.last_rowid",
                [source, cursor],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return IngestStats(len(messages), stored, dropped, since, cursor)


def _count(con: duckdb.DuckDBPyConnection) -> int:
    # fetchall, not fetchone: DuckDB 2 refuses new work while a result is only partly fetched.
    return int(con.execute("SELECT COUNT(*) FROM sms_messages").fetchall()[0][0])
