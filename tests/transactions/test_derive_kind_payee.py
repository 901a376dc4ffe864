"""kind, currency and payee in the warehouse; an older warehouse upgraded; refunds' categories."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.common.warehouse import connect
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES, CategoryRule
from assets.transactions.derive import derive_transactions
from assets.transactions.payees import aliases_from_config
from assets.transactions.refunds import REFUND_WINDOW_DAYS, Purchase, original_category
from tests.sms.helpers import UPI_DEBIT, ChatDb

TZ = ZoneInfo("Asia/Kolkata")
HEADERS = ["HDFCBK", "AXISBK"]
SWIGGY_UPI = (
    "Rs.{amount} debited from a/c **4321 on {date} to VPA swiggy.stores@axb "
    "(UPI Ref No 61234567890{n})."
)
USD_SPEND = (
    "Spent USD 12.99\nAxis Bank Card no. XX0912\n05-10-26 10:20:30 IST\nOPENAI\n"
    "Avl Limit: INR 45000.00\nNot you? SMS BLOCK 0912 to 919951860002"
)
CARD_SPEND = "Spent Rs.{amount} On HDFC Bank Card 6628 At {merchant} On {date}:11:51:28"
REVERSAL = (
    "Transaction Reversed!On HDFC Bank CREDIT Card xx6628 Amt: Rs.{amount} By {merchant}"
    " On {date}:12:00:00"
)
# The table as homeclerk created it before kind, currency and payee.
OLD_DDL = """
CREATE TABLE transactions (
    message_guid VARCHAR PRIMARY KEY, message_rowid BIGINT, sender VARCHAR,
    received_at TIMESTAMPTZ, status VARCHAR, reason VARCHAR, amount DECIMAL(18,2),
    direction VARCHAR, counterparty VARCHAR, account_tail VARCHAR, balance DECIMAL(18,2),
    reference VARCHAR, channel VARCHAR, txn_date DATE, date_from_body BOOLEAN, bank VARCHAR,
    instrument VARCHAR, category VARCHAR)
"""


def rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _derive(chat_db: ChatDb, warehouse: Path, rules=DEFAULT_RULES, payees=()):  # type: ignore[no-untyped-def]
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    return derive_transactions(warehouse, rules, TZ, payees=payees)


def test_kind_currency_and_payee_are_stored_and_counterparty_stays_raw(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    chat_db.add(
        [
            chat_db.message("VM-HDFCBK", SWIGGY_UPI.format(amount="250.00", date="05-10-26", n=1)),
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="900.00")),
            chat_db.message("AX-AXISBK", USD_SPEND),
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    owner = aliases_from_config([{"name": "Joseph (tutor)", "match": ["JOSEPH THOMAS"]}])
    stats = _derive(chat_db, warehouse, payees=owner)
    assert (stats.transactions, stats.ignored) == (3, 0)
    stored = rows(
        warehouse,
        "SELECT counterparty, payee, kind, currency, amount, status, reason, category"
        " FROM transactions ORDER BY message_rowid",
    )
    assert stored[0][:4] == ("swiggy.stores@axb", "Swiggy", "transfer", "INR")
    assert stored[0][7] == "Food:Delivery"
    assert stored[1][:4] == ("JOSEPH THOMAS", "Joseph (tutor)", "purchase", "INR")
    # A foreign-currency spend is a transaction in its own currency, no longer set aside.
    assert stored[2][:7] == (
        "OPENAI", "Openai", "purchase", "USD", Decimal("12.99"), "transaction", None,
    )  # fmt: skip


def test_an_older_warehouse_gets_the_columns_and_its_rows_are_filled_on_the_next_run(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    chat_db.add(
        [
            chat_db.message("VM-HDFCBK", SWIGGY_UPI.format(amount="250.00", date="05-10-26", n=1)),
            chat_db.message("AX-AXISBK", USD_SPEND),
            chat_db.message("VM-HDFCBK", "Dear customer, your ref 123 is being processed."),
        ]
    )
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    # What an older homeclerk stored: no kind/currency/payee, the USD spend set aside.
    with connect(warehouse) as con:
        con.execute(OLD_DDL)
        con.execute(
            "INSERT INTO transactions SELECT guid, rowid, sender, received_at,"
            " CASE rowid WHEN 1 THEN 'transaction' WHEN 2 THEN 'ignored' ELSE 'unrecognized' END,"
            " CASE rowid WHEN 2 THEN 'foreign_currency' WHEN 3 THEN 'unrecognized' END,"
            " CASE rowid WHEN 1 THEN 250 END, CASE rowid WHEN 1 THEN 'debit' END,"
            " CASE rowid WHEN 1 THEN 'swiggy.stores@axb' END, '4321', NULL, NULL, 'upi',"
            " DATE '2026-10-05', TRUE, 'HDFC', 'account', 'Food:Delivery' FROM sms_messages"
        )
    stats = derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert stats.considered == 2  # the old transaction and the set-aside spend, nothing else
    stored = rows(
        warehouse,
        "SELECT message_rowid, status, payee, kind, currency FROM transactions ORDER BY 1",
    )
    assert stored == [
        (1, "transaction", "Swiggy", "transfer", "INR"),
        (2, "transaction", "Openai", "purchase", "USD"),
        (3, "unrecognized", None, None, None),
    ]
    # A second run has nothing left to fill.
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).considered == 0


def test_a_refund_takes_the_category_of_its_purchase(chat_db: ChatDb, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    # The purchase is filed by a rule of the owner's; the rule stays for the refunds' run.
    owner = [CategoryRule("ramesh", "Gifts", "debit", "card"), *DEFAULT_RULES]
    chat_db.add(
        [
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="2500.00", merchant="RAMESH STORES", date="2026-10-02"),
            )
        ]
    )
    _derive(chat_db, warehouse, rules=owner)
    with connect(warehouse) as con:  # filed apart from the rules: the refund follows the row
        con.execute("UPDATE transactions SET category = 'Gifts:Wedding'")
    chat_db.add(
        [
            # Partial refund, 8 days later: the purchase's category.
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="1000.00", merchant="RAMESH STORES", date="2026-10-10"),
            ),
            # More than the purchase: not its refund; the rules know the payee as a merchant.
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="2600.00", merchant="RAMESH STORES", date="2026-10-11"),
            ),
            # No purchase stored, but the rules know the payee as a merchant.
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="99.00", merchant="SWIGGY", date="2026-10-11"),
            ),
            # No purchase, and no rule knows the payee: Refunds.
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="70.00", merchant="MOHAN TRADERS", date="2026-10-11"),
            ),
        ]
    )
    _derive(chat_db, warehouse, rules=owner)
    stored = rows(
        warehouse,
        "SELECT amount, direction, kind, payee, category FROM transactions ORDER BY message_rowid",
    )
    assert stored == [
        (Decimal("2500.00"), "debit", "purchase", "Ramesh Stores", "Gifts:Wedding"),
        (Decimal("1000.00"), "credit", "refund", "Ramesh Stores", "Gifts:Wedding"),
        (Decimal("2600.00"), "credit", "refund", "Ramesh Stores", "Gifts"),
        (Decimal("99.00"), "credit", "refund", "Swiggy", "Food:Delivery"),
        (Decimal("70.00"), "credit", "refund", "Mohan Traders", "Refunds"),
    ]


def _purchase(days_before: int, amount: str, category: str, currency: str = "INR") -> Purchase:
    return Purchase(
        "Swiggy", currency, dt.date(2026, 10, 10) - dt.timedelta(days=days_before),
        Decimal(amount), category,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("purchases", "expected"),
    [
        ([_purchase(3, "500", "Food:Delivery")], "Food:Delivery"),
        ([_purchase(0, "100", "Food:Delivery")], "Food:Delivery"),  # same day, same amount
        ([_purchase(3, "99.99", "Food:Delivery")], None),  # refund bigger than the purchase
        ([_purchase(-1, "500", "Food:Delivery")], None),  # a purchase after the refund
        ([_purchase(REFUND_WINDOW_DAYS, "500", "Food:Delivery")], "Food:Delivery"),
        ([_purchase(REFUND_WINDOW_DAYS + 1, "500", "Food:Delivery")], None),
        ([_purchase(3, "500", "Food:Delivery", "USD")], None),  # another currency
        ([_purchase(3, "500", "Transfers:Self")], None),  # a transfer is no purchase
        ([_purchase(20, "500", "Food"), _purchase(2, "500", "Gifts")], "Gifts"),  # the newest
    ],
)
def test_the_original_purchase_is_the_newest_fitting_debit(
    purchases: list[Purchase], expected: str | None
) -> None:
    assert (
        original_category("Swiggy", "INR", dt.date(2026, 10, 10), Decimal("100"), purchases)
        == expected
    )
    assert original_category(None, "INR", dt.date(2026, 10, 10), Decimal("1"), purchases) is None


def test_stored_payees_follow_the_owners_payees_when_they_change(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="900.00"))])
    warehouse = tmp_path / "w.duckdb"
    _derive(chat_db, warehouse)
    payee = "SELECT counterparty, payee FROM transactions"
    assert rows(warehouse, payee) == [("JOSEPH THOMAS", "Joseph Thomas")]
    tutor = aliases_from_config([{"name": "Joseph (tutor)", "match": ["JOSEPH THOMAS"]}])
    # Nothing new to parse, yet the stored payee takes the owner's new entry...
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ, payees=tutor).considered == 0
    assert rows(warehouse, payee) == [("JOSEPH THOMAS", "Joseph (tutor)")]
    # ...and goes back to the cleaned-up text when the entry is removed.
    derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert rows(warehouse, payee) == [("JOSEPH THOMAS", "Joseph Thomas")]


def test_unchanged_payee_tables_leave_stored_payees_alone(chat_db: ChatDb, tmp_path: Path) -> None:
    chat_db.add([chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="900.00"))])
    warehouse = tmp_path / "w.duckdb"
    _derive(chat_db, warehouse)
    # A payee edited by hand in the warehouse survives runs with the same tables: the refresh
    # runs only when the tables' fingerprint changes.
    with connect(warehouse) as con:
        con.execute("UPDATE transactions SET payee = 'edited'")
    derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert rows(warehouse, "SELECT payee FROM transactions") == [("edited",)]


def test_a_refund_finds_its_purchase_in_the_same_run_and_in_rows_stored_before_currencies(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    warehouse = tmp_path / "w.duckdb"
    # Stored by an older homeclerk: no currency (rupees) for one purchase (filed by hand under a
    # category no rule gives), no category for another.
    chat_db.add(
        [
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="800.00", merchant="SWIGGY", date="2026-10-01"),
            ),
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="900.00", merchant="KIRANA MART", date="2026-10-01"),
            ),
        ]
    )
    _derive(chat_db, warehouse)
    with connect(warehouse) as con:
        con.execute(
            "UPDATE transactions SET currency = NULL, category = 'Gifts:Party'"
            " WHERE payee = 'Swiggy'"
        )
        con.execute("UPDATE transactions SET category = NULL WHERE amount = 900")
    # The purchase and its refund arrive together (one run). The owner's rule names the
    # purchase's spelling only; the refund's spelling is the same payee by the owner's alias.
    chat_db.add(
        [
            chat_db.message(
                "VM-HDFCBK",
                CARD_SPEND.format(amount="2500.00", merchant="RAMESH STORES", date="2026-10-02"),
            ),
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="1000.00", merchant="RAMESH GEN STR", date="2026-10-03"),
            ),
            # Money from the same payee that is no refund keeps its own category.
            chat_db.message(
                "VM-HDFCBK",
                "Rs.100.00 credited to a/c **4321 on 04-10-26 by VPA ramesh.gen@okaxis "
                "(UPI Ref No 612345678999).",
            ),
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="50.00", merchant="SWIGGY", date="2026-10-04"),
            ),
            chat_db.message(
                "VM-HDFCBK",
                REVERSAL.format(amount="90.00", merchant="KIRANA MART", date="2026-10-04"),
            ),
        ]
    )
    ramesh = aliases_from_config(
        [
            {
                "name": "Ramesh Stores",
                "match": ["RAMESH STORES", "RAMESH GEN STR", "ramesh.gen@okaxis"],
            }
        ]
    )
    rules = [CategoryRule("^RAMESH STORES$", "Gifts", "debit"), *DEFAULT_RULES]
    _derive(chat_db, warehouse, rules=rules, payees=ramesh)
    stored = rows(
        warehouse,
        "SELECT amount, kind, payee, category FROM transactions WHERE direction = 'credit'"
        " ORDER BY message_rowid",
    )
    assert stored == [
        (Decimal("1000.00"), "refund", "Ramesh Stores", "Gifts"),
        (Decimal("100.00"), "transfer", "Ramesh Stores", "Uncategorized"),
        (Decimal("50.00"), "refund", "Swiggy", "Gifts:Party"),  # the rupee purchase's
        # An uncategorized purchase gives nothing: the refund keeps derive's category.
        (Decimal("90.00"), "refund", "Kirana Mart", "Food:Groceries"),
    ]
