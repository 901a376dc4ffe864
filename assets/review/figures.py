"""What people look for in a weekly review, as plain functions over plain rows: rupees as
Indians write them, the savings rate, month to date against the same days of last month,
recurring charges, card bills due and net worth. Every "today" here is the review's week end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from assets.common.money import indian_grouping
from assets.transactions.categories import is_transfer
from assets.transactions.stored import StoredTransaction

# How far back recurring charges are looked for (per week, so a backfill's range changes nothing).
RECURRING_DAYS = 182
MIN_CHARGES = 3  # a charge seen this many times at its cadence is recurring
SIMILAR = Decimal("0.25")  # amounts within 25 % of the newest belong to one series
RISE = Decimal("0.01")  # a newest amount this much above the one before is a price rise
CADENCES = {"weekly": (6, 8), "monthly": (27, 34)}  # days between charges
BILL_LOOKBACK_DAYS = 45  # a statement this old is last cycle's


def inr(value: float | Decimal | None) -> str:
    """₹ with Indian digit grouping: 382842.21 → ₹3,82,842.21 (None → —)."""
    if value is None:
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{'−' if amount < 0 else ''}₹{indian_grouping(amount)}"


def savings_rate(income: Decimal, spending: Decimal) -> float | None:
    """(income − spending) / income as a percentage; None without income."""
    if income <= 0:
        return None
    return float(((income - spending) / income * 100).quantize(Decimal("0.1")))


def _spend(t: StoredTransaction) -> bool:
    return t.direction == "debit" and not is_transfer(t.category)


def _income(t: StoredTransaction) -> bool:
    return t.direction == "credit" and not is_transfer(t.category) and t.kind != "refund"


def _total(rows: Iterable[StoredTransaction]) -> Decimal:
    return sum((t.amount for t in rows), Decimal(0))


def month_to_date(
    transactions: Sequence[StoredTransaction], day: dt.date, tz: ZoneInfo
) -> dict[str, Any]:
    """Spending and income from the 1st of `day`'s month to `day`, against the same days of the
    month before (its last day when it is shorter), and the month's savings rate."""
    start = day.replace(day=1)
    prev_end_of_month = start - dt.timedelta(days=1)
    prev_start = prev_end_of_month.replace(day=1)
    prev_day = prev_start.replace(day=min(day.day, prev_end_of_month.day))

    def within(a: dt.date, b: dt.date) -> list[StoredTransaction]:
        return [t for t in transactions if a <= t.local_date(tz) <= b]

    now, before = within(start, day), within(prev_start, prev_day)
    spent, spent_before = _total(filter(_spend, now)), _total(filter(_spend, before))
    income = _total(filter(_income, now))
    return {
        "from": start.isoformat(),
        "to": day.isoformat(),
        "spending": _money(spent),
        "income": _money(income),
        "savings_rate": savings_rate(income, spent),
        "last_month": {
            "from": prev_start.isoformat(),
            "to": prev_day.isoformat(),
            "spending": _money(spent_before),
        },
        "change": _money(spent - spent_before),
    }


def _next_month(day: dt.date) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def recurring(
    transactions: Sequence[StoredTransaction], week_start: dt.date, day: dt.date, tz: ZoneInfo
) -> list[dict[str, Any]]:
    """Charges that repeat: the same payee, a similar amount, weekly or monthly, seen at least
    MIN_CHARGES times up to `day`, with the next expected date and what changed this week
    (`new`: it became recurring this week; `price_rise`: this week's charge is higher)."""
    since = day - dt.timedelta(days=RECURRING_DAYS)
    by_payee: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for t in transactions:
        when = t.local_date(tz)
        if _spend(t) and since <= when <= day and (t.payee or t.counterparty):
            by_payee[t.payee or t.counterparty or ""].append((when, t.amount))
    found = []
    for payee, charges in sorted(by_payee.items()):
        charges.sort()
        for cadence, (low, high) in CADENCES.items():
            run = [charges[-1]]
            for when, amount in reversed(charges[:-1]):
                gap = (run[-1][0] - when).days
                if gap == 0:
                    continue  # two charges one day: not a cadence
                if not low <= gap <= high or abs(amount - run[0][1]) > SIMILAR * run[0][1]:
                    break
                run.append((when, amount))
            if len(run) < MIN_CHARGES:
                continue
            last, amount = run[0]
            expected = last + dt.timedelta(days=7) if cadence == "weekly" else _next_month(last)
            if expected < day - dt.timedelta(days=high - low):
                break  # stopped: its next charge is overdue
            previous = run[1][1]
            this_week = week_start <= last <= day
            change = None
            if this_week and len(run) == MIN_CHARGES:
                change = "new"
            elif this_week and amount > previous * (1 + RISE):
                change = "price_rise"
            found.append(
                {
                    "payee": payee,
                    "cadence": cadence,
                    "amount": _money(amount),
                    "previous_amount": _money(previous),
                    "last": last.isoformat(),
                    "next_expected": expected.isoformat(),
                    "charges": len(run),
                    "change": change,
                }
            )
            break
    return sorted(found, key=lambda s: (s["next_expected"], s["payee"]))


class Bill(NamedTuple):
    """A card statement an issuer's alert announced."""

    bank: str
    card_tail: str | None
    total: Decimal
    minimum: Decimal | None
    due: dt.date
    received: dt.date


class Payment(NamedTuple):
    """Money into a card: what settles its bill."""

    bank: str
    card_tail: str | None
    day: dt.date
    amount: Decimal


_AMOUNT = r"(?:Rs\.?|INR|₹)\s*([\d,]+(?:\.\d{1,2})?)"
_TOTAL = re.compile(r"total\s+(?:amt\.?\s+|amount\s+)?due\s*(?:is|of|:)?\s*" + _AMOUNT, re.I)
_MINIMUM = re.compile(
    r"min(?:imum|\.)?\s+(?:amt\.?\s+|amount\s+)?due\s*(?:is|of|:)?\s*" + _AMOUNT, re.I
)
_DUE = re.compile(
    r"(?:due|payable)\s+(?:by|on|date)\s*:?\s*(\d{1,2})[-/ ]([A-Za-z]{3}|\d{1,2})[-/ ,]*(\d{2,4})",
    re.I,
)
_TAIL = re.compile(r"(?:XX|x{2,}|\*{2,})(\d{3,4})\b", re.I)


def parse_bill(body: str, bank: str, received: dt.date) -> Bill | None:
    """A statement alert ("Total Amt Due Rs.23444.00, Min Amt Due Rs.908.00, payable by
    18-Jul-25") as a Bill; None for any other message (it is not a transaction)."""
    total, due = _TOTAL.search(body), _DUE.search(body)
    if not total or not due:
        return None
    day, month, year = due.groups()
    try:
        number = int(month) if month.isdigit() else _MONTHS[month.lower()]
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        due_on = dt.date(full_year, number, int(day))
    except (KeyError, ValueError):
        return None
    minimum = _MINIMUM.search(body)
    tail = _TAIL.search(body)
    return Bill(
        bank,
        tail.group(1) if tail else None,
        Decimal(total.group(1).replace(",", "")),
        Decimal(minimum.group(1).replace(",", "")) if minimum else None,
        due_on,
        received,
    )


_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}


def bills_due(
    bills: Iterable[Bill],
    week_start: dt.date,
    day: dt.date,
    payments: Iterable[Payment] = (),
) -> list[dict[str, Any]]:
    """Each card's newest statement received by `day` whose due date is not before the week
    began, with the days left from `day` (negative: overdue) and what was paid into the card
    since the statement by `day` (`paid`: at least the total due)."""
    newest: dict[tuple[str, str | None], Bill] = {}
    for bill in sorted(bills, key=lambda b: b.received):
        if bill.received <= day:
            newest[(bill.bank, bill.card_tail)] = bill
    paid = {
        key: sum(
            (
                p.amount
                for p in payments
                if (p.bank, p.card_tail) == key and bill.received <= p.day <= day
            ),
            Decimal(0),
        )
        for key, bill in newest.items()
    }
    return [
        {
            "card": f"{b.bank} XX{b.card_tail}" if b.card_tail else b.bank,
            "bank": b.bank,
            "card_tail": b.card_tail,
            "total_due": _money(b.total),
            "minimum_due": None if b.minimum is None else _money(b.minimum),
            "due": b.due.isoformat(),
            "days_left": (b.due - day).days,
            "statement_received": b.received.isoformat(),
            "paid_since": _money(paid[(b.bank, b.card_tail)]),
            "paid": paid[(b.bank, b.card_tail)] >= b.total,
        }
        for b in sorted(newest.values(), key=lambda b: (b.due, b.bank, b.card_tail or ""))
        if b.due >= week_start
    ]


def _money(value: Decimal) -> float:
    return float(Decimal(value).quantize(Decimal("0.01")))
