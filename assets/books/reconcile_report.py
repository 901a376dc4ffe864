"""Per account and month: the SMS transactions, the statement's lines and what they are to each
other, the gaps, and the statement's opening and closing balance against the books' (for
`homeclerk reconcile`)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from beancount.core import data

from assets.books.accounts import AccountMapping
from assets.books.gaps import GapReport, read_gaps
from assets.books.handkept import HandKept
from assets.books.reconcile import Reconciliation, stored_reconciliation
from assets.books.statement_store import StoredLine, read_lines
from assets.common.warehouse import connect
from assets.transactions.stored import StoredTransaction, read_stored_transactions


class MonthRow(NamedTuple):
    """One account's month, reconciled."""

    account: str
    month: str  # YYYY-MM
    sms: int
    statement_lines: int
    matched: int
    new_from_statement: int
    not_on_statement: int
    gaps_open: int
    gaps_closed: int
    statement_opening: Decimal | None  # the balance before the month's first line
    statement_closing: Decimal | None  # after its last line
    books_opening: Decimal | None  # the account in the books at the month's start
    books_closing: Decimal | None  # and at its end

    def as_json(self) -> dict[str, Any]:
        """The row as JSON values (amounts as numbers, null when unknown)."""
        return {
            key: (float(value) if isinstance(value, Decimal) else value)
            for key, value in self._asdict().items()
        }


# account → (dates ascending, the account's balance at the end of each date)
Running = dict[str, tuple[list[dt.date], list[Decimal]]]


def running_balances(entries: Iterable[data.Directive], currency: str = "INR") -> Running:
    """Each account's balance in `currency` at the end of every day a posting touches it."""
    moves: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            units = posting.units
            if units is None or units.currency != currency or units.number is None:
                continue
            moves[posting.account][entry.date] += units.number
    out: Running = {}
    for account, days in moves.items():
        dates = sorted(days)
        total, sums = Decimal(0), []
        for day in dates:
            total += days[day]
            sums.append(total)
        out[account] = (dates, sums)
    return out


def balance_on(running: Running, account: str, day: dt.date) -> Decimal | None:
    """The account's balance at the end of `day` (None when the books never touch it)."""
    if account not in running:
        return None
    dates, sums = running[account]
    where = bisect.bisect_right(dates, day)
    return sums[where - 1] if where else Decimal(0)


def _month(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    first = dt.date.fromisoformat(f"{month}-01")
    after = (first + dt.timedelta(days=32)).replace(day=1)
    return first, after - dt.timedelta(days=1)


def month_rows(
    alerts: Sequence[StoredTransaction],
    lines: Sequence[StoredLine],
    statement: Reconciliation,
    gaps: GapReport,
    tz: ZoneInfo,
    running: Running | None = None,
) -> list[MonthRow]:
    """A row per account and month with an SMS transaction or a statement line in it."""
    sms: dict[tuple[str, str], int] = defaultdict(int)
    matched: dict[tuple[str, str], int] = defaultdict(int)
    flagged: dict[tuple[str, str], int] = defaultdict(int)
    flagged_ids = {a.message_guid for a in statement.not_on_statement}
    for alert in alerts:
        account = statement.accounts.get(alert.message_guid)
        if account is None:
            continue
        key = (account, _month(alert.local_date(tz)))
        sms[key] += 1
        if alert.message_guid in statement.matched:
            matched[key] += 1
        if alert.message_guid in flagged_ids:
            flagged[key] += 1
    by_month: dict[tuple[str, str], list[StoredLine]] = defaultdict(list)
    for line in lines:
        by_month[(line.account, _month(line.date))].append(line)
    new: dict[tuple[str, str], int] = defaultdict(int)
    for line in statement.new:
        new[(line.account, _month(line.date))] += 1
    gaps_open: dict[tuple[str, str], int] = defaultdict(int)
    gaps_closed: dict[tuple[str, str], int] = defaultdict(int)
    for gap in gaps.open:
        if gap.ledger_account:
            gaps_open[(gap.ledger_account, _month(gap.end.received_at.astimezone(tz)))] += 1
    for closed in gaps.closed:
        gap = closed.gap
        if gap.ledger_account:
            gaps_closed[(gap.ledger_account, _month(gap.end.received_at.astimezone(tz)))] += 1
    rows = []
    for key in sorted(set(sms) | set(by_month)):
        account, month = key
        mine = sorted(by_month.get(key, []), key=lambda ln: (ln.date, ln.file, ln.row))
        with_balance = [ln for ln in mine if ln.balance is not None]
        opening = closing = None
        if with_balance:
            first_line, last_line = with_balance[0], with_balance[-1]
            assert first_line.balance is not None
            opening, closing = first_line.balance - first_line.amount, last_line.balance
        first, last = _month_bounds(month)
        books_opening = books_closing = None
        if running is not None:
            books_opening = balance_on(running, account, first - dt.timedelta(days=1))
            books_closing = balance_on(running, account, last)
        rows.append(
            MonthRow(
                account=account,
                month=month,
                sms=sms.get(key, 0),
                statement_lines=len(mine),
                matched=matched.get(key, 0),
                new_from_statement=new.get(key, 0),
                not_on_statement=flagged.get(key, 0),
                gaps_open=gaps_open.get(key, 0),
                gaps_closed=gaps_closed.get(key, 0),
                statement_opening=opening,
                statement_closing=closing,
                books_opening=books_opening,
                books_closing=books_closing,
            )
        )
    return rows


def read_month_rows(
    warehouse: Path,
    mapping: AccountMapping,
    tz: ZoneInfo,
    hand: HandKept,
    running: Running | None = None,
) -> list[MonthRow]:
    """`month_rows` over the warehouse, opened read-only."""
    with connect(Path(warehouse), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        alerts = read_stored_transactions(con)
        lines = read_lines(con)
        statement = stored_reconciliation(con, mapping.lookup, tz)
        gaps = read_gaps(con, mapping, tz, hand, statement=statement)
    accounts = dict(statement.accounts)
    for alert in alerts:
        # Alerts before any statement's reach are not reconciled, yet they are the account's.
        account = mapping.lookup(alert.bank, alert.account_tail, alert.instrument)
        if account is not None and alert.currency == "INR":
            accounts.setdefault(alert.message_guid, account)
    return month_rows(alerts, lines, statement._replace(accounts=accounts), gaps, tz, running)
