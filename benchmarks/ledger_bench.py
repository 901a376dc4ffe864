"""Ledger benchmark: 30,000 bank alerts → generated books, then load and check the whole ledger.

Targets (DESIGN.md): generation ≤ 5 s, load-and-check ≤ 5 s. Run:
    python benchmarks/ledger_bench.py [--alerts 30000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.books.accounts import parse_account_mapping
from assets.books.checks import compare_holdings, latest_prices, ledger_units, load_books
from assets.books.generate import write_bank_books, write_price_books
from assets.portfolio.model import Holding, HoldingsSnapshot
from assets.transactions.stored import StoredTransaction
from pipeline.demo.books import demo_main_beancount

TZ = ZoneInfo("Asia/Kolkata")
SAVINGS = "Assets:Bank:HDFC:Savings"
CATEGORIES = ("Food:Delivery", "Groceries", "Transport", "Shopping", "Utilities", None)
PAYEES = ("SWIGGY", "ZOMATO", "BIGBASKET", "UBER", "AMAZON", "BESCOM", "Karan Malhotra")


def make_alerts(count: int, start: dt.date) -> list[StoredTransaction]:
    """A consistent stream: each alert's available balance follows from the one before."""
    rng = random.Random(7)
    balance = Decimal("500000.00")
    alerts: list[StoredTransaction] = []
    when = dt.datetime.combine(start, dt.time(8, 0), TZ)
    for n in range(count):
        when += dt.timedelta(minutes=rng.randint(5, 60))
        card = n % 5 == 0
        amount = Decimal(rng.randint(100, 500_000)) / 100
        credit = not card and n % 7 == 0
        if not card:
            balance += amount if credit else -amount
        alerts.append(
            StoredTransaction(
                message_guid=f"BENCH-{n:06d}",
                received_at=when,
                amount=amount,
                direction="credit" if credit else "debit",
                counterparty=rng.choice(PAYEES),
                account_tail="9541" if card else "1276",
                balance=Decimal("150000.00") if card else balance,
                reference=str(400000000000 + n) if n % 2 else None,
                channel="card" if card else "upi",
                txn_date=when.date(),
                bank="HDFC",
                instrument="credit_card" if card else "account",
                category="Salary" if credit else rng.choice(CATEGORIES),
                message_rowid=n,
            )
        )
    return alerts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=30_000)
    args = parser.parse_args()
    start = dt.date(2024, 1, 1)
    alerts = make_alerts(args.alerts, start)
    mapping = parse_account_mapping(
        [
            {"bank": "HDFC", "tail": "1276", "account": SAVINGS},
            {"bank": "HDFC", "tail": "9541", "account": "Liabilities:CreditCard:HDFC"},
        ]
    )
    holdings = [
        Holding(s, "NSE", None, Decimal(q), Decimal(p), Decimal(p), None, None)
        for s, q, p in (("INFY", "10", "1500"), ("M&M", "4", "2950"), ("TCS", "3", "3600"))
    ]
    opening = next(
        a.balance + (a.amount if a.direction == "debit" else -a.amount)
        for a in alerts
        if a.instrument == "account"
    )
    with tempfile.TemporaryDirectory() as folder:
        books = Path(folder)
        (books / "main.beancount").write_text(
            demo_main_beancount(
                opening_balances={SAVINGS: (start - dt.timedelta(days=1), opening)},
                accounts=[SAVINGS],
                holdings=holdings,
                holdings_date=start - dt.timedelta(days=1),
                open_date=start - dt.timedelta(days=2),
            )
        )
        last = alerts[-1].received_at.date()
        snaps = [
            HoldingsSnapshot(dt.datetime.combine(d, dt.time(15, 30), TZ), "bench", tuple(holdings))
            for d in (last - dt.timedelta(days=i) for i in range(365))
        ]
        t0 = time.perf_counter()
        bank = write_bank_books(books, alerts, mapping, tz=TZ, today=last + dt.timedelta(days=1))
        write_price_books(books, snaps, tz=TZ)
        t1 = time.perf_counter()
        loaded = load_books(books / "main.beancount")
        diffs = compare_holdings(
            ledger_units(loaded.entries), latest_prices(loaded.entries), holdings, 0.005
        )
        t2 = time.perf_counter()
        cache = books / ".main.beancount.picklecache"
        print(f"alerts:              {len(alerts)}")
        print(f"transactions:        {len(bank.build.transactions)}")
        print(f"balance assertions:  {len(bank.build.balances)}")
        print(f"generation:          {t1 - t0:.2f} s (target <= 5 s)")
        print(f"load and check:      {t2 - t1:.2f} s (target <= 5 s), uncached")
        print(f"ledger errors:       {len(loaded.errors)}; holding differences: {len(diffs)}")
        for error in loaded.errors[:5]:
            print(f"  {error}")
        if cache.exists():
            t3 = time.perf_counter()
            load_books(books / "main.beancount")
            print(f"load (loader cache): {time.perf_counter() - t3:.2f} s")


if __name__ == "__main__":
    main()
