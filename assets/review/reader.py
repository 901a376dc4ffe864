"""What a review reads from the warehouse: transactions, SMS days, balances, broker, power.

Only stored history, bounded by the week, so a late backfill reads what an on-time run read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assets.books.gaps import GapReport, StatementFill
from assets.common.warehouse import has_table
from assets.expenses.feed import BalanceRow
from assets.portfolio.history import HISTORY_COLUMNS, SNAPSHOTS_TABLE, TABLE, holding_from_row
from assets.transactions.balance_chain import Gap
from assets.transactions.plausible import NOT_HELD
from assets.transactions.stored import StoredTransaction, read_stored_transactions

from .compose import AVERAGE_WEEKS, PortfolioHistory, Snapshot
from .power import read_power_week
from .week import Week

if TYPE_CHECKING:
    import duckdb


def read_transactions_for(
    con: duckdb.DuckDBPyConnection, weeks: Sequence[Week]
) -> list[StoredTransaction]:
    """Transactions dated from AVERAGE_WEEKS weeks before the first week onwards (one read for
    a whole backfill; each review keeps its own dates)."""
    first = min(w.start for w in weeks)
    since = first - dt.timedelta(weeks=AVERAGE_WEEKS)
    # The review's sums are rupees: a spend in another currency is never added to them.
    return [t for t in read_stored_transactions(con, since=since) if t.currency == "INR"]


def read_week(
    con: duckdb.DuckDBPyConnection,
    week: Week,
    tz: ZoneInfo,
    transactions: Sequence[StoredTransaction],
) -> dict[str, Any]:
    """The warehouse's part of one week's inputs (ReviewInputs fields, plus `unrecognized`)."""
    con.execute("SET TimeZone = 'UTC'")
    start, end = week.bounds(tz)
    sms_days: frozenset[dt.date] = frozenset()
    began = None
    unrecognized = 0
    if has_table(con, "sms_messages"):
        rows = con.execute(
            "SELECT received_at FROM sms_messages WHERE received_at >= ? AND received_at < ?",
            [start, end],
        ).fetchall()
        sms_days = frozenset(_aware(r[0]).astimezone(tz).date() for r in rows)
        first = con.execute("SELECT min(received_at) FROM sms_messages").fetchone()
        began = _aware(first[0]).astimezone(tz).date() if first and first[0] else None
    balances: list[BalanceRow] = []
    if has_table(con, "transactions"):
        # An amount held as implausible (and its stated balance) waits for the owner's word.
        held = NOT_HELD if has_table(con, "held_amounts") else ""
        balances = [
            BalanceRow(
                bank=r[0],
                account_tail=r[1],
                instrument=r[2],
                balance=Decimal(r[3]),
                received_at=_aware(r[4]),
            )
            for r in con.execute(
                f"""
                SELECT bank, account_tail, instrument, balance, received_at
                FROM transactions
                WHERE status = 'transaction' AND balance IS NOT NULL AND received_at < ? {held}
                QUALIFY row_number() OVER (
                    PARTITION BY bank, account_tail, instrument
                    ORDER BY received_at DESC, message_rowid DESC) = 1
                ORDER BY bank, account_tail
                """,
                [end],
            ).fetchall()
        ]
        found = con.execute(
            "SELECT count(*) FROM transactions WHERE status = 'unrecognized' "
            "AND received_at >= ? AND received_at < ?",
            [start, end],
        ).fetchone()
        unrecognized = int(found[0]) if found else 0
    return dict(
        week=week,
        tz=tz,
        transactions=[t for t in transactions if t.local_date(tz) <= week.end],
        sms_days=sms_days,
        history_began=began,
        balances=balances,
        portfolio=read_portfolio(con, start, end, tz),
        unrecognized=unrecognized,
        power=read_power_week(con, week, tz),
    )


def gaps_in_week(
    report: GapReport, week: Week, tz: ZoneInfo
) -> list[tuple[Gap, dt.date | None, str | None]]:
    """The gaps whose closing alert arrived during `week`, each with the date of the owner's
    entry or the statement's line that explains it (None: open), and which of the two."""
    start, end = week.bounds(tz)
    found: list[tuple[Gap, dt.date | None, str | None]] = [(g, None, None) for g in report.open]
    found += [
        (c.gap, c.entry.date, "statement" if isinstance(c.entry, StatementFill) else "entry")
        for c in report.closed
    ]
    return [item for item in found if start <= item[0].end.received_at < end]


def read_portfolio(
    con: duckdb.DuckDBPyConnection, start: dt.datetime, end: dt.datetime, tz: ZoneInfo
) -> PortfolioHistory:
    """The last snapshot before `start`, the last before `end`, and when the history began."""
    if not has_table(con, SNAPSHOTS_TABLE):
        return PortfolioHistory(None, None, None)
    first = con.execute(f"SELECT min(fetched_at) FROM {SNAPSHOTS_TABLE}").fetchone()
    if not first or first[0] is None:
        return PortfolioHistory(None, None, None)
    began = _aware(first[0]).astimezone(tz).date()
    return PortfolioHistory(began, _snapshot_before(con, start), _snapshot_before(con, end))


def _snapshot_before(con: duckdb.DuckDBPyConnection, bound: dt.datetime) -> Snapshot | None:
    found = con.execute(
        f"SELECT max(fetched_at) FROM {SNAPSHOTS_TABLE} WHERE fetched_at < ?", [bound]
    ).fetchone()
    if not found or found[0] is None:
        return None
    rows = con.execute(
        f"SELECT {HISTORY_COLUMNS} FROM {TABLE} WHERE fetched_at = ? ORDER BY exchange, symbol",
        [found[0]],
    ).fetchall()
    return Snapshot(_aware(found[0]), tuple(holding_from_row(r) for r in rows))


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
