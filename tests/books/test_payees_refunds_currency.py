"""The ledger's payee, refunds against their expense account, foreign-currency spends.

Each ledger is written to files and loaded by beancount's loader with every validation, as
bean-check does.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from assets.books.checks import load_books
from assets.books.entries import build_ledger
from assets.books.generate import write_bank_books
from assets.books.handkept import hand_kept_from_entries

from .helpers import CARD, SAVINGS, TZ, alert, mapping, write_main

DAY = dt.date(2025, 5, 2)
TODAY = dt.date(2025, 5, 20)


def _card(n: int, day: dt.date, amount: str, direction: str, **kw: object):  # type: ignore[no-untyped-def]
    return alert(n, day, amount, direction, tail="9541", instrument="credit_card", **kw)


def _postings(entries: list[data.Directive], account: str) -> list[data.Amount]:
    return [
        p.units
        for e in entries
        if isinstance(e, data.Transaction)
        for p in e.postings
        if p.account == account
    ]


def test_payee_is_readable_and_the_raw_counterparty_is_metadata(tmp_path: Path) -> None:
    main = write_main(tmp_path)
    alerts = [
        _card(1, DAY, "250.00", "debit", counterparty="swiggy.stores@axb")._replace(payee="Swiggy"),
        _card(2, DAY, "80.00", "debit", counterparty="Swiggy")._replace(payee="Swiggy"),
    ]
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    books = load_books(main)
    assert books.errors == ()
    txns = sorted(
        (e for e in books.entries if isinstance(e, data.Transaction) and "sms" in e.tags),
        key=lambda e: e.meta["sms_guid"],
    )
    assert [t.payee for t in txns] == ["Swiggy", "Swiggy"]
    assert txns[0].meta["counterparty"] == "swiggy.stores@axb"
    assert "counterparty" not in txns[1].meta  # the same text twice is not repeated


def test_a_refund_posts_against_its_expense_account_not_income(tmp_path: Path) -> None:
    main = write_main(tmp_path)
    alerts = [
        _card(1, DAY, "2500.00", "debit", category="Shopping")._replace(kind="purchase"),
        _card(2, DAY + dt.timedelta(days=3), "1000.00", "credit", category="Shopping")._replace(
            kind="refund"
        ),
        # Cashback stays income: it returns no particular purchase.
        _card(3, DAY + dt.timedelta(days=4), "50.00", "credit", category="Cashback")._replace(
            kind="cashback"
        ),
    ]
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    books = load_books(main)
    assert books.errors == ()
    assert [a.number for a in _postings(books.entries, "Expenses:Shopping")] == [
        Decimal("2500.00"),
        Decimal("-1000.00"),
    ]
    assert _postings(books.entries, "Income:Shopping") == []
    assert [a.number for a in _postings(books.entries, "Income:Cashback")] == [Decimal("-50.00")]
    assert sum(a.number for a in _postings(books.entries, CARD)) == Decimal("-1450.00")


def test_a_foreign_spend_is_posted_in_its_currency_and_loads_clean(tmp_path: Path) -> None:
    main = write_main(tmp_path)
    alerts = [
        _card(1, DAY, "12.99", "debit", category="Subscriptions")._replace(currency="USD"),
        _card(2, DAY, "500.00", "debit", category="Subscriptions"),
    ]
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    books = load_books(main)
    assert books.errors == ()
    card = _postings(books.entries, CARD)
    assert sorted((a.currency, a.number) for a in card) == [
        ("INR", Decimal("-500.00")),
        ("USD", Decimal("-12.99")),
    ]
    assert sorted(
        (a.currency, a.number) for a in _postings(books.entries, "Expenses:Subscriptions")
    ) == [
        ("INR", Decimal("500.00")),
        ("USD", Decimal("12.99")),
    ]


def test_no_rupee_balance_is_asserted_after_a_foreign_spend_on_a_bank_account(
    tmp_path: Path,
) -> None:
    main = write_main(tmp_path, extra="2025-01-01 open Expenses:Food:Delivery\n")
    d2, d3 = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)
    alerts = [
        alert(1, DAY, "250.00", balance="9750.00"),
        # Paid abroad with the debit card: the bank took rupees the alert does not state.
        alert(2, d2, "10.00", balance="8900.00", tail="4410", instrument="debit_card")._replace(
            currency="EUR"
        ),
        alert(3, d3, "100.00", balance="8800.00"),
    ]
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    books = load_books(main)
    assert books.errors == ()  # a 8900.00 INR assertion after the spend would fail here
    asserted = [e.date for e in books.entries if isinstance(e, data.Balance)]
    assert asserted == [DAY + dt.timedelta(days=1)]  # the day before the foreign spend only


def test_an_account_whose_open_refuses_the_currency_is_left_out_with_the_fix() -> None:
    hand = hand_kept_from_entries(
        [data.Open(data.new_metadata("main", 1), dt.date(2025, 1, 1), CARD, ["INR"], None)]
    )
    alerts = [
        _card(1, DAY, "12.99", "debit", category="Subscriptions")._replace(currency="USD"),
        _card(2, DAY, "500.00", "debit", category="Subscriptions"),
    ]
    build = build_ledger(alerts, mapping(), tz=TZ, today=TODAY, hand=hand)
    assert [t.meta["sms_guid"] for t in build.transactions] == ["GUID-0002"]
    (line,) = build.currency_blocked
    assert line.startswith("GUID-0001 (2025-05-02): 12.99 USD on Liabilities:CreditCard:HDFC")
    assert f"open {CARD} INR,USD" in line
    assert SAVINGS not in line


def test_fava_opens_books_with_a_foreign_spend_without_errors(tmp_path: Path) -> None:
    from fava.core import FavaLedger
    from fava.core.tree import Tree

    main = write_main(tmp_path)
    alerts = [
        _card(1, DAY, "12.99", "debit", category="Subscriptions")._replace(currency="USD"),
        _card(2, DAY, "500.00", "debit", category="Subscriptions"),
    ]
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    ledger = FavaLedger(str(main))
    assert ledger.errors == []
    card = Tree(ledger.all_entries).get(CARD).balance
    assert dict(card) == {("INR", None): Decimal("-500.00"), ("USD", None): Decimal("-12.99")}
