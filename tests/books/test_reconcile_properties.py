"""Issue 22 §5's property: drop a random 5 % of a generated history's SMS, import the bank's
statements → every dropped transaction comes back exactly once, nothing is duplicated, every
balance assertion holds and no gap stays open."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from beancount.core import data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.books.accounts import parse_account_mapping
from assets.books.entries import build_ledger
from assets.books.gaps import GapReport, close_by_statement
from assets.books.reconcile import reconcile
from assets.books.statement_store import Period, stored_lines
from assets.books.statements.model import StatementLine
from assets.transactions.balance_chain import ChainAlert, find_gaps
from assets.transactions.stored import StoredTransaction

from .helpers import TZ

ACCOUNTS = {"1276": "Assets:Bank:HDFC:Savings", "8080": "Assets:Bank:HDFC:Salary"}
MAPPING = parse_account_mapping(
    [{"bank": "HDFC", "tail": tail, "account": acc} for tail, acc in ACCOUNTS.items()]
)
OPENING = Decimal("100000.00")
START = dt.date(2026, 10, 1)


class Movement:
    """One real transaction: its SMS alert and its statement line."""

    def __init__(self, n: int, tail: str, day: int, k: int, cents: int, out: bool, bal: Decimal):
        self.amount = Decimal(cents) / 100
        self.signed = -self.amount if out else self.amount
        date = START + dt.timedelta(days=day)
        at = dt.datetime.combine(date, dt.time(9), TZ) + dt.timedelta(minutes=7 * k)
        self.alert = StoredTransaction(
            message_guid=f"G{n:04d}",
            received_at=at,
            amount=self.amount,
            direction="debit" if out else "credit",
            counterparty="SWIGGY" if out else "ACME",
            account_tail=tail,
            balance=bal,
            reference=None,
            channel="upi",
            txn_date=date,
            bank="HDFC",
            instrument="account",
            category="Food:Delivery" if out else "Salary",
            message_rowid=n,
        )
        self.line = StatementLine(
            "HDFC", tail, date, date, "UPI-PAYMENT", None, self.signed, bal, n + 1, "hdfc"
        )


@st.composite
def history(draw: st.DrawFn) -> tuple[list[Movement], set[int]]:
    movements: list[Movement] = []
    for tail in ACCOUNTS:
        count = draw(st.integers(min_value=20, max_value=60))
        days = sorted(draw(st.lists(st.integers(0, 27), min_size=count, max_size=count)))
        balance = OPENING
        per_day: Counter[int] = Counter()
        for day in days:
            # Few distinct amounts: the same amount twice within three days is common.
            cents = (
                draw(st.sampled_from([10000, 25050, 49900, 120000]))
                if draw(st.booleans())
                else draw(st.integers(min_value=1, max_value=5_000_000))
            )
            out = draw(st.booleans())
            balance += -Decimal(cents) / 100 if out else Decimal(cents) / 100
            per_day[day] += 1
            movements.append(Movement(len(movements), tail, day, per_day[day], cents, out, balance))
    drop = max(1, round(len(movements) * 0.05))
    dropped = set(
        draw(
            st.lists(st.integers(0, len(movements) - 1), min_size=drop, max_size=drop, unique=True)
        )
    )
    return movements, dropped


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history())
def test_dropped_sms_come_back_once_from_the_statement_and_the_books_agree(
    case: tuple[list[Movement], set[int]],
) -> None:
    movements, dropped = case
    kept = [m.alert for i, m in enumerate(movements) if i not in dropped]
    lines, periods = [], []
    for tail, account in ACCOUNTS.items():
        mine = [m.line for m in movements if m.alert.account_tail == tail]
        lines += stored_lines(account, mine, f"{tail}.csv")
        periods.append(Period(account, min(x.date for x in mine), max(x.date for x in mine), ""))

    statement = reconcile(lines, kept, MAPPING.lookup, TZ, periods)

    # Every dropped transaction back exactly once; every alert confirmed; nothing flagged.
    def key(account: str, date: dt.date, amount: Decimal) -> tuple[str, dt.date, Decimal]:
        return (account, date, amount)

    lost = Counter(
        key(ACCOUNTS[m.alert.account_tail or ""], m.line.date, m.signed)
        for i, m in enumerate(movements)
        if i in dropped
    )
    assert Counter(key(x.account, x.date, x.amount) for x in statement.new) == lost
    assert len(statement.matched) == len(kept)
    assert statement.not_on_statement == ()

    # The books: one transaction per real movement, and every balance assertion holds.
    today = START + dt.timedelta(days=40)
    build = build_ledger(kept, MAPPING, tz=TZ, today=today, statement=statement)
    assert len(build.transactions) == len(movements)
    postings: dict[str, list[tuple[dt.date, Decimal]]] = {acc: [] for acc in ACCOUNTS.values()}
    for txn in build.transactions:
        for posting in txn.postings:
            if posting.account in postings:
                postings[posting.account].append((txn.date, posting.units.number))
    for balance in build.balances:
        assert isinstance(balance, data.Balance)
        held = OPENING + sum(
            (amount for day, amount in postings[balance.account] if day < balance.date),
            Decimal(0),
        )
        assert held == balance.amount.number, (balance.date, balance.account)

    # No gap stays open once the statement's lines are in.
    chain = [
        ChainAlert(
            a.message_guid,
            a.received_at,
            a.message_rowid,
            a.bank,
            a.account_tail,
            a.instrument,
            a.amount,
            a.direction,
            a.balance,
        )
        for a in kept
    ]
    gaps = find_gaps(chain, MAPPING.lookup)
    assert close_by_statement(GapReport(tuple(gaps), ()), statement, TZ).open == ()
