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
from assets.transactions.plausible import NOT_HELD

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
    instrument: str  # model.INSTRUMENTS: "account" | "debit_card" | "credit_card" | "wallet"
    category: str | None  # an account-name tail such as "Food:Delivery"; None = uncategorized
    message_rowid: int = 0  # tie-breaker when two alerts share a timestamp
    kind: str | None = None  # model.KINDS; None in a row stored before kinds were read
    currency: str = "INR"  # the amount's ISO currency
    payee: str | None = None  # readable payee (payees.py); counterparty stays the raw text
    # "learned" when the learned model filed the category (learned_apply.py); None: the rules
    category_source: str | None = None
    # GUIDs of the other alerts of this same payment (links.py); they are not rows of their own.
    also_alerted_by: tuple[str, ...] = ()
    # A foreign-currency spend's rupee figure as the bank's alert states it (never converted
    # by homeclerk); None for a rupee row or an alert that states none.
    inr_amount: Decimal | None = None

    @classmethod
    def from_parsed(
        cls,
        txn: Transaction,
        *,
        message_guid: str,
        received_at: dt.datetime,
        category: str | None,
        message_rowid: int = 0,
        payee: str | None = None,
        inr_amount: Decimal | None = None,
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
            kind=txn.kind,
            currency=txn.currency,
            payee=payee,
            inr_amount=inr_amount,
        )

    def local_date(self, tz: dt.tzinfo) -> dt.date:
        """The transaction's date: the body's, else the day it arrived in `tz`."""
        return self.txn_date or self.received_at.astimezone(tz).date()


_COLUMNS = """
    SELECT message_guid, received_at, amount, direction, counterparty, account_tail, balance,
           reference, channel, txn_date, bank, instrument, category, coalesce(message_rowid, 0),
           kind, coalesce(currency, 'INR'), payee, category_source, inr_amount
    FROM transactions
"""
_SELECT = (
    _COLUMNS + " WHERE status = 'transaction' AND amount IS NOT NULL AND direction IS NOT NULL"
)


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
    present = _new_columns(con)
    # A warehouse an older homeclerk wrote, read before `transactions` ran again to add them.
    if present < 5:
        query = query.replace(", inr_amount", ", NULL")
    if present < 4:
        query = query.replace(", category_source", ", NULL")
    if present < 3:
        query = query.replace("kind, coalesce(currency, 'INR'), payee", "NULL, 'INR', NULL")
    if has_table(con, "held_amounts"):
        query += NOT_HELD  # amounts past the plausibility ceiling, until the owner confirms
    if since is not None:
        query, params = query + " AND txn_date >= ?", [since]
    rows = con.execute(query + " ORDER BY message_guid", params).fetchall()
    also = _also_alerted_by(con)
    return [_from_row(r, also.get(r[0], ())) for r in rows]


def read_alerts_by_guid(
    con: duckdb.DuckDBPyConnection, guids: list[str]
) -> list[StoredTransaction]:
    """The stored transactions with these GUIDs, whether counted or linked to another alert
    of their payment (status 'linked', links.py); ordered by GUID."""
    rows = con.execute(
        _COLUMNS + " WHERE status IN ('transaction', 'linked') AND amount IS NOT NULL"
        " AND direction IS NOT NULL AND message_guid IN (SELECT unnest(?))"
        " ORDER BY message_guid",
        [guids],
    ).fetchall()
    return [_from_row(r) for r in rows]


def _also_alerted_by(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, ...]]:
    """Kept GUID → the GUIDs of the other alerts of its payment (none before links existed)."""
    if not has_table(con, "payment_links"):
        return {}
    rows = con.execute(
        "SELECT kept_guid, list(message_guid ORDER BY message_guid) FROM payment_links"
        " GROUP BY kept_guid"
    ).fetchall()
    return {kept: tuple(others) for kept, others in rows}


def _from_row(r: tuple, also: tuple[str, ...] = ()) -> StoredTransaction:
    return StoredTransaction(
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
        kind=r[14],
        currency=r[15],
        payee=r[16],
        category_source=r[17],
        also_alerted_by=also,
        inr_amount=None if r[18] is None else Decimal(r[18]),
    )


def _new_columns(con: duckdb.DuckDBPyConnection) -> int:
    """How many of the columns added after the first release the table has: 3 of kind,
    currency and payee (added together), then 4 with category_source, 5 with inr_amount."""
    (count,) = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'transactions'"
        " AND table_schema = current_schema()"
        " AND column_name IN ('kind', 'currency', 'payee', 'category_source', 'inr_amount')"
    ).fetchone() or (0,)
    return int(count)


def in_rupees(txn: StoredTransaction) -> StoredTransaction | None:
    """The transaction as it counts in rupee totals: itself when in rupees, a foreign spend as
    the rupee figure its bank stated (amount = that figure, currency INR), None when it states
    none (then it stays out of every rupee total). The expenses feed and the weekly review
    both count through this, so they agree."""
    if txn.currency == "INR":
        return txn
    if txn.inr_amount is None:
        return None
    return txn._replace(amount=txn.inr_amount, currency="INR")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
