"""The review and the expenses feed count a foreign-currency spend the same way: at the rupee
figure its bank stated, or not at all. Both read one real DuckDB warehouse."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from assets.common.warehouse import connect
from assets.expenses.feed import build_expenses_feed
from assets.expenses.reader import read_feed_inputs
from assets.review.compose import spending_section
from assets.review.reader import read_transactions_for
from assets.review.week import parse_iso_week
from assets.transactions.tables import ensure_transactions_table
from tests.review.helpers import IST

WEEK = parse_iso_week("2026-W42")  # Monday 12 – Sunday 18 October 2026
# The feed as of the week's Sunday evening: its "this week" is the review's week.
NOW = dt.datetime.combine(WEEK.end, dt.time(21, 0), IST)
ROWS = (
    # guid, day offset, amount, currency, stated rupee figure
    ("G1", 0, "500.00", "INR", None),
    ("G2", 1, "12.99", "USD", "1083.45"),
    ("G3", 2, "40.00", "EUR", "3612.80"),
    ("G4", 3, "4.00", "USD", None),  # no figure stated: in neither rupee sum
)


def _warehouse(path: Path) -> None:
    with connect(path) as con:
        ensure_transactions_table(con)
        for n, (guid, offset, amount, currency, inr) in enumerate(ROWS, start=1):
            day = WEEK.start + dt.timedelta(days=offset)
            con.execute(
                "INSERT INTO transactions (message_guid, message_rowid, received_at, status,"
                " amount, direction, counterparty, account_tail, channel, txn_date, bank,"
                " instrument, category, kind, currency, payee, inr_amount) VALUES (?, ?, ?,"
                " 'transaction', ?, 'debit', 'NETFLIX.COM', '9541', 'card', ?, 'HDFC',"
                " 'credit_card', 'Entertainment', 'purchase', ?, 'Netflix', ?)",
                [guid, n, dt.datetime.combine(day, dt.time(10), IST), amount, day, currency, inr],
            )


def test_the_week_s_spending_is_the_feed_s_this_week_with_stated_figures(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    _warehouse(path)
    with connect(path, read_only=True) as con:
        inputs = read_feed_inputs(con, WEEK.start - dt.timedelta(days=30))
        reviewed = read_transactions_for(con, [WEEK])
    feed = build_expenses_feed(
        inputs.transactions,
        [],
        now=NOW,
        tz=IST,
        newest_message_at=NOW,
        total_transactions=len(inputs.transactions),
    )
    in_week = [t for t in reviewed if WEEK.start <= t.local_date(IST) <= WEEK.end]
    spending = spending_section(in_week, reviewed, WEEK, IST, None)
    expected = Decimal("500.00") + Decimal("1083.45") + Decimal("3612.80")
    week = feed["periods"]["this_week"]
    assert week["from"] == WEEK.start.isoformat()
    assert Decimal(str(spending["total"])) == Decimal(str(week["spend"])) == expected
    assert spending["count"] == week["count"] == 3
    assert week["stated_by_bank"]["count"] == 2
