"""The rupee figure a bank states beside a foreign-currency spend, in the warehouse (inr_amount):
derived with the spend, and filled in place in a warehouse an older homeclerk created."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from assets.common.warehouse import connect
from assets.sms.ingest import ingest_new_messages
from assets.transactions.categories import DEFAULT_RULES
from assets.transactions.derive import derive_transactions
from assets.transactions.stored import read_stored_transactions
from tests.sms.helpers import UPI_DEBIT, ChatDb

TZ = ZoneInfo("Asia/Kolkata")
HEADERS = ["HDFCBK", "AXISBK"]
# Made-up bodies of the shapes banks send: the figure before, after, and none at all.
STATED_BEFORE = (
    "INR 1,083.45 spent on your Axis Bank Credit Card XX0912 for USD 12.99 at NETFLIX.COM"
    " on 05-10-26. Avl Limit: INR 45,000.00"
)
STATED_AFTER = (
    "Transaction of EUR 500.00 on your Axis Bank Credit Card XX0912 at HOTEL ROMA on 06-10-26"
    " is approved. INR equivalent 45,123.00"
)
NONE_STATED = (
    "Spent USD 4.00\nAxis Bank Card no. XX0912\n07-10-26 10:20:30 IST\nOPENAI\n"
    "Avl Limit: INR 44,000.00"
)
# The table as the homeclerk before inr_amount created it (kind … category_source added).
OLD_DDL = """
CREATE TABLE transactions (
    message_guid VARCHAR PRIMARY KEY, message_rowid BIGINT, sender VARCHAR,
    received_at TIMESTAMPTZ, status VARCHAR, reason VARCHAR, amount DECIMAL(18,2),
    direction VARCHAR, counterparty VARCHAR, account_tail VARCHAR, balance DECIMAL(18,2),
    reference VARCHAR, channel VARCHAR, txn_date DATE, date_from_body BOOLEAN, bank VARCHAR,
    instrument VARCHAR, category VARCHAR, kind VARCHAR, currency VARCHAR, payee VARCHAR,
    category_source VARCHAR)
"""


def _rows(warehouse: Path) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT message_rowid, status, currency, amount, inr_amount, counterparty"
            " FROM transactions ORDER BY message_rowid"
        ).fetchall()
    finally:
        con.close()


def _messages(chat_db: ChatDb) -> None:
    chat_db.add(
        [
            chat_db.message("VK-HDFCBK", UPI_DEBIT.format(amount="900.00")),
            chat_db.message("AX-AXISBK", STATED_BEFORE),
            chat_db.message("AX-AXISBK", STATED_AFTER),
            chat_db.message("AX-AXISBK", NONE_STATED),
        ]
    )


def test_a_foreign_spend_is_stored_with_the_rupee_figure_its_bank_states(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    _messages(chat_db)
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).transactions == 4
    assert [r[:5] for r in _rows(warehouse)] == [
        (1, "transaction", "INR", Decimal("900.00"), None),  # rupees: never searched
        (2, "transaction", "USD", Decimal("12.99"), Decimal("1083.45")),
        (3, "transaction", "EUR", Decimal("500.00"), Decimal("45123.00")),
        (4, "transaction", "USD", Decimal("4.00"), None),  # only the limit: no figure
    ]
    with connect(warehouse) as con:
        stored = {t.message_rowid: t for t in read_stored_transactions(con)}
    assert stored[2].inr_amount == Decimal("1083.45") and stored[2].currency == "USD"
    assert stored[1].inr_amount is None and stored[4].inr_amount is None


def test_an_older_warehouse_gets_the_column_and_its_foreign_rows_their_figures(
    chat_db: ChatDb, tmp_path: Path
) -> None:
    _messages(chat_db)
    warehouse = tmp_path / "w.duckdb"
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    # What the homeclerk before inr_amount stored, in a real DuckDB file: the four alerts
    # derived (counterparty 'X', which a new derive would not write).
    with connect(warehouse) as con:
        con.execute(OLD_DDL)
        con.execute(
            "INSERT INTO transactions SELECT guid, rowid, sender, received_at,"
            " 'transaction', NULL,"
            " CASE rowid WHEN 1 THEN 900 WHEN 2 THEN 12.99 WHEN 3 THEN 500 ELSE 4 END, 'debit',"
            " 'X', '0912', NULL, NULL, 'card', DATE '2026-10-05', TRUE, 'AXIS', 'credit_card',"
            " 'Entertainment', 'purchase', CASE rowid WHEN 1 THEN 'INR' WHEN 3 THEN 'EUR'"
            " ELSE 'USD' END, 'X', NULL FROM sms_messages"
        )
    stats = derive_transactions(warehouse, DEFAULT_RULES, TZ)
    assert stats.considered == 0
    # Filled in place: the rows keep what they were, only the figure is new.
    assert _rows(warehouse) == [
        (1, "transaction", "INR", Decimal("900.00"), None, "X"),
        (2, "transaction", "USD", Decimal("12.99"), Decimal("1083.45"), "X"),
        (3, "transaction", "EUR", Decimal("500.00"), Decimal("45123.00"), "X"),
        (4, "transaction", "USD", Decimal("4.00"), None, "X"),
    ]
    # A new foreign spend after the upgrade lands in the added column (the INSERT's order
    # matches a table whose column was added by ALTER), and a second run changes nothing.
    chat_db.add([chat_db.message("AX-AXISBK", STATED_BEFORE.replace("05-10-26", "08-10-26"))])
    ingest_new_messages(chat_db.path, warehouse, HEADERS)
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).transactions == 1
    assert _rows(warehouse)[-1][2:5] == ("USD", Decimal("12.99"), Decimal("1083.45"))
    assert derive_transactions(warehouse, DEFAULT_RULES, TZ).considered == 0
