"""The warehouse table of parsed bank messages, `transactions`: the one place its DDL lives."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb


# status: 'transaction' | 'ignored' (a known non-transaction, reason says which) |
# 'unrecognized' (a bank message whose shape the parser does not know).
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
    category VARCHAR
)
"""

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
)


def ensure_transactions_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `transactions` table if the warehouse does not have it yet."""
    con.execute(TRANSACTIONS_DDL)
