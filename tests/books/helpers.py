"""Builders for plain rows: alerts and holdings as the warehouse would hand them over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.books.accounts import AccountMapping, parse_account_mapping
from assets.portfolio.model import Holding, HoldingsSnapshot
from assets.transactions.stored import StoredTransaction

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
) -> StoredTransaction:
    received = dt.datetime(day.year, day.month, day.day, hour, n % 60, tzinfo=TZ)
    return StoredTransaction(
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


def store_alerts(warehouse: Path, alerts: list[StoredTransaction]) -> None:
    """The alerts as `transactions` rows in a real DuckDB warehouse (tables made if missing)."""
    from assets.common.warehouse import connect
    from assets.sms.tables import ensure_tables
    from assets.transactions.tables import ensure_transactions_table

    with connect(warehouse) as con:
        ensure_tables(con)
        ensure_transactions_table(con)
        for a in alerts:
            con.execute(
                "INSERT INTO transactions VALUES (?, ?, 'VM-HDFCBK', ?, 'transaction', NULL, ?, ?, "
                "?, ?, ?, ?, ?, ?, TRUE, ?, ?, ?, 'transfer', ?, NULL, NULL, ?)",
                [
                    a.message_guid,
                    a.message_rowid,
                    a.received_at,
                    a.amount,
                    a.direction,
                    a.counterparty,
                    a.account_tail,
                    a.balance,
                    a.reference,
                    a.channel,
                    a.txn_date,
                    a.bank,
                    a.instrument,
                    a.category,
                    a.currency,
                    a.inr_amount,
                ],
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


HOLDINGS = (
    holding("INFY", "10", "1450.00", "1502.35"),
    holding("M&M", "4", "2800.50", "2950.00"),
    holding("BAJAJ-AUTO", "2", "8900.00", "9120.75"),
    holding("INF179K01BB8", "123.456", "45.1234", "52.8812", exchange="MF"),
)


def sample_alerts(d1: dt.date, d2: dt.date, d3: dt.date | None = None) -> list[StoredTransaction]:
    """Savings, its debit card and a credit card over two or three days; opening 10000.00 and
    each bank balance following from the one before."""
    alerts = [
        alert(1, d1, "250.00", balance="9750.00", counterparty="SWIGGY"),
        alert(
            2,
            d1,
            "1200.00",
            "credit",
            "10950.00",
            hour=18,
            counterparty="Karan Malhotra",
            category="Gifts",
            reference="607152602351",
        ),
        alert(
            3,
            d2,
            "499.00",
            balance="10451.00",
            tail="4410",
            instrument="debit_card",
            counterparty="BIGBASKET",
            category="Groceries",
        ),
        alert(
            4,
            d2,
            "3000.00",
            tail="9541",
            instrument="credit_card",
            balance="197000.00",
            counterparty="AMAZON",
            category=None,
        ),
    ]
    if d3 is not None:
        alerts.append(
            alert(
                5, d3, "51.00", balance="10400.00", counterparty="CHAI POINT", category="Food:Cafe"
            )
        )
    return alerts


def build_demo_books(books: Path, today: dt.date) -> list[StoredTransaction]:
    """Demo-like books through the demo functions: opening balances, buys, alerts, prices."""
    from assets.books.generate import write_bank_books, write_price_books
    from pipeline.demo.books import demo_main_beancount, opening_balances_for

    d1, d2 = today - dt.timedelta(days=3), today - dt.timedelta(days=2)
    alerts = sample_alerts(d1, d2)
    books.mkdir(parents=True, exist_ok=True)
    opening = opening_balances_for(alerts, mapping(), TZ)
    (books / "main.beancount").write_text(
        demo_main_beancount(
            opening_balances=opening,
            accounts=[SAVINGS],
            holdings=HOLDINGS,
            holdings_date=d1 - dt.timedelta(days=5),
            open_date=d1 - dt.timedelta(days=30),
        ),
        encoding="utf-8",
    )
    write_bank_books(books, alerts, mapping(), tz=TZ, today=today)
    snaps = [snapshot(dt.datetime.combine(d, dt.time(15, 30), TZ), *HOLDINGS) for d in (d1, d2)]
    write_price_books(books, snaps, tz=TZ)
    return alerts
