from __future__ import annotations

import datetime as dt
import errno
import sqlite3
from pathlib import Path

import pytest

from assets.sms.chatdb import (
    SQLITE_MAX_PATH,
    ChatDbUnreadableError,
    apple_time_to_utc,
    describe_os_error,
    newest_bank_rowid,
    open_chat_db_readonly,
    read_bank_messages,
    utc_to_apple_ns,
)

from .helpers import AXIS_DEBIT, UPI_DEBIT, ChatDb


def test_writer_links_handles_chats_and_messages_like_messages_does(chat_db: ChatDb) -> None:
    rowids = chat_db.add(
        [chat_db.message("VM-HDFCBK", "a"), chat_db.message("+919800000000", "hi")]
    )
    rowids += chat_db.add([chat_db.message("VM-HDFCBK", "b")])
    assert rowids == [1, 2, 3]
    con = sqlite3.connect(chat_db.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    joined = con.execute(
        "SELECT m.ROWID, h.id, c.chat_identifier FROM message m"
        " JOIN handle h ON h.ROWID = m.handle_id"
        " JOIN chat_message_join cmj ON cmj.message_id = m.ROWID"
        " JOIN chat c ON c.ROWID = cmj.chat_id"
        " JOIN chat_handle_join chj ON chj.chat_id = c.ROWID AND chj.handle_id = h.ROWID"
        " ORDER BY m.ROWID"
    ).fetchall()
    assert joined == [
        (1, "VM-HDFCBK", "VM-HDFCBK"),
        (2, "+919800000000", "+919800000000"),
        (3, "VM-HDFCBK", "VM-HDFCBK"),
    ]
    assert con.execute("SELECT COUNT(*) FROM handle").fetchone()[0] == 2
    con.close()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, dt.datetime(2001, 1, 1, tzinfo=dt.UTC)),
        (700_000_000, dt.datetime(2023, 3, 8, 20, 26, 40, tzinfo=dt.UTC)),
        (700_000_000_123_456_789, dt.datetime(2023, 3, 8, 20, 26, 40, 123456, tzinfo=dt.UTC)),
    ],
)
def test_apple_time_in_seconds_or_nanoseconds(value: int, expected: dt.datetime) -> None:
    assert apple_time_to_utc(value) == expected


def test_reads_only_incoming_configured_bank_senders_after_the_cursor(chat_db: ChatDb) -> None:
    when = dt.datetime(2026, 3, 1, 4, 30, tzinfo=dt.UTC)
    chat_db.add(
        [
            chat_db.message("VM-HDFCBK", UPI_DEBIT, when=when),  # 1
            chat_db.message("+919800000000", "dinner?"),  # 2: a person
            chat_db.message("AD-HDFCBK-S", AXIS_DEBIT, blob_only=True),  # 3: body only in blob
            chat_db.message("VM-HDFCBK", "sent by me", is_from_me=1),  # 4
            chat_db.message("JD-FLPKRT", "Your order shipped"),  # 5: not configured
            chat_db.message("AX-ICICIB", None),  # 6: no text, no blob
        ]
    )
    got = read_bank_messages(chat_db.path, ["HDFCBK", "VM-ICICIB"], since_rowid=0)
    assert [(m.rowid, m.sender) for m in got] == [
        (1, "VM-HDFCBK"),
        (3, "AD-HDFCBK-S"),
        (6, "AX-ICICIB"),
    ]
    assert got[0].received_at == when and got[0].received_at.tzinfo is not None
    assert got[0].body == UPI_DEBIT and not got[0].from_attributed_body
    assert got[1].body == AXIS_DEBIT and got[1].from_attributed_body
    assert got[2].body is None
    assert [m.rowid for m in read_bank_messages(chat_db.path, ["HDFCBK"], since_rowid=1)] == [3]
    assert read_bank_messages(chat_db.path, ["KOTAKB"], since_rowid=0) == []


def test_newest_bank_rowid(chat_db: ChatDb) -> None:
    assert newest_bank_rowid(chat_db.path, ["HDFCBK"]) == 0
    chat_db.add([chat_db.message("VM-HDFCBK", "x"), chat_db.message("+91980", "y")])
    chat_db.add([chat_db.message("VM-HDFCBK", "me", is_from_me=1)])
    assert newest_bank_rowid(chat_db.path, ["HDFCBK"]) == 1
    assert newest_bank_rowid(chat_db.path, ["SBIINB"]) == 0


def test_reader_sees_commits_of_a_live_wal_writer_and_never_writes(chat_db: ChatDb) -> None:
    chat_db.add([chat_db.message("VM-HDFCBK", "first")])
    writer = sqlite3.connect(chat_db.path)  # Messages: holds the database open in WAL mode
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute(
        "INSERT INTO message (guid, text, handle_id, date, is_from_me)"
        " VALUES ('live', 'second', 1, ?, 0)",
        (utc_to_apple_ns(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),),
    )
    writer.commit()
    assert Path(f"{chat_db.path}-wal").stat().st_size > 0
    wal = Path(f"{chat_db.path}-wal")
    before = chat_db.path.read_bytes(), wal.read_bytes()
    bodies = [m.body for m in read_bank_messages(chat_db.path, ["HDFCBK"], 0)]
    assert bodies == ["first", "second"]
    ro = open_chat_db_readonly(chat_db.path)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        ro.execute("DELETE FROM message")
    ro.close()
    assert (chat_db.path.read_bytes(), wal.read_bytes()) == before
    writer.close()


def test_missing_file_names_the_setting_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "chat.db"
    with pytest.raises(ChatDbUnreadableError, match=r"\[messages\] chat_db") as info:
        read_bank_messages(missing, ["HDFCBK"], 0)
    assert str(missing) in str(info.value)
    assert not missing.exists() and not missing.parent.exists()


def test_only_a_permission_error_gets_the_full_disk_access_advice(tmp_path: Path) -> None:
    path = tmp_path / "chat.db"
    # macOS answers EPERM to a process without Full Disk Access (the suite runs as root here, for
    # whom no file is unreadable, so the real OSError is built rather than provoked).
    denied = describe_os_error(path, PermissionError(errno.EPERM, "Operation not permitted"))
    assert "Full Disk Access" in denied and "restart the service" in denied
    other = describe_os_error(path, OSError(errno.EIO, "Input/output error"))
    assert "Full Disk Access" not in other and "Input/output error" in other


def test_a_folder_in_place_of_the_file_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "chat.db").mkdir()
    with pytest.raises(ChatDbUnreadableError, match="is a folder") as info:
        open_chat_db_readonly(tmp_path / "chat.db")
    assert "Full Disk Access" not in str(info.value)


def test_an_over_long_path_says_so(tmp_path: Path) -> None:
    folder = tmp_path
    while len(str(folder)) <= SQLITE_MAX_PATH:
        folder = folder / ("d" * 100)
    folder.mkdir(parents=True)
    db = ChatDb(tmp_path / "short.db")
    db.add([db.message("VM-HDFCBK", UPI_DEBIT.format(amount="1.00"))])
    (tmp_path / "short.db").rename(folder / "chat.db")
    with pytest.raises(ChatDbUnreadableError, match="characters long") as info:
        read_bank_messages(folder / "chat.db", ["HDFCBK"], 0)
    assert "shorter path" in str(info.value) and "Full Disk Access" not in str(info.value)


def test_a_locked_database_says_so(chat_db: ChatDb) -> None:
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="1.00"))])
    # A writer holding an exclusive lock outside WAL mode: readers get "database is locked".
    writer = sqlite3.connect(chat_db.path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=DELETE")
    writer.execute("PRAGMA locking_mode=EXCLUSIVE")
    writer.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ChatDbUnreadableError, match="locked") as info:
            open_chat_db_readonly(chat_db.path, timeout=0.05)
        assert "next run retries" in str(info.value)
        assert "Full Disk Access" not in str(info.value)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_not_a_messages_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ChatDbUnreadableError, match="not a Messages database"):
        open_chat_db_readonly(other)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ChatDbUnreadableError, match="chat_db"):
        open_chat_db_readonly(garbage)


def test_apple_nanoseconds_round_trip() -> None:
    moment = dt.datetime(2026, 11, 19, 8, 42, 7, 123456, tzinfo=dt.UTC)
    assert apple_time_to_utc(utc_to_apple_ns(moment)) == moment
