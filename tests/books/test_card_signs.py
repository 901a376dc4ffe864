"""Credit-card signs: a card is a liability, so what is owed on it is a negative balance.

A ledger with every card sign flipped still loads clean (each transaction still balances), so
these tests assert the signs themselves and the balance they add up to.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from assets.books.accounts import TRANSFER_ACCOUNT
from assets.books.checks import load_books
from assets.books.entries import build_ledger, transaction_for
from assets.books.generate import write_bank_books

from .helpers import CARD, SAVINGS, TZ, alert, mapping, write_main

DAY = dt.date(2025, 5, 2)
TODAY = dt.date(2025, 5, 20)


def _card(n: int, day: dt.date, amount: str, direction: str, **kw: object) -> object:
    return alert(n, day, amount, direction, tail="9541", instrument="credit_card", **kw)


def _signs(txn: data.Transaction) -> dict[str, Decimal]:
    return {p.account: p.units.number for p in txn.postings}


def test_card_spend_owes_more_on_the_card_and_adds_an_expense() -> None:
    spend = _card(1, DAY, "3000.00", "debit", category="Shopping")
    assert _signs(transaction_for(spend, CARD, DAY)) == {
        CARD: Decimal("-3000.00"),
        "Expenses:Shopping": Decimal("3000.00"),
    }


def test_card_refund_owes_less_and_is_income_not_an_expense() -> None:
    refund = _card(2, DAY, "450.00", "credit", category="Refunds", counterparty="AMAZON")
    assert _signs(transaction_for(refund, CARD, DAY)) == {
        CARD: Decimal("450.00"),
        "Income:Refunds": Decimal("-450.00"),
    }


def test_card_payment_from_savings_moves_money_through_the_transfer_account() -> None:
    paid = alert(3, DAY, "2000.00", "debit", category="Transfers:CreditCardPayment")
    received = _card(
        4, DAY, "2000.00", "credit", category="Transfers:CreditCardPayment", counterparty=None
    )
    built = build_ledger([paid, received], mapping(), tz=TZ, today=TODAY)
    by_guid = {t.meta["sms_guid"]: _signs(t) for t in built.transactions}
    assert by_guid == {
        "GUID-0003": {SAVINGS: Decimal("-2000.00"), TRANSFER_ACCOUNT: Decimal("2000.00")},
        "GUID-0004": {CARD: Decimal("2000.00"), TRANSFER_ACCOUNT: Decimal("-2000.00")},
    }


def _balance(entries: list[data.Directive], account: str) -> Decimal:
    return sum(
        (
            p.units.number
            for e in entries
            if isinstance(e, data.Transaction)
            for p in e.postings
            if p.account == account
        ),
        Decimal(0),
    )


def test_card_balance_after_spends_a_refund_and_a_payment_loads_clean(tmp_path: Path) -> None:
    main = write_main(tmp_path)
    alerts = [
        _card(11, DAY, "3000.00", "debit", category="Shopping"),
        _card(12, DAY, "1250.50", "debit", category="Food:Delivery", hour=12),
        _card(13, DAY + dt.timedelta(days=1), "450.00", "credit", category="Refunds"),
        alert(
            14, DAY + dt.timedelta(days=2), "2000.00", "debit", "8000.00",
            category="Transfers:CreditCardPayment",
        ),
        _card(
            15, DAY + dt.timedelta(days=2), "2000.00", "credit",
            category="Transfers:CreditCardPayment", hour=11,
        ),
    ]  # fmt: skip
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    books = load_books(main)
    assert books.errors == ()
    # Owed: 3000.00 + 1250.50 - 450.00 - 2000.00 = 1800.50, a liability's negative balance.
    assert _balance(books.entries, CARD) == Decimal("-1800.50")
    assert _balance(books.entries, "Expenses:Shopping") == Decimal("3000.00")
    assert _balance(books.entries, "Income:Refunds") == Decimal("-450.00")
    assert _balance(books.entries, TRANSFER_ACCOUNT) == Decimal(0)
    assert _balance(books.entries, SAVINGS) == Decimal("8000.00")  # opening 10000.00 - 2000.00
