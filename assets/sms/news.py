"""Is there bank SMS news? Judged against what the warehouse stored, never against who asked.

A run that failed, or a ROWID someone saw once, took nothing: only the ingest's own cursor says
what is stored. The warehouse is DuckDB, one process at a time (a reader would block the run
that writes), so after every commit the ingest also writes its cursor (the chat.db ROWID it read
up to and the GUID of the message there) to a small JSON file beside the warehouse, atomically.
The service's chat.db watcher and the sensor read that file: a file read, no lock.

News is a bank SMS above the stored cursor, or a chat.db that no longer holds the stored
message at the cursor's ROWID (replaced by a restore or a new Mac: its new messages can sit
below the cursor), the same check the ingest makes. Without the file (no ingest yet, or one
from before this file existed) any bank SMS is news: the run that takes it writes the file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from contextlib import closing
from pathlib import Path
from typing import NamedTuple

from assets.common.atomic import write_json_atomic
from assets.sms.chatdb import (
    ChatDbUnreadableError,
    describe_sqlite_error,
    max_message_rowid,
    newest_bank_rowid_in,
    open_chat_db_readonly,
)

CURSOR_FILE = "sms-ingest-cursor.json"


class StoredCursor(NamedTuple):
    """The ingest's cursor as of its last commit."""

    rowid: int  # the chat.db ROWID the next ingest starts after
    anchor_guid: str | None  # the GUID of the message at `rowid` when it was read


class News(NamedTuple):
    """What the next ingest would take: bank SMS up to `newest`, or a whole replaced chat.db."""

    newest: int  # the newest bank SMS's ROWID
    stored: int  # the stored cursor (0: nothing stored, or no cursor file)
    replaced: bool  # chat.db no longer holds the stored message at the cursor

    def describe(self) -> str:
        """One line for a log: what is new, relative to what is stored."""
        if self.replaced:
            return (
                f"chat.db was replaced (the message stored at ROWID {self.stored} is not there): "
                f"bank SMS up to ROWID {self.newest} to read again by GUID"
            )
        return f"bank SMS up to ROWID {self.newest}, stored up to ROWID {self.stored}"


def cursor_file(warehouse: Path | str) -> Path:
    """Where the ingest leaves its cursor: beside the warehouse file."""
    return Path(warehouse).with_name(CURSOR_FILE)


def write_stored_cursor(warehouse: Path | str, cursor: StoredCursor) -> None:
    """Record the cursor just committed (atomic: a reader sees the old file or the new one)."""
    write_json_atomic(
        cursor_file(warehouse), {"rowid": cursor.rowid, "anchor_guid": cursor.anchor_guid}
    )


def read_stored_cursor(warehouse: Path | str) -> StoredCursor | None:
    """The cursor the ingest last committed; None when there is no readable file."""
    try:
        data = json.loads(cursor_file(warehouse).read_text("utf-8"))
        rowid, anchor = int(data["rowid"]), data.get("anchor_guid")
    except (OSError, ValueError, TypeError, KeyError):
        return None
    return StoredCursor(rowid, anchor if isinstance(anchor, str) else None)


def chat_db_replaced(chat: sqlite3.Connection, since: int, anchor: str | None, upto: int) -> bool:
    """Whether chat.db no longer holds the message `anchor` at ROWID `since` (0: nothing read).

    `upto` is chat.db's highest ROWID: below the cursor, the file is another one.
    """
    if since == 0:
        return False
    if upto < since:
        return True
    if anchor is None:
        return False
    found = chat.execute("SELECT guid FROM message WHERE ROWID = ?", [since]).fetchone()
    return found is None or found[0] != anchor


def find_news(
    chat_db: Path | str, headers: Collection[str], stored: StoredCursor | None
) -> News | None:
    """The news in chat.db against `stored` (the ingest's cursor), or None when there is none.

    Raises ChatDbUnreadableError when chat.db cannot be read.
    """
    with closing(open_chat_db_readonly(chat_db)) as chat:
        try:
            chat.execute("BEGIN")  # one snapshot for the three look-ups
            try:
                newest = newest_bank_rowid_in(chat, headers)
                if stored is None:
                    return News(newest, 0, False) if newest else None
                upto = max_message_rowid(chat)
                replaced = chat_db_replaced(chat, stored.rowid, stored.anchor_guid, upto)
            finally:
                chat.execute("COMMIT")
        except sqlite3.Error as exc:
            raise ChatDbUnreadableError(describe_sqlite_error(Path(chat_db), exc)) from exc
    if replaced and newest:
        return News(newest, stored.rowid, True)
    if newest > stored.rowid:
        return News(newest, stored.rowid, False)
    return None
