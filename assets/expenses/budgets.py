"""Spending this month against each `[[budgets]]` entry: what the feed and the review show.

A budget's account takes what the books post to it and to the accounts under it (Fava's budget
columns sum children the same way): debits filed under it, less refunds that came back to it,
in rupees (other currencies never mix into rupee totals). `projected` is the month's end at the
current pace: spent so far ÷ days gone (today included) × days in the month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from assets.books.accounts import counter_account
from assets.books.budgets import BUDGET_CURRENCY, Budget
from assets.transactions.stored import StoredTransaction


def budget_progress(
    budgets: Sequence[Budget],
    transactions: Iterable[StoredTransaction],
    *,
    today: dt.date,
    tz: ZoneInfo,
) -> list[dict[str, Any]]:
    """Per budget, for the month of `today` up to `today`: `account`, `budget`, `spent`,
    `left` (negative once over) and `projected`; in the order of the settings."""
    if not budgets:
        return []
    start = today.replace(day=1)
    days = calendar.monthrange(today.year, today.month)[1]
    by_account: dict[str, Decimal] = {}
    for txn in transactions:
        if txn.currency != BUDGET_CURRENCY or not start <= txn.local_date(tz) <= today:
            continue
        account = counter_account(txn.direction, txn.category, txn.kind)
        if not account.startswith("Expenses:"):
            continue
        # A refund credit posts back to the expense account (accounts.counter_account).
        signed = txn.amount if txn.direction == "debit" else -txn.amount
        by_account[account] = by_account.get(account, Decimal(0)) + signed
    rows = []
    for budget in budgets:
        under = budget.account + ":"
        spent = sum(
            (v for a, v in by_account.items() if a == budget.account or a.startswith(under)),
            Decimal(0),
        )
        projected = spent / today.day * days
        rows.append(
            {
                "account": budget.account,
                "budget": _money(budget.monthly),
                "spent": _money(spent),
                "left": _money(budget.monthly - spent),
                "projected": _money(projected),
            }
        )
    return rows


def _money(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.01")))
