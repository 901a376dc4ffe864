"""The figures people look for, as plain functions: rupees as Indians write them, month to date
against the same days of last month with the savings rate, recurring charges, card bills from
the issuers' statement alerts, and net worth's trend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assets.review.compose import NetWorthPoint, net_worth_section
from assets.review.figures import (
    Bill,
    Payment,
    bills_due,
    inr,
    month_to_date,
    parse_bill,
    recurring,
)
from assets.review.week import parse_iso_week
from assets.transactions.stored import StoredTransaction
from tests.review.helpers import IST


def _txn(
    day: dt.date,
    amount: str,
    direction: str = "debit",
    payee: str | None = "Swiggy",
    category: str | None = "Food",
    kind: str = "purchase",
) -> StoredTransaction:
    return StoredTransaction(
        message_guid=f"G-{day}-{payee}-{amount}-{direction}",
        received_at=dt.datetime.combine(day, dt.time(10), IST),
        amount=Decimal(amount),
        direction=direction,
        counterparty=(payee or "").upper() + "@ybl",
        account_tail="1276",
        balance=None,
        reference=None,
        channel="upi",
        txn_date=day,
        bank="HDFC",
        instrument="account",
        category=category,
        kind=kind,
        payee=payee,
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (382842.21, "₹3,82,842.21"),
        (Decimal("12345678"), "₹1,23,45,678.00"),
        (999.5, "₹999.50"),
        (100000, "₹1,00,000.00"),
        (-1500, "−₹1,500.00"),
        (0, "₹0.00"),
        (None, "—"),
    ],
)
def test_rupees_have_indian_digit_grouping(value: float | Decimal | None, text: str) -> None:
    assert inr(value) == text


def test_month_to_date_against_the_same_days_of_last_month_with_the_savings_rate() -> None:
    rows = [
        _txn(dt.date(2026, 2, 1), "1000", "credit", "Acme", "Salary", "transfer"),
        _txn(dt.date(2026, 2, 27), "100"),
        _txn(dt.date(2026, 2, 28), "50"),  # the last of February: inside "the same days"
        _txn(dt.date(2026, 3, 1), "10000", "credit", "Acme", "Salary", "transfer"),
        _txn(dt.date(2026, 3, 2), "2000"),
        _txn(dt.date(2026, 3, 5), "500", category="Transfers:OwnAccounts"),  # not spending
        _txn(dt.date(2026, 3, 6), "300", "credit", kind="refund"),  # not income
        _txn(dt.date(2026, 3, 31), "999"),  # after the day: not counted
    ]
    month = month_to_date(rows, dt.date(2026, 3, 30), IST)
    assert (month["from"], month["to"]) == ("2026-03-01", "2026-03-30")
    assert month["last_month"] == {"from": "2026-02-01", "to": "2026-02-28", "spending": 150.0}
    assert (month["spending"], month["income"], month["change"]) == (2000.0, 10000.0, 1850.0)
    assert month["savings_rate"] == 80.0
    assert month_to_date(rows[4:5], dt.date(2026, 3, 30), IST)["savings_rate"] is None


def test_recurring_charges_with_next_date_new_ones_and_price_rises() -> None:
    week = parse_iso_week("2026-W10")  # 2 to 8 March 2026
    rows = [
        # Monthly, and dearer this week.
        *[_txn(dt.date(2025, m, 5), "199", payee="Netflix") for m in (11, 12)],
        _txn(dt.date(2026, 1, 5), "199", payee="Netflix"),
        _txn(dt.date(2026, 2, 5), "199", payee="Netflix"),
        _txn(dt.date(2026, 3, 5), "249", payee="Netflix"),
        # Weekly, recurring from this week on (its third charge).
        *[_txn(week.end - dt.timedelta(days=7 * n), "60", payee="Milkman") for n in (2, 1, 0)],
        # Same payee, amounts all over the place: not a subscription.
        *[_txn(dt.date(2026, m, 3), a, payee="Amazon") for m, a in ((1, "100"), (2, "900"))],
        _txn(dt.date(2026, 3, 3), "40", payee="Amazon"),
        # Monthly once, then stopped long ago.
        *[_txn(dt.date(2025, m, 10), "99", payee="Gym") for m in (8, 9, 10)],
    ]
    found = {s["payee"]: s for s in recurring(rows, week.start, week.end, IST)}
    assert set(found) == {"Netflix", "Milkman"}
    assert found["Netflix"] == {
        "payee": "Netflix",
        "cadence": "monthly",
        "amount": 249.0,
        "previous_amount": 199.0,
        "last": "2026-03-05",
        "next_expected": "2026-04-05",
        "charges": 5,
        "change": "price_rise",
    }
    assert found["Milkman"]["cadence"] == "weekly" and found["Milkman"]["change"] == "new"
    assert found["Milkman"]["next_expected"] == "2026-03-15"


def test_a_statement_alert_is_a_bill_with_days_left_and_paid_once_paid() -> None:
    body = (
        "HDFC Bank Credit Card XX9541 Statement: Total Amt Due Rs.23,444.00, Min Amt Due "
        "Rs.908.00, payable by 18-Mar-26. Pay via NetBanking/MobileBanking. Ignore if paid"
    )
    bill = parse_bill(body, "HDFC", dt.date(2026, 3, 8))
    assert bill == Bill(
        "HDFC",
        "9541",
        Decimal("23444.00"),
        Decimal("908.00"),
        dt.date(2026, 3, 18),
        dt.date(2026, 3, 8),
    )
    assert (
        parse_bill("Rs.500 debited from a/c XX1276 on 05-Mar-26", "HDFC", dt.date(2026, 3, 5))
        is None
    )
    week = parse_iso_week("2026-W11")  # 9 to 15 March
    (due,) = bills_due([bill], week.start, week.end)
    assert (due["days_left"], due["paid"], due["card"]) == (3, False, "HDFC XX9541")
    part = Payment("HDFC", "9541", dt.date(2026, 3, 12), Decimal("20000"))
    rest = Payment("HDFC", "9541", dt.date(2026, 3, 14), Decimal("3444"))
    other = Payment("HDFC", "1111", dt.date(2026, 3, 14), Decimal("99999"))
    assert not bills_due([bill], week.start, week.end, [part, other])[0]["paid"]
    assert bills_due([bill], week.start, week.end, [part, rest])[0]["paid"]
    # Two weeks on the bill is past: no longer listed.
    later = parse_iso_week("2026-W13")
    assert bills_due([bill], later.start, later.end) == []


def test_net_worth_is_bank_plus_portfolio_less_cards_and_its_trend_measures_like_with_like() -> (
    None
):
    week = parse_iso_week("2026-W10")
    points = [
        NetWorthPoint(week.shifted(-2).end, Decimal(1000), None, Decimal(100)),  # no broker yet
        NetWorthPoint(week.shifted(-1).end, Decimal(1000), Decimal(500), Decimal(200)),
        NetWorthPoint(week.end, Decimal(1200), Decimal(600), Decimal(300)),
    ]
    section = net_worth_section(points, week)
    assert section["total"] == 1500.0  # 1200 + 600 − 300
    assert [p["total"] for p in section["trend"]] == [900.0, 1300.0, 1500.0]
    assert [p["complete"] for p in section["trend"]] == [False, True, True]
    assert (section["change"], section["change_from"]) == (200.0, week.shifted(-1).end.isoformat())
    assert "trend_note" in section
    empty = net_worth_section([NetWorthPoint(week.end, None, Decimal(5), None)], week)
    assert empty["note"].startswith("no account stated a balance")
