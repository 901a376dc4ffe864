"""Reads what the expenses feed needs from the warehouse's `transactions` table."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, NamedTuple

from assets.common.warehouse import has_table
from assets.transactions.plausible import NOT_HELD
from assets.transactions.stored import StoredTransaction, read_stored_transactions

from .feed import BalanceRow

if TYPE_CHECKING:
    import duckdb


class FeedInputs(NamedTuple):
    """What the expenses feed is built from, read from the warehouse in one go."""

    transactions: list[StoredTransaction]
    balances: list[BalanceRow]
    newest_message_at: dt.datetime | None
    total_transactions: int


def read_feed_inputs(con: duckdb.DuckDBPyConnection, since: dt.date) -> FeedInputs:
    """Transactions since `since`, each account's newest balance and the totals."""
    if not has_table(con, "transactions"):
        return FeedInputs([], [], None, 0)
    txns = read_stored_transactions(con, since=since)
    held = NOT_HELD if has_table(con, "held_amounts") else ""
    # The newest stated balance per account: the last alert by the time the bank sent it.
    balances = [
        BalanceRow(bank=r[0], account_tail=r[1], instrument=r[2], balance=r[3], received_at=r[4])
        for r in con.execute(
            f"""
            SELECT bank, account_tail, instrument, balance, received_at
            FROM transactions
            WHERE status = 'transaction' AND balance IS NOT NULL {held}
            QUALIFY row_number() OVER (
                PARTITION BY bank, account_tail, instrument
                ORDER BY received_at DESC, message_rowid DESC) = 1
            ORDER BY bank, account_tail
            """
        ).fetchall()
    ]
    newest, total = con.execute(
        "SELECT max(received_at), count(*) FILTER (WHERE status = 'transaction') FROM transactions"
    ).fetchone()
    return FeedInputs(txns, balances, newest, int(total or 0))
