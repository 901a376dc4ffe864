"""The review's rupee sums leave out other currencies, and a refund is not income."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from assets.common.warehouse import connect
from assets.review.compose import income_section
from assets.review.reader import read_transactions_for
from assets.review.week import parse_iso_week
from assets.transactions.stored import StoredTransaction
from assets.transactions.tables import ensure_transactions_table
from tests.review.helpers import IST

WEEK = parse_iso_week("2026-W42")  # 12–18 October 2026


def _txn(n: int, amount: str, direction: str, category: str, kind: str) -> StoredTransaction:
    day = WEEK.start + dt.timedelta(days=1)
    return StoredTransaction(
        message_guid=f"G{n}",
        received_at=dt.datetime.combine(day, dt.time(10, n), IST),
        amount=Decimal(amount),
        direction=direction,
        counterparty="SWIGGY",
        account_tail="1276",
        balance=None,
        reference=None,
        channel="upi",
        txn_date=day,
        bank="HDFC",
        instrument="account",
        category=category,
        kind=kind,
    )


def test_a_foreign_currency_spend_counts_in_rupees_only_at_its_bank_s_stated_figure(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.duckdb"
    day = WEEK.start + dt.timedelta(days=1)
    with connect(path) as con:
        ensure_transactions_table(con)
        for guid, amount, currency, inr in (
            ("INR-1", 500, "INR", None),
            ("USD-1", 12.99, "USD", None),  # no rupee figure stated: never in rupee sums
            ("USD-2", 20.00, "USD", 1668.00),  # the bank stated ₹1,668.00
        ):
            con.execute(
                "INSERT INTO transactions (message_guid, message_rowid, received_at, status,"
                " amount, direction, txn_date, bank, instrument, channel, category, kind,"
                " currency, inr_amount) VALUES (?, 1, ?, 'transaction', ?, 'debit', ?, 'HDFC',"
                " 'account', 'card', 'Shopping', 'purchase', ?, ?)",
                [guid, dt.datetime.combine(day, dt.time(10), IST), amount, day, currency, inr],
            )
    with connect(path, read_only=True) as con:
        read = read_transactions_for(con, [WEEK])
    assert [(t.message_guid, t.amount, t.currency) for t in read] == [
        ("INR-1", Decimal("500.00"), "INR"),
        ("USD-2", Decimal("1668.00"), "INR"),
    ]


def test_a_refund_is_not_income_and_cashback_is() -> None:
    section = income_section(
        [
            _txn(1, "300", "credit", "Food:Delivery", "refund"),
            _txn(2, "50", "credit", "Cashback", "cashback"),
        ],
        None,
    )
    assert section["total"] == 50.0
    assert [c["category"] for c in section["categories"]] == ["Cashback"]
