"""Builders for plain rows: alerts and holdings as the warehouse would hand them over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.books.accounts import AccountMapping, parse_account_mapping
from assets.books.rows import AlertRow
from assets.portfolio.model import Holding, HoldingsSnapshot

TZ = ZoneInfo("Asia/Kolkata")
SAVINGS = "Assets:Bank:HDFC:Savings"
CARD = "Liabilities:CreditCard:HDFC"


def mapping() -> AccountMapping:
    return parse_account_mapping(
        [
            {"bank": "HDFC", "tail": "1276", "account": SAVINGS},
            {"bank": "HDFC", "tail": "4410", "account": SAVINGS},  # the debit card
            {"bank": "HDFC", "tail": "9541", "account": CARD},
        ]
    )


def alert(
    n: int,
    day: dt.date,
    amount: str,
    direction: str = "debit",
    balance: str | None = None,
    *,
    hour: int = 10,
    tail: str = "1276",
    instrument: str = "account",
    counterparty: str | None = "SWIGGY",
    reference: str | None = None,
    category: str | None = "Food:Delivery",
    bank: str = "HDFC",
) -> AlertRow:
    received = dt.datetime(day.year, day.month, day.day, hour, n % 60, tzinfo=TZ)
    return AlertRow(
        message_guid=f"GUID-{n:04d}",
        received_at=received,
        amount=Decimal(amount),
        direction=direction,
        counterparty=counterparty,
        account_tail=tail,
        balance=Decimal(balance) if balance is not None else None,
        reference=reference,
        channel="upi",
        txn_date=day,
        bank=bank,
        instrument=instrument,
        category=category,
        message_rowid=n,
    )


def holding(symbol: str, qty: str, avg: str, last: str, exchange: str = "NSE") -> Holding:
    isin = symbol if exchange == "MF" else None
    return Holding(symbol, exchange, isin, Decimal(qty), Decimal(avg), Decimal(last), None, None)


def snapshot(when: dt.datetime, *holdings: Holding) -> HoldingsSnapshot:
    return HoldingsSnapshot(when, "kite", tuple(holdings))


def write_main(books: Path, extra: str = "", opening: str = "10000.00") -> Path:
    """A small owner's main.beancount: opens the savings account with an opening balance."""
    books.mkdir(parents=True, exist_ok=True)
    main = books / "main.beancount"
    main.write_text(
        'option "operating_currency" "INR"\n'
        'include "generated/index.beancount"\n\n'
        "2025-01-01 open Equity:Opening-Balances\n"
        f"2025-01-01 open {SAVINGS} INR\n"
        "2025-01-01 open Assets:Investments:Broker\n\n"
        '2025-01-01 * "Opening balance"\n'
        f"  {SAVINGS}  {opening} INR\n"
        "  Equity:Opening-Balances\n\n" + extra,
        encoding="utf-8",
    )
    return main
