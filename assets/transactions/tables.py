"""The warehouse table of parsed bank messages, `transactions`: the one place its DDL lives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assets.transactions.inr_fill import fill_stated_inr

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb


# status: 'transaction' | 'ignored' (a known non-transaction, reason says which) |
# 'unrecognized' (a bank message whose shape the parser does not know) | 'linked' (an alert of a
# payment another row counts: table payment_links names it, link_store.py).
TRANSACTIONS_DDL = """
CREATE TABLE IF NOT EXISTS transactions (
    message_guid VARCHAR PRIMARY KEY,
    message_rowid BIGINT,
    sender VARCHAR,
    received_at TIMESTAMPTZ,
    status VARCHAR,
    reason VARCHAR,
    amount DECIMAL(18,2),
    direction VARCHAR,
    counterparty VARCHAR,
    account_tail VARCHAR,
    balance DECIMAL(18,2),
    reference VARCHAR,
    channel VARCHAR,
    txn_date DATE,
    date_from_body BOOLEAN,
    bank VARCHAR,
    instrument VARCHAR,
    category VARCHAR,
    kind VARCHAR,
    currency VARCHAR,
    payee VARCHAR,
    category_source VARCHAR,
    inr_amount DECIMAL(18,2)
)
"""

# Columns added after the table first shipped: a warehouse created before them gets them on the
# next run, NULL in the rows derived before (derive re-derives those: `rows_to_rederive`), or
# filled in place by the column's own fill, in the same transaction as the ALTER (a crash between
# the two would leave them NULL for good).
AddedColumn = tuple[str, str, "Callable[[duckdb.DuckDBPyConnection], object] | None"]
ADDED_COLUMNS: tuple[AddedColumn, ...] = (
    ("kind", "VARCHAR", None),
    ("currency", "VARCHAR", None),
    ("payee", "VARCHAR", None),
    # 'learned' when the learned model filed the row (learned_apply.py); NULL: the rules did.
    # NULL is right for every row stored before it: no release filed by the model before.
    ("category_source", "VARCHAR", None),
    # The rupee figure the bank states beside a foreign-currency spend; NULL for rupee rows and
    # a foreign spend whose alert states none. The stored foreign rows are filled in place, so
    # they keep their links, learned categories and held state.
    ("inr_amount", "DECIMAL(18,2)", fill_stated_inr),
)

TRANSACTION_COLUMNS = (
    "message_guid",
    "message_rowid",
    "sender",
    "received_at",
    "status",
    "reason",
    "amount",
    "direction",
    "counterparty",
    "account_tail",
    "balance",
    "reference",
    "channel",
    "txn_date",
    "date_from_body",
    "bank",
    "instrument",
    "category",
    "kind",  # what the movement is (model.KINDS); NULL only in rows derived before it existed
    "currency",  # ISO code of amount: INR unless the alert states another currency
    "payee",  # readable payee (assets/transactions/payees.py); counterparty stays the raw text
    "inr_amount",  # a foreign spend's rupee figure as the bank states it (inr_equivalent.py)
)


def ensure_transactions_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `transactions` table if the warehouse does not have it yet, and add the columns
    a warehouse created by an older homeclerk lacks."""
    con.execute(TRANSACTIONS_DDL)
    present = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'transactions' AND table_schema = current_schema()"
        ).fetchall()
    }
    for name, sql_type, fill in ADDED_COLUMNS:
        if name in present:
            continue
        if fill is None:
            con.execute(f"ALTER TABLE transactions ADD COLUMN {name} {sql_type}")
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"ALTER TABLE transactions ADD COLUMN {name} {sql_type}")
            fill(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


# Rows stored by a homeclerk that did not read kind, currency or payee (kind NULL on a
# transaction), or that set a foreign-currency spend aside: derive deletes them and parses their
# messages again, so an upgraded warehouse fills the new columns without a manual backfill.
STALE_ROWS = "(status = 'transaction' AND kind IS NULL) OR reason = 'foreign_currency'"


def delete_stale_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Delete the rows an older homeclerk derived without the newer columns; how many."""
    (count,) = con.execute(f"SELECT count(*) FROM transactions WHERE {STALE_ROWS}").fetchone()
    if count:
        con.execute(f"DELETE FROM transactions WHERE {STALE_ROWS}")
    return int(count)
