from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.sms.chatdb import ChatDbUnreadableError
from assets.sms.ingest import ingest_new_messages
from assets.transactions.derive import derive_transactions

from .helpers import AXIS_DEBIT, OTP, UPI_DEBIT, ChatDb

HEADERS = ["HDFCBK", "AXISBK"]


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_ingest_stores_bank_sms_drops_otps_masks_and_advances_the_cursor(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    chat_db.add(
        [
            chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="6443.28")),  # 1
            chat_db.message("AD-HDFCBK-S", OTP),  # 2: dropped
            chat_db.message("+919800000000", "call me"),  # 3: not a bank
            chat_db.message("VM-AXISBK", AXIS_DEBIT, blob_only=True),  # 4
        ]
    )
    stats = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (stats.read, stats.stored, stats.otp_dropped, stats.cursor) == (3, 2, 1, 4)
    stored = rows(
        warehouse,
        "SELECT rowid, guid, sender, body, from_attributed_body, received_at FROM sms_messages"
        " ORDER BY rowid",
    )
    assert [r[:3] for r in stored] == [
        (1, "GUID-000001", "VM-HDFCBK"),
        (4, "GUID-000004", "VM-AXISBK"),
    ]
    assert stored[0][3] == UPI_DEBIT.format(amount="6443.28")
    assert "A/c no. XX5146" in stored[1][3] and "205146" not in stored[1][3]
    assert [r[4] for r in stored] == [False, True]
    assert stored[0][5].utcoffset() is not None
    assert not any("OTP for txn" in (r[3] or "") for r in stored)
    assert rows(warehouse, "SELECT * FROM ingest_cursor") == [("messages", 4, "GUID-000004")]


def test_an_authorisation_code_valid_for_minutes_is_dropped_as_an_otp(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    # Reads like a completed card alert, but hands over a live code: never stored.
    code_alert = (
        "Rs 2,500.00 debited from your card XX1234 at AMAZON. Authorisation 482913 valid for 10 min"
    )
    warehouse = tmp_path / "warehouse.duckdb"
    chat_db.add(
        [
            chat_db.message("VM-HDFCBK", code_alert),
            chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="12.00")),
        ]
    )
    stats = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (stats.stored, stats.otp_dropped, stats.cursor) == (1, 1, 2)
    stored = rows(warehouse, "SELECT rowid, body FROM sms_messages")
    assert [r[0] for r in stored] == [2]
    assert not any("482913" in r[1] for r in stored)


def test_ingest_is_incremental_and_idempotent(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount=str(n))) for n in range(5)])
    assert ingest_new_messages(chat_db.path, warehouse, HEADERS).stored == 5
    again = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (again.read, again.stored, again.cursor_before, again.cursor) == (0, 0, 5, 5)
    # Only OTPs and strangers since: the cursor still moves past them.
    chat_db.add([chat_db.message("VM-HDFCBK", OTP), chat_db.message("+9198", "hello")])
    skipped = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (skipped.stored, skipped.otp_dropped, skipped.cursor) == (0, 1, 7)
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="1.00"))])
    new = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (new.read, new.stored, new.cursor_before, new.cursor) == (1, 1, 7, 8)
    assert rows(warehouse, "SELECT COUNT(*), COUNT(DISTINCT guid) FROM sms_messages") == [(6, 6)]


def test_a_reset_cursor_does_not_duplicate_rows(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="9.00")) for _ in range(3)])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE ingest_cursor SET last_rowid = 0")
    con.close()
    stats = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (stats.read, stats.stored) == (3, 0)
    assert rows(warehouse, "SELECT COUNT(*) FROM sms_messages") == [(3,)]


def test_unreadable_chat_db_raises_before_the_warehouse_is_touched(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with pytest.raises(ChatDbUnreadableError):
        ingest_new_messages(tmp_path / "missing.db", warehouse, HEADERS)
    assert not warehouse.exists()


def test_senders_can_be_configured_as_full_sender_ids(chat_db: ChatDb, tmp_path: Path) -> None:
    chat_db.add([chat_db.message("JD-AXISBK-S", AXIS_DEBIT)])
    stats = ingest_new_messages(chat_db.path, tmp_path / "w.duckdb", ["VM-AXISBK"])
    assert stats.stored == 1


def test_big_spans_read_in_two_processes_give_the_same_rows(
    chat_db: ChatDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assets.sms import ingest

    chat_db.add(
        [
            chat_db.message(sender, body, blob_only=n % 3 == 0)
            for n in range(60)
            for sender, body in [
                ("VM-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00")),
                ("+919800000000", "hi"),
                ("VM-AXISBK", OTP if n % 7 == 0 else AXIS_DEBIT),
            ]
        ]
    )
    serial = ingest_new_messages(chat_db.path, tmp_path / "serial.duckdb", HEADERS)
    monkeypatch.setattr(ingest, "PARALLEL_SPAN", 10)
    split = ingest_new_messages(chat_db.path, tmp_path / "split.duckdb", HEADERS)
    assert split == serial and serial.stored == 111
    query = "SELECT * FROM sms_messages ORDER BY rowid"
    assert rows(tmp_path / "split.duckdb", query) == rows(tmp_path / "serial.duckdb", query)


def test_a_restored_chat_db_with_new_alerts_at_low_rowids_loses_none(
    make_chat_db: Callable[[str], ChatDb], tmp_path: Path
) -> None:
    old, new = make_chat_db("old"), make_chat_db("new")
    personal = [old.message("+919800000000", f"hello {n}") for n in range(4)]
    alerts = [old.message("VM-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00")) for n in range(6)]
    old.add(personal + alerts)  # ROWIDs 1-4 personal, 5-10 bank
    warehouse = tmp_path / "w.duckdb"
    first = ingest_new_messages(old.path, warehouse, HEADERS)
    assert (first.stored, first.cursor, first.chat_db_replaced) == (6, 10, False)
    # The restore keeps the bank messages (same GUIDs) but not the personal chat, so they are
    # renumbered 1-6; new alerts then arrive at ROWIDs 7-15, below and above the old cursor.
    new.count = 100
    arrived = [new.message("VM-AXISBK", AXIS_DEBIT) for _ in range(9)]
    new.add(alerts + arrived)
    stats = ingest_new_messages(new.path, warehouse, HEADERS)
    assert stats.chat_db_replaced
    assert (stats.read, stats.stored, stats.cursor) == (15, 9, 15)
    guids = rows(warehouse, "SELECT guid FROM sms_messages")
    assert sorted(g for (g,) in guids) == sorted(m.guid for m in alerts + arrived)
    assert rows(warehouse, "SELECT * FROM ingest_cursor") == [("messages", 15, arrived[-1].guid)]
    # Every stored message is derived once, although old and new ROWIDs 7-10 coincide.
    derived = derive_transactions(warehouse, [], ZoneInfo("Asia/Kolkata"))
    assert derived.considered == 15
    assert rows(warehouse, "SELECT count(DISTINCT message_guid) FROM transactions") == [(15,)]
    # Back to cheap ticks: the next run reads only what is new.
    new.add([new.message("VM-HDFCBK", UPI_DEBIT.format(amount="3.00"))])
    tick = ingest_new_messages(new.path, warehouse, HEADERS)
    assert (tick.chat_db_replaced, tick.read, tick.stored, tick.cursor) == (False, 1, 1, 16)


def test_a_smaller_replacement_is_read_in_full_too(
    make_chat_db: Callable[[str], ChatDb], tmp_path: Path
) -> None:
    old, new = make_chat_db("old"), make_chat_db("new")
    old.add([old.message("VM-HDFCBK", UPI_DEBIT.format(amount="1.00")) for _ in range(5)])
    new.count = 100
    new.add([new.message("VM-HDFCBK", UPI_DEBIT.format(amount="2.00"))])
    warehouse = tmp_path / "w.duckdb"
    assert not ingest_new_messages(old.path, warehouse, HEADERS).chat_db_replaced
    stats = ingest_new_messages(new.path, warehouse, HEADERS)
    assert stats.chat_db_replaced and (stats.newest_rowid, stats.stored, stats.cursor) == (1, 1, 1)


def test_text_that_is_not_utf8_never_blocks_the_messages_after_it(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    chat_db.add(
        [
            chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="1.00")),
            chat_db.message("VM-HDFCBK", "placeholder"),
            chat_db.message("VM-HDFCBK", "placeholder"),
            chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="3.00")),
        ]
    )
    bad_alert = UPI_DEBIT.format(amount="2.00").encode() + b" \xff\xfe caf\xe9"
    bad_otp = b"Do not share this OTP 815274 with anyone \xc3\x28"
    with closing(sqlite3.connect(chat_db.path)) as con, con:
        for rowid, raw in ((2, bad_alert), (3, bad_otp)):
            con.execute("UPDATE message SET text = CAST(? AS TEXT) WHERE ROWID = ?", [raw, rowid])
    stats = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (stats.read, stats.stored, stats.otp_dropped, stats.cursor) == (4, 3, 1, 4)
    assert stats.undecodable == 1
    stored = rows(warehouse, "SELECT rowid, body, problem FROM sms_messages ORDER BY rowid")
    assert [(r[0], r[2]) for r in stored] == [(1, None), (2, "undecodable"), (4, None)]
    assert stored[1][1].startswith(UPI_DEBIT.format(amount="2.00")) and "\ufffd" in stored[1][1]
    assert not any("815274" in r[1] for r in stored)


def test_corrupt_pages_stop_the_run_with_their_own_message_and_write_nothing(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="1.00"))])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    chat_db.add(
        [chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00") * 4) for n in range(800)]
    )
    with closing(sqlite3.connect(chat_db.path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(chat_db.path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16 * 4096] = b"\x5a" * (16 * 4096)
    chat_db.path.write_bytes(bytes(data))
    with pytest.raises(ChatDbUnreadableError, match="is damaged") as info:
        ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert "Full Disk Access" not in str(info.value) and "backup" in str(info.value)
    assert rows(warehouse, "SELECT last_rowid FROM ingest_cursor") == [(1,)]
    assert rows(warehouse, "SELECT count(*) FROM sms_messages") == [(1,)]


def test_a_warehouse_of_the_old_layout_is_upgraded_in_place(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    with closing(duckdb.connect(str(warehouse))) as con:
        con.execute(
            "CREATE TABLE sms_messages (rowid BIGINT PRIMARY KEY, guid VARCHAR UNIQUE,"
            " sender VARCHAR, received_at TIMESTAMPTZ, body VARCHAR, from_attributed_body BOOLEAN)"
        )
        con.execute("CREATE TABLE ingest_cursor (source VARCHAR PRIMARY KEY, last_rowid BIGINT)")
        # Two messages stored by the old layout, cursor at 2, no anchor.
        con.execute(
            "INSERT INTO sms_messages VALUES (1, 'GUID-000001', 'VM-HDFCBK', now(), 'a', false),"
            " (2, 'GUID-000002', 'VM-HDFCBK', now(), 'b', false)"
        )
        con.execute("INSERT INTO ingest_cursor VALUES ('messages', 2)")
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00")) for n in (1, 2)])
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="3.00"))])
    # The anchor is taken from the newest stored row: it matches, so only ROWID 3 is read.
    stats = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (stats.chat_db_replaced, stats.read, stats.stored) == (False, 1, 1)
    assert rows(warehouse, "SELECT guid, problem FROM sms_messages ORDER BY rowid") == [
        ("GUID-000001", None),
        ("GUID-000002", None),
        ("GUID-000003", None),
    ]
    assert rows(warehouse, "SELECT * FROM ingest_cursor") == [("messages", 3, "GUID-000003")]


def test_a_reset_cursor_stores_only_the_rows_not_yet_stored(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    # The plain INSERT fails on the stored rows; the fallback must still store the new one.
    warehouse = tmp_path / "warehouse.duckdb"
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="9.00")) for _ in range(2)])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE ingest_cursor SET last_rowid = 0")
    con.close()
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount="7.00"))])
    stats = ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert (stats.read, stats.stored, stats.cursor) == (3, 1, 3)
    assert rows(warehouse, "SELECT rowid FROM sms_messages ORDER BY rowid") == [(1,), (2,), (3,)]
    assert rows(warehouse, "SELECT * FROM ingest_cursor") == [("messages", 3, "GUID-000003")]


def test_a_bulk_ingest_commits_into_the_file_and_resets_the_settings(
    chat_db: ChatDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assets.sms import ingest

    monkeypatch.setattr(ingest, "BULK_ROWS", 2)
    warehouse = tmp_path / "warehouse.duckdb"
    chat_db.add([chat_db.message("VM-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00")) for n in (1, 2)])
    assert ingest_new_messages(chat_db.path, warehouse, HEADERS).stored == 2
    assert rows(warehouse, "SELECT COUNT(*) FROM sms_messages") == [(2,)]
    # The commit itself checkpoints: nothing is left in the write-ahead log while the connection
    # is still open. The settings are global to the database instance: they must not outlive it.
    wal = Path(f"{warehouse}.wal")
    con = duckdb.connect(str(warehouse))
    try:
        default = con.execute("SELECT current_setting('checkpoint_threshold')").fetchall()
        con.begin()
        con.execute("INSERT INTO sms_messages (rowid, guid) VALUES (9, 'G9')")
        ingest._commit_bulk(con)
        assert not wal.exists() or wal.stat().st_size == 0
        assert con.execute("SELECT current_setting('checkpoint_threshold')").fetchall() == default
        setting = "SELECT current_setting('disabled_compression_methods')"
        assert con.execute(setting).fetchall() == [("",)]
    finally:
        con.close()
    assert rows(warehouse, "SELECT COUNT(*) FROM sms_messages") == [(3,)]
