"""A transaction as the warehouse stores it, and the one reader of stored transactions.

The parser's `Transaction` (assets/transactions/model.py) stays apart: it is what an SMS body
states, known before the message's identity (GUID, ROWID, when it arrived) or its category are
attached. A `StoredTransaction` is that plus those three things: one row of the `transactions`
table with status 'transaction'. The expenses feed and the books both read these rows, and the
books' importer builds them straight from chat.db with `from_parsed`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from assets.common.warehouse import has_table
from assets.transactions.model import Transaction

if TYPE_CHECKING:
    import duckdb


class StoredTransaction(NamedTuple):
    """A parsed, categorized bank alert (a `transactions` row with status 'transaction')."""

    message_guid: str
    received_at: dt.datetime  # timezone-aware: the bank's own send time as Messages recorded it
    amount: Decimal
    direction: str  # "debit" | "credit"
    counterparty: str | None
    account_tail: str | None
    balance: Decimal | None  # bank: available balance; credit card: available limit
    reference: str | None
    channel: str
    txn_date: dt.date | None  # None: use the local date of received_at
    bank: str
    instrument: str  # "account" | "debit_card" | "credit_card"
    category: str | None  # an account-name tail such as "Food:Delivery"; None = uncategorized
    message_rowid: int = 0  # tie-breaker when two alerts share a timestamp

    @classmethod
    def from_parsed(
        cls,
        txn: Transaction,
        *,
        message_guid: str,
        received_at: dt.datetime,
        category: str | None,
        message_rowid: int = 0,
    ) -> StoredTransaction:
        """The row a parsed alert becomes once its message and category are known."""
        return cls(
            message_guid=message_guid,
            received_at=received_at,
            amount=txn.amount,
            direction=txn.direction,
            counterparty=txn.counterparty,
            account_tail=txn.account_tail,
            balance=txn.balance,
            reference=txn.reference,
            channel=txn.channel,
            txn_date=txn.date,
            bank=txn.bank,
            instrument=txn.instrument,
            category=category,
            message_rowid=message_rowid,
        )

    def local_date(self, tz: dt.tzinfo) -> dt.date:
        """The transaction's date: the body's, else the day it arrived in `tz`."""
        return self.txn_date or self.received_at.astimezone(tz).date()


_SELECT = """
    SELECT message_guid, received_at, amount, direction, counterparty, account_tail, balance,
           reference, channel, txn_date, bank, instrument, category, coalesce(message_rowid, 0)
    FROM transactions
    WHERE status = 'transaction' AND amount IS NOT NULL AND direction IS NOT NULL
"""


def read_stored_transactions(
    con: duckdb.DuckDBPyConnection, *, since: dt.date | None = None
) -> list[StoredTransaction]:
    """Every stored transaction (dated `since` or later when given), ordered by message GUID.

    An empty list when the warehouse has no `transactions` table yet. Timestamps come back in
    the connection's time zone, converted to aware datetimes; the caller sets the zone.
    """
    if not has_table(con, "transactions"):
        return []
    query, params = _SELECT, []
    if since is not None:
        query, params = query + " AND txn_date >= ?", [since]
    rows = con.execute(query + " ORDER BY message_guid", params).fetchall()
    return [
        StoredTransaction(
            message_guid=r[0],
            received_at=_aware(r[1]),
            amount=Decimal(r[2]),
            direction=r[3],
            counterparty=r[4],
            account_tail=r[5],
            balance=None if r[6] is None else Decimal(r[6]),
            reference=r[7],
            channel=r[8] or "other",
            txn_date=r[9],
            bank=r[10] or "",
            instrument=r[11] or "account",
            category=r[12],
            message_rowid=int(r[13]),
        )
        for r in rows
    ]


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
