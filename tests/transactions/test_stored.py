"""The one reader of stored transactions, on a real warehouse built by the real ingest/derive."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assets.books.importer import ChatDbImporter
from assets.common.warehouse import connect
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_transactions
from assets.transactions.stored import StoredTransaction, read_stored_transactions
from tests.sms.helpers import ChatDb

TZ = ZoneInfo("Asia/Kolkata")
T0 = dt.datetime(2026, 5, 20, 6, 0, tzinfo=dt.UTC)
SWIGGY = (
    "Sent Rs.250.00 from HDFC Bank A/c *1276 to SWIGGY on 20/05/26 Ref 612345678901. "
    "Not You? Call 18002586161/SMS BLOCK UPI to 7308080808"
)
OTP = "123456 is your OTP for the transaction of Rs.100 at AMAZON. Do not share. - HDFC Bank"


def _chat_db(tmp_path: Path) -> ChatDb:
    chat = ChatDb(tmp_path / "chat.db")
    chat.add(
        [
            chat.message("VM-HDFCBK", SWIGGY, when=T0),
            chat.message("VM-HDFCBK", OTP, when=T0 + dt.timedelta(minutes=5)),
            chat.message("VM-HDFCBK", SWIGGY.replace("20/05/26", "18/05/26"),
                         when=T0 - dt.timedelta(days=2)),
        ]
    )  # fmt: skip
    return chat


def _warehouse(tmp_path: Path, chat: ChatDb) -> Path:
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat.path, warehouse, ["HDFCBK"])
    derive_transactions(warehouse, DEFAULT_RULES, TZ)
    return warehouse


def _read(warehouse: Path, since: dt.date | None = None) -> list[StoredTransaction]:
    with connect(warehouse, read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return read_stored_transactions(con, since=since)


def test_reads_only_transactions_with_every_field(tmp_path: Path) -> None:
    rows = _read(_warehouse(tmp_path, _chat_db(tmp_path)))
    assert len(rows) == 2  # the OTP is stored as 'ignored', not read
    newest = max(rows, key=lambda r: r.received_at)
    assert newest.received_at == T0
    assert newest.amount == Decimal("250.00")
    assert (newest.direction, newest.bank, newest.account_tail) == ("debit", "HDFC", "1276")
    assert newest.counterparty == "SWIGGY"
    assert newest.txn_date == dt.date(2026, 5, 20)
    assert newest.category == "Food:Delivery"
    assert newest.message_rowid > 0
    assert [r.message_guid for r in rows] == sorted(r.message_guid for r in rows)


def test_since_filters_on_the_transaction_date(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, _chat_db(tmp_path))
    assert [r.txn_date for r in _read(warehouse, since=dt.date(2026, 5, 19))] == [
        dt.date(2026, 5, 20)
    ]


def test_no_table_yet_reads_nothing(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    try:
        assert read_stored_transactions(con) == []
    finally:
        con.close()


def test_the_importer_builds_the_rows_the_warehouse_stores(tmp_path: Path) -> None:
    # chat.db → importer (from_parsed) and chat.db → ingest/derive → reader give equal rows.
    chat = _chat_db(tmp_path)
    stored = _read(_warehouse(tmp_path, chat))
    mapping = [{"bank": "HDFC", "tail": "1276", "account": "Assets:Bank:HDFC:Savings"}]
    imported = ChatDbImporter(mapping, ["HDFCBK"]).alerts(str(chat.path))
    assert sorted(imported) == sorted(stored)


def test_local_date_falls_back_to_the_arrival_day_in_the_zone() -> None:
    late_evening_utc = dt.datetime(2026, 5, 20, 20, 0, tzinfo=dt.UTC)  # 01:30 next day in IST
    row = StoredTransaction("g", late_evening_utc, Decimal(1), "debit", None, None, None, None,
                            "upi", None, "HDFC", "account", None)  # fmt: skip
    assert row.local_date(TZ) == dt.date(2026, 5, 21)
    assert row._replace(txn_date=dt.date(2026, 5, 1)).local_date(TZ) == dt.date(2026, 5, 1)
