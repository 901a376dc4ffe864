"""News for the watcher and the sensor: judged against the cursor the ingest committed."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from assets.sms.ingest import ingest_new_messages
from assets.sms.news import (
    News,
    StoredCursor,
    cursor_file,
    find_news,
    read_stored_cursor,
)

from .helpers import UPI_DEBIT, ChatDb

HEADERS = ["HDFCBK"]
BANK = "VM-HDFCBK"


def bank(chat: ChatDb, amount: str) -> list[int]:
    return chat.add([chat.message(BANK, UPI_DEBIT.format(amount=amount))])


def test_the_ingest_leaves_its_committed_cursor_beside_the_warehouse(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    bank(chat_db, "1.00")
    chat_db.add([chat_db.message("+919800000000", "hello")])
    assert read_stored_cursor(warehouse) is None  # no ingest yet
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert cursor_file(warehouse) == tmp_path / "data" / "sms-ingest-cursor.json"
    # The same cursor the warehouse holds: the newest ROWID looked at, and the GUID there.
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("SELECT last_rowid, anchor_guid FROM ingest_cursor").fetchone()
    assert read_stored_cursor(warehouse) == StoredCursor(*row) == StoredCursor(2, "GUID-000002")


def test_a_failed_ingest_leaves_the_cursor_file_as_it_was(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    bank(chat_db, "1.00")
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    bank(chat_db, "2.00")
    with duckdb.connect(str(warehouse)) as con:  # the next commit fails
        con.execute("DROP TABLE ingest_cursor")
        con.execute("CREATE TABLE ingest_cursor (source VARCHAR, last_rowid BIGINT"
                    " CHECK (last_rowid < 2), anchor_guid VARCHAR)")  # fmt: skip
        con.execute("INSERT INTO ingest_cursor VALUES ('messages', 1, 'GUID-000001')")
    with pytest.raises(duckdb.Error):
        ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert read_stored_cursor(warehouse) == StoredCursor(1, "GUID-000001")
    assert find_news(chat_db.path, HEADERS, read_stored_cursor(warehouse)) == News(2, 1, False)


def test_news_is_a_bank_sms_above_the_stored_cursor(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    assert find_news(chat_db.path, HEADERS, None) is None  # no bank SMS at all
    [first] = bank(chat_db, "1.00")
    assert find_news(chat_db.path, HEADERS, None) == News(first, 0, False)  # nothing stored
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    stored = read_stored_cursor(warehouse)
    assert find_news(chat_db.path, HEADERS, stored) is None
    chat_db.add([chat_db.message("+919800000000", "not a bank")])
    chat_db.add([chat_db.message(BANK, "mine", is_from_me=1)])
    assert find_news(chat_db.path, HEADERS, stored) is None
    [second] = bank(chat_db, "2.00")
    assert find_news(chat_db.path, HEADERS, stored) == News(second, first, False)


def test_a_replaced_chat_db_is_news_even_below_the_cursor(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    bank(chat_db, "1.00")
    older = tmp_path / "older.db"
    shutil.copy(chat_db.path, older)
    chat_db.add([chat_db.message("+919800000000", f"chat {i}") for i in range(10)])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    stored = read_stored_cursor(warehouse)
    assert stored is not None and stored.rowid == 11

    older.replace(chat_db.path)  # a restore: ROWIDs 2.. are taken again by other messages
    # Below the cursor, yet news: the ingest reads a replaced file again (by GUID), once.
    assert find_news(chat_db.path, HEADERS, stored) == News(1, 11, True)
    [rowid] = bank(chat_db, "2.00")
    assert rowid < stored.rowid
    assert find_news(chat_db.path, HEADERS, stored) == News(rowid, 11, True)
    # The same rule as the ingest's: it reads the file again and the news is gone.
    assert ingest_new_messages(chat_db.path, warehouse, HEADERS).chat_db_replaced
    assert find_news(chat_db.path, HEADERS, read_stored_cursor(warehouse)) is None


def test_a_message_deleted_at_the_cursor_is_a_replacement(chat_db: ChatDb, tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    warehouse = tmp_path / "warehouse.duckdb"
    bank(chat_db, "1.00")
    bank(chat_db, "2.00")
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    stored = read_stored_cursor(warehouse)
    bank(chat_db, "3.00")
    with closing(sqlite3.connect(chat_db.path)) as con, con:
        con.execute("UPDATE message SET guid = 'OTHER' WHERE ROWID = 2")
    news = find_news(chat_db.path, HEADERS, stored)
    assert news is not None and news.replaced


def test_an_unreadable_cursor_file_counts_as_none(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    cursor_file(warehouse).write_text("{not json")
    assert read_stored_cursor(warehouse) is None
    cursor_file(warehouse).write_text('{"rowid": "x"}')
    assert read_stored_cursor(warehouse) is None
