"""A foreign-currency spend whose bank stated its rupee figure: the card owes that figure in INR,
the expense keeps the foreign amount at that total price. Each ledger is written to files and
loaded by beancount's loader with every validation, as bean-check does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount.core import data, realization

from assets.books.checks import load_books
from assets.books.entries import build_ledger
from assets.books.generate import write_bank_books
from assets.books.handkept import hand_kept_from_entries

from .helpers import CARD, TZ, alert, mapping, write_main

DAY = dt.date(2025, 5, 2)
TODAY = dt.date(2025, 5, 20)
EXPENSE = "Expenses:Subscriptions"


def _card(n: int, amount: str, direction: str = "debit", **kw: object):  # type: ignore[no-untyped-def]
    return alert(
        n, DAY, amount, direction, tail="9541", instrument="credit_card", category="Subscriptions"
    )._replace(**kw)


def _balances(main: Path) -> dict[str, dict[str, Decimal]]:
    books = load_books(main)
    assert books.errors == ()
    real = realization.realize(books.entries)
    return {
        acc.account: {p.units.currency: p.units.number for p in acc.balance}
        for acc in realization.iter_children(real)
        if not acc.balance.is_empty()
    }


def test_the_card_owes_the_stated_rupees_and_the_expense_keeps_the_dollars(
    tmp_path: Path,
) -> None:
    main = write_main(tmp_path)
    alerts = [
        _card(1, "12.99", currency="USD", inr_amount=Decimal("1083.45")),
        _card(2, "500.00"),
        # Money back on the dollar spend, at the figure its own alert stated.
        _card(3, "2.00", "credit", currency="USD", inr_amount=Decimal("166.80"), kind="refund"),
        # No figure stated: the dollars stay dollars on the card too (never a made-up rate).
        _card(4, "4.00", currency="USD"),
    ]
    write_bank_books(tmp_path, alerts, mapping(), tz=TZ, today=TODAY)
    text = "".join(p.read_text("utf-8") for p in sorted(tmp_path.rglob("*.beancount")))
    assert "-12.99 USD" not in text  # the expense side is positive on a spend
    assert "12.99 USD @@ 1083.45 INR" in text
    assert "-2.00 USD @@ 166.80 INR" in text
    balances = _balances(main)
    # The card liability is in rupees for the spends with a stated figure: what its bill shows.
    assert balances[CARD] == {
        "INR": Decimal("-500.00") - Decimal("1083.45") + Decimal("166.80"),
        "USD": Decimal("-4.00"),
    }
    assert balances[EXPENSE] == {"INR": Decimal("500.00"), "USD": Decimal("14.99")}


def test_the_entry_s_weight_is_the_stated_figure() -> None:
    build = build_ledger(
        [_card(1, "12.99", currency="USD", inr_amount=Decimal("1083.45"))],
        mapping(),
        tz=TZ,
        today=TODAY,
    )
    (txn,) = build.transactions
    own, expense = txn.postings
    assert own.account == CARD and own.units == data.Amount(Decimal("-1083.45"), "INR")
    assert expense.units == data.Amount(Decimal("12.99"), "USD")
    assert expense.price is not None and expense.price.currency == "INR"
    assert (expense.units.number * expense.price.number).quantize(Decimal("0.01")) == Decimal(
        "1083.45"
    )
    assert build.currency_blocked == ()


def test_a_card_opened_for_rupees_only_takes_a_spend_with_a_stated_figure() -> None:
    hand = hand_kept_from_entries(
        [data.Open(data.new_metadata("main", 1), dt.date(2025, 1, 1), CARD, ["INR"], None)]
    )
    alerts = [
        _card(1, "12.99", currency="USD", inr_amount=Decimal("1083.45")),
        _card(2, "4.00", currency="USD"),  # no figure: USD on the card, which refuses it
    ]
    build = build_ledger(alerts, mapping(), tz=TZ, today=TODAY, hand=hand)
    assert [t.meta["sms_guid"] for t in build.transactions] == ["GUID-0001"]
    (line,) = build.currency_blocked
    assert line.startswith("GUID-0002 (2025-05-02): 4.00 USD on Liabilities:CreditCard:HDFC")


def test_an_expense_opened_for_rupees_only_is_named_with_the_fix() -> None:
    hand = hand_kept_from_entries(
        [data.Open(data.new_metadata("main", 1), dt.date(2025, 1, 1), EXPENSE, ["INR"], None)]
    )
    build = build_ledger(
        [_card(1, "12.99", currency="USD", inr_amount=Decimal("1083.45"))],
        mapping(),
        tz=TZ,
        today=TODAY,
        hand=hand,
    )
    assert build.transactions == ()
    (line,) = build.currency_blocked
    assert f"12.99 USD on {EXPENSE}" in line and f"open {EXPENSE} INR,USD" in line
