"""`read_feed_inputs` on a real warehouse built by the real ingest and derive steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assets.expenses.reader import read_feed_inputs
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_transactions
from tests.sms.helpers import ChatDb

TZ = ZoneInfo("Asia/Kolkata")
T0 = dt.datetime(2026, 5, 20, 6, 0, tzinfo=dt.UTC)


def axis_debit(tail: str, amount: str, balance: str, day: str) -> str:
    return (
        f"INR {amount} debited from A/c no. XX{tail} on SHOPPERS STOP {day} 13:14:56 IST. "
        f"Avl bal: INR {balance}. Not you? SMS BLOCKCARD XX2731 to +919951860002 - Axis Bank"
    )


def _warehouse(tmp_path: Path) -> Path:
    chat = ChatDb(tmp_path / "chat.db")
    hours = dt.timedelta(hours=1)
    # Account 205146: three balances; the newest by the time the bank sent it is 7000.00, and
    # it is not the last one stored (a late-delivered older alert arrives after it in chat.db).
    chat.add(
        [
            chat.message("VM-AXISBK", axis_debit("205146", "100.00", "9000.00", "20-05-2026"),
                         when=T0),
            chat.message("VM-AXISBK", axis_debit("205146", "1000.00", "7000.00", "22-05-2026"),
                         when=T0 + 48 * hours),
            chat.message("VM-AXISBK", axis_debit("205146", "1000.00", "8000.00", "21-05-2026"),
                         when=T0 + 24 * hours),
            # Another account of the same bank keeps its own newest balance.
            chat.message("VM-AXISBK", axis_debit("770011", "50.00", "450.00", "19-05-2026"),
                         when=T0 - 24 * hours),
            chat.message("VM-AXISBK", axis_debit("770011", "25.00", "425.00", "23-05-2026"),
                         when=T0 + 72 * hours),
        ]
    )  # fmt: skip
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat.path, warehouse, ["AXISBK"])
    derive_transactions(warehouse, DEFAULT_RULES, TZ)
    return warehouse


def test_the_newest_balance_per_account_wins(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        inputs = read_feed_inputs(con, dt.date(2026, 5, 21))
    finally:
        con.close()
    # One row per account, ordered by bank and account.
    assert [tuple(b) for b in inputs.balances] == [
        ("AXIS", "0011", "account", Decimal("425.00"), T0 + dt.timedelta(hours=72)),
        ("AXIS", "5146", "account", Decimal("7000.00"), T0 + dt.timedelta(hours=48)),
    ]
    # Transactions from `since` on (by the date in the SMS), every transaction counted.
    assert sorted((t.txn_date, t.amount) for t in inputs.transactions) == [
        (dt.date(2026, 5, 21), Decimal("1000.00")),
        (dt.date(2026, 5, 22), Decimal("1000.00")),
        (dt.date(2026, 5, 23), Decimal("25.00")),
    ]
    newest = max(inputs.transactions, key=lambda t: t.received_at)
    assert newest._asdict() == {
        "message_guid": "GUID-000005",
        "received_at": T0 + dt.timedelta(hours=72),
        "txn_date": dt.date(2026, 5, 23),
        "amount": Decimal("25.00"),
        "direction": "debit",
        "counterparty": "SHOPPERS STOP",
        "category": "Shopping",  # the default rules' match for SHOPPERS STOP
        "bank": "AXIS",
        "account_tail": "0011",
        "instrument": "account",
        "channel": "card",
        "balance": Decimal("425.00"),
        "reference": None,
        "message_rowid": 5,
        "kind": "purchase",
        "currency": "INR",
        "payee": "Shoppers Stop",  # no alias: the raw text, title-cased from all capitals
        "category_source": None,  # filed by the rules, not learned
        "also_alerted_by": (),  # no other alert of this payment
        "inr_amount": None,  # rupees: no stated figure to keep
    }
    assert inputs.total_transactions == 5
    assert inputs.newest_message_at == T0 + dt.timedelta(hours=72)


def test_an_empty_warehouse_gives_empty_inputs(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    try:
        assert read_feed_inputs(con, dt.date(2026, 5, 1)) == ([], [], None, 0)
    finally:
        con.close()


def test_a_warehouse_with_only_non_transaction_alerts_counts_zero_transactions(
    tmp_path: Path,
) -> None:
    chat = ChatDb(tmp_path / "chat.db")
    chat.add(
        [
            chat.message(
                "VM-AXISBK",
                "Dear Customer, your Axis Bank credit card statement is ready. Visit axisbank.com",
                when=T0,
            )
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat.path, warehouse, ["AXISBK"])
    derive_transactions(warehouse, DEFAULT_RULES, TZ)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        stored = con.execute("SELECT count(*) FROM transactions").fetchone()
        inputs = read_feed_inputs(con, dt.date(2026, 5, 1))
    finally:
        con.close()
    assert stored == (1,)  # the alert is in the table, just not as a transaction
    assert inputs == ([], [], T0, 0)
