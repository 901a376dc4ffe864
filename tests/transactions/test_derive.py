from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES, CategoryRule
from assets.transactions.derive import PARSED_COLUMNS, derive_rows, derive_transactions
from assets.transactions.payees import aliases_from_config
from tests.sms.helpers import AXIS_DEBIT, UPI_DEBIT, ChatDb

TZ = ZoneInfo("Asia/Kolkata")
HEADERS = ["HDFCBK", "AXISBK", "ICICIB"]
NO_DATE = "Rs.250.00 debited from a/c **4321 to VPA cafe.coffee@okaxis (UPI Ref No 612345678901)."
GIBBERISH = "Dear customer, your ref 123 is being processed by the new system."
BALANCE = (
    "Avl bal in HDFC Bank A/c XX1476 as on 21-Dec-25 is INR 39,429.80. Cheques are subject to "
    "clearing. For details call 18002586161"
)


def table(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_transactions_unparsed_and_ignored_rows(chat_db: ChatDb, tmp_path: Path) -> None:
    late_evening = dt.datetime(2026, 3, 4, 20, 0, tzinfo=dt.UTC)  # 5 March 01:30 in India
    chat_db.add(
        [
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="6443.28")),
            chat_db.message("VM-AXISBK", AXIS_DEBIT, blob_only=True),
            chat_db.message("AD-HDFCBK-S", NO_DATE, when=late_evening),
            chat_db.message("AD-ICICIB", GIBBERISH),
            chat_db.message("VM-HDFCBK", BALANCE),
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    stats = derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert (stats.considered, stats.transactions, stats.ignored, stats.unrecognized) == (5, 3, 1, 1)
    rows = {
        r[0]: r[1:]
        for r in table(
            warehouse,
            "SELECT message_rowid, status, reason, amount, direction, counterparty, account_tail,"
            " balance, reference, channel, txn_date, date_from_body, bank, received_at"
            " FROM transactions",
        )
    }
    assert rows[1][:9] == (
        "transaction", None, Decimal("6443.28"), "debit", "JOSEPH THOMAS", "1276", None,
        "458167896224", "upi",
    )  # fmt: skip
    assert rows[1][9:11] == (dt.date(2025, 8, 24), True)
    assert rows[2][0] == "transaction" and rows[2][5] == "5146"  # masked, tail intact
    assert rows[2][6] == Decimal("10110.65")
    assert rows[3][9:11] == (dt.date(2026, 3, 5), False)  # received date in the owner's zone
    assert rows[3][12] == late_evening
    assert rows[4][:2] == ("unrecognized", "unrecognized")
    assert rows[5][0] == "ignored" and rows[5][1] == "balance_only" and rows[5][2] is None
    assert rows[5][9] is None and rows[5][10] is None


def test_derive_is_incremental_and_idempotent(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="10.00"))])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).transactions == 1
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).considered == 0
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="20.00"))])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).considered == 1
    assert table(warehouse, "SELECT COUNT(*), SUM(amount) FROM transactions") == [
        (2, Decimal("30.00"))
    ]


def test_categories_follow_rules_and_are_memoised_per_merchant() -> None:
    rules = [CategoryRule("joseph", "Gifts", "debit"), *DEFAULT_RULES]
    messages = [(f"g{n}", "VK-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00"), 0) for n in range(1, 4)]
    rows = derive_rows(messages, rules, TZ)
    assert [r[PARSED_COLUMNS.index("category")] for r in rows] == ["Gifts", "Gifts", "Gifts"]
    assert [r[3] for r in rows] == ["1.00", "2.00", "3.00"]


CARD_SPEND = "Spent Rs.{amount} On HDFC Bank Card 6628 At {merchant} On {date}:11:51:28"
REVERSAL = (
    "Transaction Reversed!On HDFC Bank CREDIT Card xx6628 Amt: Rs.{amount} By {merchant}"
    " On {date}:12:00:00"
)
# The owner's rule names the purchase's spelling only; the refund's spelling is the same payee
# by the owner's alias: the refund's category can only come from its purchase.
RAMESH = [CategoryRule("^RAMESH STORES$", "Gifts", "debit"), *DEFAULT_RULES]
ALIAS = aliases_from_config(
    [{"name": "Ramesh Stores", "match": ["RAMESH STORES", "RAMESH GEN STR"]}]
)


def _big_batch(chat_db: ChatDb) -> None:
    """A refund first, its purchase (dated before it, received after it) last: in a split
    batch they are parsed in different processes."""
    messages = [
        chat_db.message(
            "VM-HDFCBK",
            REVERSAL.format(amount="1000.00", merchant="RAMESH GEN STR", date="2026-02-20"),
        ),
        *(
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount=f"{n}.{n % 100:02d}"))
            for n in range(1, 40)
        ),
        chat_db.message(
            "VM-HDFCBK",
            CARD_SPEND.format(amount="2500.00", merchant="RAMESH STORES", date="2026-02-10"),
        ),
    ]
    chat_db.add(messages)


def _stored(warehouse: Path) -> list[tuple]:
    return table(warehouse, "SELECT * FROM transactions ORDER BY message_guid")


def test_a_big_batch_split_over_two_processes_stores_what_one_process_does(
    chat_db: ChatDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assets.transactions import derive

    _big_batch(chat_db)
    serial, split = tmp_path / "serial.duckdb", tmp_path / "split.duckdb"
    for warehouse in (serial, split):
        ingest_new_messages(chat_db.path, warehouse, HEADERS)
    serial_stats = derive_transactions(serial, RAMESH, TZ, payees=ALIAS)
    monkeypatch.setattr(derive, "PARALLEL_MIN", 10)  # 41 messages count as a big batch
    assert derive_transactions(split, RAMESH, TZ, payees=ALIAS) == serial_stats
    assert _stored(split) == _stored(serial)
    refund = table(split, "SELECT category FROM transactions WHERE kind = 'refund'")
    assert refund == [("Gifts",)]  # its purchase was parsed by the other process


def test_a_split_batch_whose_worker_fails_stores_nothing(
    chat_db: ChatDb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assets.transactions import derive

    _big_batch(chat_db)
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    parse = derive.derive_rows

    def fails_on_the_purchase(messages, *args):  # type: ignore[no-untyped-def]
        if any("Spent Rs.2500.00" in (body or "") for _, _, body, _ in messages):
            raise RuntimeError("parser crashed")
        return parse(messages, *args)

    monkeypatch.setattr(derive, "PARALLEL_MIN", 10)
    monkeypatch.setattr(derive, "derive_rows", fails_on_the_purchase)
    with pytest.raises(RuntimeError, match="parser crashed"):
        derive_transactions(warehouse, RAMESH, TZ, payees=ALIAS)
    # The part this process parsed and stored is rolled back with the rest: the next run
    # derives every message.
    assert table(warehouse, "SELECT count(*) FROM transactions") == [(0,)]
    monkeypatch.setattr(derive, "derive_rows", parse)
    assert derive_transactions(warehouse, RAMESH, TZ, payees=ALIAS).considered == 41


def test_a_batch_of_only_non_transactions_stores_nulls(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    chat_db.add([chat_db.message("VM-HDFCBK", BALANCE), chat_db.message("VM-HDFCBK", None)])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    stats = derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert (stats.transactions, stats.ignored) == (0, 2)
    assert table(
        warehouse, "SELECT status, reason, amount, txn_date FROM transactions ORDER BY 1, 2"
    ) == [("ignored", "balance_only", None, None), ("ignored", "empty", None, None)]


def test_a_deleted_transactions_row_is_derived_again(chat_db: ChatDb, tmp_path: Path) -> None:
    # Ticks read only above the highest derived ROWID; a hole below it must still be found.
    warehouse = tmp_path / "w.duckdb"
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount=f"{n}.00")) for n in (1, 2)])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).transactions == 2
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("DELETE FROM transactions WHERE message_rowid = 1")
    finally:
        con.close()
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).considered == 1
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).considered == 0
    assert table(warehouse, "SELECT COUNT(*), SUM(amount) FROM transactions") == [
        (2, Decimal("3.00"))
    ]


def test_a_date_the_text_states_wins_only_when_plausible() -> None:
    # Received 2026-11-19 10:00 IST; the text says 24/08/YY.
    received_us = int(dt.datetime(2026, 11, 19, 10, 0, tzinfo=TZ).timestamp() * 1_000_000)
    column = PARSED_COLUMNS.index("txn_date")
    from_body = PARSED_COLUMNS.index("date_from_body")

    def read(year: str) -> tuple[str | None, str | None]:
        body = UPI_DEBIT.format(amount="10.00").replace("On 24/08/25", f"On 24/08/{year}")
        (row,) = derive_rows([("G", "VM-HDFCBK", body, received_us)], DEFAULT_RULES, TZ)
        return row[column], row[from_body]

    assert read("25") == ("2025-08-24", "true")  # months before it arrived: the bank's date
    assert read("35") == ("2026-11-19", "false")  # years after it arrived: the day it arrived
    assert read("99") == ("2026-11-19", "false")  # 2099 or a garbled year


def test_local_days_are_the_local_date_of_each_instant() -> None:
    from assets.transactions import derive

    start = int(dt.datetime(2025, 1, 1, tzinfo=dt.UTC).timestamp()) * 10**6
    step = (17 * 60 + 13) * 10**6 + 123  # lands on every minute of the hour over a year
    instants = range(start, start + 400 * 86_400 * 10**6, step)
    # Local midnight mid-hour (+05:30), DST changes by an hour and by half an hour, clocks put
    # back from midnight to the day before (Santiago, Asunción), UTC itself.
    zones = ("Asia/Kolkata", "America/New_York", "Australia/Lord_Howe", "America/Santiago")
    for zone in (*zones, "America/Asuncion", "UTC"):
        tz = ZoneInfo(zone)
        days = derive._LocalDays(tz)
        for us in instants:
            day = derive._local_date(us, tz)
            assert days(us) == (day, day + dt.timedelta(days=1)), (zone, us)
