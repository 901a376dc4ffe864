"""Refunds and reversals credit the category of the purchase they return money for.

A credit of kind `refund` takes the category of its original debit: the newest debit to the
same payee (so the same counterparty, or another spelling of the same merchant), in the same
currency, dated on or before the refund and at most REFUND_WINDOW_DAYS earlier, for at least
the refunded amount (a partial refund is common, a refund larger than the purchase is not its
refund). Without such a debit the refund keeps the category derive gave it: the payee's
category by the rules, as if it were a purchase, else the rules' credit category (`Refunds`).
Cashback is not a refund: it stays `Cashback` (income), since it returns no particular purchase.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from assets.transactions.categories import is_transfer
from assets.transactions.tables import TRANSACTION_COLUMNS

if TYPE_CHECKING:
    import duckdb

# Merchants refund returns within days to weeks; card chargebacks can take a few months.
REFUND_WINDOW_DAYS = 90

_PARSED = tuple(
    c for c in TRANSACTION_COLUMNS if c not in ("message_rowid", "sender", "received_at")
)
_STATUS, _AMOUNT, _DIRECTION = (_PARSED.index(c) for c in ("status", "amount", "direction"))
_DATE, _CATEGORY, _KIND = (_PARSED.index(c) for c in ("txn_date", "category", "kind"))
_CURRENCY, _PAYEE = _PARSED.index("currency"), _PARSED.index("payee")


class Purchase(NamedTuple):
    """A debit a refund may return money for."""

    payee: str
    currency: str
    date: dt.date
    amount: Decimal
    category: str


def original_category(
    payee: str | None,
    currency: str,
    date: dt.date,
    amount: Decimal,
    purchases: Iterable[Purchase],
) -> str | None:
    """The category of the refund's original purchase (rules: module docstring), or None."""
    if not payee:
        return None
    earliest = date - dt.timedelta(days=REFUND_WINDOW_DAYS)
    best: Purchase | None = None
    for p in purchases:
        if (
            p.payee == payee
            and p.currency == currency
            and earliest <= p.date <= date
            and p.amount >= amount
            and not is_transfer(p.category)
            and (best is None or p.date > best.date)
        ):
            best = p
    return best.category if best else None


def refund_categories(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[str | None, ...]]
) -> list[tuple[str | None, ...]]:
    """`rows` (derive's text rows) with each refund given its original purchase's category,
    looked for among these rows and the stored transactions."""
    refunds = [
        i
        for i, r in enumerate(rows)
        if r[_KIND] == "refund" and r[_DIRECTION] == "credit" and r[_PAYEE]
    ]
    if not refunds:
        return rows
    payees = sorted({rows[i][_PAYEE] or "" for i in refunds})
    by_payee: dict[str, list[Purchase]] = defaultdict(list)
    for r in rows:
        if r[_STATUS] == "transaction" and r[_DIRECTION] == "debit" and r[_PAYEE] in payees:
            by_payee[r[_PAYEE] or ""].append(
                _purchase(r[_PAYEE], r[_CURRENCY], r[_DATE], r[_AMOUNT], r[_CATEGORY])
            )
    stored = con.execute(
        "SELECT payee, currency, txn_date, amount, category FROM transactions"
        " WHERE status = 'transaction' AND direction = 'debit' AND payee IN"
        f" ({', '.join('?' * len(payees))})",
        payees,
    ).fetchall()
    for payee, currency, date, amount, category in stored:
        by_payee[payee].append(
            Purchase(payee, currency or "INR", date, Decimal(amount), category or "")
        )
    out = list(rows)
    for i in refunds:
        r = rows[i]
        category = original_category(
            r[_PAYEE],
            r[_CURRENCY] or "INR",
            dt.date.fromisoformat(r[_DATE] or ""),
            Decimal(r[_AMOUNT] or "0"),
            by_payee.get(r[_PAYEE] or "", ()),
        )
        if category:
            out[i] = (*r[:_CATEGORY], category, *r[_CATEGORY + 1 :])
    return out


def _purchase(
    payee: str | None,
    currency: str | None,
    date: str | None,
    amount: str | None,
    category: str | None,
) -> Purchase:
    return Purchase(
        payee or "",
        currency or "INR",
        dt.date.fromisoformat(date or ""),
        Decimal(amount or "0"),
        category or "",
    )
