"""What a card owes at a day's end, from the ledger: charges raise it, payments lower it, and
nothing dated after the day counts (a backfilled week shows that week's figure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from beancount import loader

from assets.review.owed import card_accounts, owed_on, read_owed

LEDGER = """
2025-01-01 open Liabilities:CreditCard:HDFC INR
2025-01-01 open Assets:Bank:HDFC:Savings INR
2025-01-01 open Expenses:Food INR
2025-01-01 open Equity:Opening-Balances
2025-01-01 * "Opening balance"
  Liabilities:CreditCard:HDFC  -1000.00 INR
  Equity:Opening-Balances
2025-03-03 * "Swiggy"
  Liabilities:CreditCard:HDFC  -250.50 INR
  Expenses:Food
2025-03-09 * "Card bill"
  Liabilities:CreditCard:HDFC  1000.00 INR
  Assets:Bank:HDFC:Savings
2025-03-10 * "Swiggy"
  Liabilities:CreditCard:HDFC  -99.00 INR
  Expenses:Food
"""


def test_owed_is_the_liability_up_to_each_day_with_the_sign_flipped() -> None:
    entries, errors, _ = loader.load_string(LEDGER)
    assert not errors
    days = [dt.date(2024, 12, 31), dt.date(2025, 3, 3), dt.date(2025, 3, 9), dt.date(2025, 3, 16)]
    owed = owed_on(entries, ["Liabilities:CreditCard:HDFC"], days)
    assert owed == {
        days[0]: {},  # before the card's first posting: nothing known, not a zero
        days[1]: {"Liabilities:CreditCard:HDFC": Decimal("1250.50")},
        days[2]: {"Liabilities:CreditCard:HDFC": Decimal("250.50")},
        days[3]: {"Liabilities:CreditCard:HDFC": Decimal("349.50")},
    }


def test_only_cards_are_read_and_no_ledger_is_not_a_zero(tmp_path: Path) -> None:
    names = {("HDFC", "1276"): "Assets:Bank:HDFC:Savings", ("HDFC", "9541"): "Liabilities:X"}
    assert card_accounts(names) == {"Liabilities:X"}
    assert read_owed(tmp_path / "main.beancount", ["Liabilities:X"], [dt.date(2025, 1, 5)]) is None
