"""What a review reads from the warehouse: transactions, SMS days, balances, broker, power.

Only stored history, bounded by the week, so a late backfill reads what an on-time run read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from assets.books.gaps import GapReport, StatementFill
from assets.common.warehouse import has_table
from assets.expenses.feed import BalanceRow, newest_per_account
from assets.portfolio.history import HISTORY_COLUMNS, SNAPSHOTS_TABLE, TABLE, holding_from_row
from assets.transactions.balance_chain import Gap
from assets.transactions.plausible import NOT_HELD
from assets.transactions.stored import StoredTransaction, in_rupees, read_stored_transactions

from .compose import HISTORY_WEEKS, TREND_WEEKS, NetWorthPoint, PortfolioHistory, Snapshot
from .figures import BILL_LOOKBACK_DAYS, Bill, Payment, parse_bill
from .power import read_power_week
from .week import Week

if TYPE_CHECKING:
    import duckdb


def read_transactions_for(
    con: duckdb.DuckDBPyConnection, weeks: Sequence[Week]
) -> list[StoredTransaction]:
    """Transactions dated from HISTORY_WEEKS weeks before the first week onwards (one read for
    a whole backfill; each review bounds its own dates)."""
    first = min(w.start for w in weeks)
    since = first - dt.timedelta(weeks=HISTORY_WEEKS)
    # The review's sums are rupees: a spend in another currency counts at the rupee figure its
    # bank stated, as in the expenses feed (stored.in_rupees), and without one not at all.
    return [
        counted
        for t in read_stored_transactions(con, since=since)
        if (counted := in_rupees(t)) is not None
    ]


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
    bills: list[Bill] = []
    payments: list[Payment] = []
    if has_table(con, "transactions"):
        balances = balances_before(con, end)
        since = start - dt.timedelta(days=BILL_LOOKBACK_DAYS)
        bills = read_bills(con, since, end, tz)
        payments = card_payments(con, since, end, tz)
        found = con.execute(
            "SELECT count(*) FROM transactions WHERE status = 'unrecognized' "
            "AND received_at >= ? AND received_at < ?",
            [start, end],
        ).fetchone()
        unrecognized = int(found[0]) if found else 0
    return dict(
        week=week,
        tz=tz,
        # Bounded at both ends: a week's review reads the same rows alone or in a backfill.
        transactions=[
            t
            for t in transactions
            if week.start - dt.timedelta(weeks=HISTORY_WEEKS) <= t.local_date(tz) <= week.end
        ],
        sms_days=sms_days,
        history_began=began,
        balances=balances,
        portfolio=read_portfolio(con, start, end, tz),
        unrecognized=unrecognized,
        power=read_power_week(con, week, tz),
        bills=bills,
        card_payments=payments,
    )


def balances_before(con: duckdb.DuckDBPyConnection, end: dt.datetime) -> list[BalanceRow]:
    """The newest figure each account's (card's) alerts stated before `end` (the feed's query,
    bounded by the week's end)."""
    if not has_table(con, "transactions"):
        return []
    # An amount held as implausible (and its stated balance) waits for the owner's word.
    held = NOT_HELD if has_table(con, "held_amounts") else ""
    return [
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


def read_bills(
    con: duckdb.DuckDBPyConnection, since: dt.datetime, end: dt.datetime, tz: ZoneInfo
) -> list[Bill]:
    """Card statements announced by bank SMS the parser did not take as transactions (ignored
    or unrecognized), received in [since, end)."""
    if not has_table(con, "sms_messages"):
        return []
    rows = con.execute(
        "SELECT t.bank, s.body, t.received_at FROM transactions t"
        " JOIN sms_messages s ON s.guid = t.message_guid"
        " WHERE t.status IN ('ignored', 'unrecognized') AND t.received_at >= ?"
        " AND t.received_at < ? ORDER BY t.received_at, t.message_rowid",
        [since, end],
    ).fetchall()
    # A statement alert is no transaction, so the parser named no bank: the card's own
    # transactions do.
    banks = dict(
        con.execute(
            "SELECT account_tail, any_value(bank) FROM transactions WHERE status = 'transaction'"
            " AND instrument = 'credit_card' AND bank IS NOT NULL GROUP BY account_tail"
        ).fetchall()
    )
    found = []
    for bank, body, at in rows:
        bill = parse_bill(body or "", bank or "", _aware(at).astimezone(tz).date())
        if bill is not None:
            found.append(bill._replace(bank=bill.bank or banks.get(bill.card_tail, "")))
    return found


def card_payments(
    con: duckdb.DuckDBPyConnection, since: dt.datetime, end: dt.datetime, tz: ZoneInfo
) -> list[Payment]:
    """Money into each card (payments, refunds) in [since, end), for the bills it settles."""
    if not has_table(con, "transactions"):
        return []
    return [
        Payment(r[0], r[1], _aware(r[2]).astimezone(tz).date(), Decimal(r[3]))
        for r in con.execute(
            "SELECT bank, account_tail, received_at, amount FROM transactions"
            " WHERE status = 'transaction' AND instrument = 'credit_card'"
            " AND direction = 'credit' AND received_at >= ? AND received_at < ?",
            [since, end],
        ).fetchall()
    ]


def portfolio_value_before(con: duckdb.DuckDBPyConnection, end: dt.datetime) -> Decimal | None:
    """The broker holdings' value at the last snapshot before `end`; None when there is none."""
    if not has_table(con, SNAPSHOTS_TABLE):
        return None
    snapshot = _snapshot_before(con, end)
    if snapshot is None:
        return None
    return sum((h.quantity * h.last_price for h in snapshot.holdings), Decimal(0))


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


class NetWorthReader:
    """Net worth at week ends (bank + portfolio − cards), each week end read once per run: the
    12-week trends of a backfill's weeks overlap."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        tz: ZoneInfo,
        account_names: Mapping[tuple[str, str], str],
        owed: Mapping[dt.date, Mapping[str, Decimal]] | None,
    ) -> None:
        self._con, self._tz, self._names, self._owed = con, tz, account_names, owed
        self._points: dict[dt.date, NetWorthPoint] = {}

    def at(self, week: Week) -> NetWorthPoint:
        """The point at `week`'s end."""
        if week.end not in self._points:
            end = week.bounds(self._tz)[1]
            rows = newest_per_account(balances_before(self._con, end), self._names)
            bank = [r.balance for r in rows if r.instrument != "credit_card"]
            owed = None if self._owed is None else self._owed.get(week.end, {})
            self._points[week.end] = NetWorthPoint(
                week.end,
                sum(bank, Decimal(0)) if bank else None,
                portfolio_value_before(self._con, end),
                None if owed is None else sum(owed.values(), Decimal(0)),
            )
        return self._points[week.end]

    def trend(self, week: Week) -> list[NetWorthPoint]:
        """The points of the TREND_WEEKS weeks ending with `week`, oldest first."""
        return [self.at(week.shifted(-n)) for n in range(TREND_WEEKS - 1, -1, -1)]
