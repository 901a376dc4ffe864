"""The expenses feed's `budgets`: this month's spent, left and month-end pace per budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assets.books.budgets import Budget
from assets.expenses.feed import build_expenses_feed
from tests.expenses.test_feed import IST, NOW, txn

BUDGETS = (
    Budget("Expenses:Food", Decimal("5000.00"), 0),
    Budget("Expenses:Shopping", Decimal("500.00"), 1),
    Budget("Expenses:Travel", Decimal("2000.00"), 2),
)


def test_budgets_count_the_account_and_its_children_this_month() -> None:
    today = NOW.date()  # Thu 19 Nov 2026: 19 of November's 30 days gone
    rows = [
        txn(today, "1000", category="Food:Delivery", n=1),
        txn(dt.date(2026, 11, 2), "900", category="Food", n=2),
        txn(dt.date(2026, 10, 31), "4000", category="Food", n=3),  # last month: not counted
        txn(today, "800", category="Shopping", n=4)._replace(kind="purchase"),
        txn(today, "300", "credit", category="Shopping", n=5)._replace(kind="refund"),
        txn(today, "700", category="Shopping", n=6)._replace(currency="USD"),  # never in rupees
        txn(today, "5000", "credit", category="Food", n=7)._replace(kind="salary"),  # income
        txn(dt.date(2026, 11, 25), "999", category="Food", n=8),  # a future-dated typo
    ]
    feed = build_expenses_feed(
        rows,
        [],
        now=NOW,
        tz=IST,
        newest_message_at=NOW,
        total_transactions=len(rows),
        budgets=BUDGETS,
    )
    assert feed["budgets"] == [
        {
            "account": "Expenses:Food",
            "budget": 5000.0,
            "spent": 1900.0,
            "left": 3100.0,
            "projected": 3000.0,  # 1900 / 19 days × 30
        },
        {
            "account": "Expenses:Shopping",
            "budget": 500.0,
            "spent": 500.0,  # 800 less the 300 refund
            "left": 0.0,
            "projected": 789.47,
        },
        {
            "account": "Expenses:Travel",
            "budget": 2000.0,
            "spent": 0.0,
            "left": 2000.0,
            "projected": 0.0,
        },
    ]


def test_an_overspent_budget_has_a_negative_left_and_no_budgets_an_empty_list() -> None:
    rows = [txn(NOW.date(), "600", category="Shopping:Clothes", n=1)]
    feed = build_expenses_feed(
        rows, [], now=NOW, tz=IST, newest_message_at=NOW, total_transactions=1, budgets=BUDGETS
    )
    assert feed["budgets"][1]["left"] == -100.0
    plain = build_expenses_feed(
        rows, [], now=NOW, tz=IST, newest_message_at=NOW, total_transactions=1
    )
    assert plain["budgets"] == []


def test_a_foreign_spend_counts_against_its_budget_at_the_rupee_figure_its_bank_stated() -> None:
    today = NOW.date()
    rows = [
        txn(today, "1000", category="Travel", n=1),
        # The card bill shows the bank's figure: that is what the budget spent.
        txn(today, "12.99", category="Travel", n=2)._replace(
            currency="USD", inr_amount=Decimal("1083.45")
        ),
        txn(today, "40.00", category="Travel", n=3)._replace(currency="USD"),  # no figure
    ]
    feed = build_expenses_feed(
        rows,
        [],
        now=NOW,
        tz=IST,
        newest_message_at=NOW,
        total_transactions=len(rows),
        budgets=BUDGETS[2:],
    )
    (travel,) = feed["budgets"]
    assert (travel["spent"], travel["left"]) == (2083.45, -83.45)
    # The same figure as the month's rupee total: the budget and the totals agree.
    assert feed["periods"]["this_month"]["spend"] == 2083.45
