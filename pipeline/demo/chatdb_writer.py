"""Build Messages databases with the real chat.db schema: for tests, the demo and the benchmark.

Rows are written the way Messages writes them for an incoming one-to-one SMS: a `handle` per
sender, a `chat` per handle (joined through `chat_handle_join`), the `message` row and its
`chat_message_join` row. Bulk appends use executemany inside one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import NamedTuple

# Messages' own journal mode: readers must cope with a live -wal file next to the database.
_PRAGMAS = "PRAGMA journal_mode=WAL;"


class NewMessage(NamedTuple):
    """A message to write into a chat.db: GUID, sender, text or attributedBody, Apple time."""

    guid: str
    sender: str  # handle id: a DLT header such as "VM-HDFCBK", a phone number or an e-mail
    text: str | None
    attributed_body: bytes | None
    date: int  # Apple time: nanoseconds since 2001-01-01 UTC
    is_from_me: int = 0
    service: str = "SMS"


def chat_db_schema() -> str:
    """The Messages database's real schema (shipped with the sms domain)."""
    return resources.files("assets.sms").joinpath("chat_db_schema.sql").read_text("utf-8")


def create_chat_db(path: Path | str) -> None:
    """Create an empty chat.db (tables and indexes, WAL mode); fails if the file exists."""
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    try:
        con.executescript(_PRAGMAS + chat_db_schema())
    finally:
        con.close()


def append_messages(path: Path | str, messages: Iterable[NewMessage]) -> list[int]:
    """Append messages in one transaction; returns their message ROWIDs, in input order."""
    rows = list(messages)
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        try:
            rowids = _append(con, rows)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        return rowids
    finally:
        con.close()


def _append(con: sqlite3.Connection, rows: list[NewMessage]) -> list[int]:
    if not rows:
        return []
    chats = _ensure_handles_and_chats(con, {(m.sender, m.service) for m in rows})
    # AUTOINCREMENT: the next ROWID follows the larger of sqlite_sequence and the current maximum;
    # inside this write transaction nobody else can take one, so the new ROWIDs are consecutive.
    seq = con.execute("SELECT seq FROM sqlite_sequence WHERE name = 'message'").fetchone()
    top = con.execute("SELECT MAX(ROWID) FROM message").fetchone()[0]
    first = max(seq[0] if seq else 0, top or 0) + 1
    con.executemany(
        "INSERT INTO message (guid, text, handle_id, attributedBody, service, account, date,"
        " date_read, date_delivered, is_delivered, is_finished, is_from_me, is_read, is_sent,"
        " version, part_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 1, 1, ?, ?, ?, 10, 1)",
        (
            (
                m.guid,
                m.text,
                chats[(m.sender, m.service)][0],
                m.attributed_body,
                m.service,
                f"{'e' if m.service == 'iMessage' else 'p'}:",
                m.date,
                m.date if not m.is_from_me else 0,
                m.is_from_me,
                0 if m.is_from_me else 1,
                m.is_from_me,
            )
            for m in rows
        ),
    )
    last = con.execute("SELECT last_insert_rowid()").fetchone()[0]
    if last != first + len(rows) - 1:
        raise RuntimeError(f"unexpected message ROWIDs: {first}..{last} for {len(rows)} rows")
    rowids = list(range(first, last + 1))
    con.executemany(
        "INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)",
        (
            (chats[(m.sender, m.service)][1], rowid, m.date)
            for m, rowid in zip(rows, rowids, strict=True)
        ),
    )
    return rowids


def _ensure_handles_and_chats(
    con: sqlite3.Connection, senders: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(sender, service) -> (handle ROWID, chat ROWID), creating what is missing."""
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for sender, service in sorted(senders):
        row = con.execute(
            "SELECT ROWID FROM handle WHERE id = ? AND service = ?", (sender, service)
        ).fetchone()
        if row is None:
            cur = con.execute(
                "INSERT INTO handle (id, country, service, uncanonicalized_id, person_centric_id)"
                " VALUES (?, 'in', ?, ?, NULL)",
                (sender, service, sender),
            )
            handle = int(cur.lastrowid or 0)
        else:
            handle = row[0]
        guid = f"{service};-;{sender}"
        row = con.execute("SELECT ROWID FROM chat WHERE guid = ?", (guid,)).fetchone()
        if row is None:
            # style 45 = one-to-one conversation, as Messages stores it.
            cur = con.execute(
                "INSERT INTO chat (guid, style, state, chat_identifier, service_name)"
                " VALUES (?, 45, 3, ?, ?)",
                (guid, sender, service),
            )
            chat = int(cur.lastrowid or 0)
        else:
            chat = row[0]
        con.execute(
            "INSERT OR IGNORE INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)",
            (chat, handle),
        )
        found[(sender, service)] = (handle, chat)
    return found
