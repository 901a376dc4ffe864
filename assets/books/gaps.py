"""Balance-chain gaps against the books: which the owner's hand-kept entries or the bank's
statement lines already explain.

A gap (assets/transactions/balance_chain.py) closes when an entry in the owner's own ledger
files explains it: a posting on the gap's ledger account, in rupees, of the gap's signed amount
(negative when money left), dated from the day of the alert before the gap to the day of the
alert after it. Each posting explains one gap at most. It closes too when statement lines no
alert confirms explain it: on the gap's account, every such line dated strictly between the two
alerts' days and any of those dated on those days add up to the gap's signed amount. Each line
explains one gap at most. Nothing is generated to close a gap.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from assets.books.accounts import AccountMapping
from assets.books.generate import MAIN_FILE
from assets.books.handkept import (
    EMPTY_HAND_KEPT,
    GAP_META,
    HandKept,
    HandPosting,
    read_hand_kept,
)
from assets.books.reconcile import Reconciliation, stored_reconciliation
from assets.books.statement_store import StoredLine
from assets.books.writer import generated_dir
from assets.common.warehouse import connect
from assets.transactions.balance_chain import LEFT, Gap
from assets.transactions.stored_chain import stored_gaps

if TYPE_CHECKING:
    import duckdb


class StatementFill(NamedTuple):
    """The statement lines that explain a gap, and the day of the last of them."""

    date: dt.date
    lines: tuple[StoredLine, ...]


class ClosedGap(NamedTuple):
    """A gap and the owner's entry (or the statement's lines) that explain it."""

    gap: Gap
    entry: HandPosting | StatementFill


class GapReport(NamedTuple):
    """The gaps still open (most recent first) and those the owner's entries explain."""

    open: tuple[Gap, ...]
    closed: tuple[ClosedGap, ...]


def close_by_hand(gaps: Iterable[Gap], hand: HandKept, tz: ZoneInfo) -> GapReport:
    """Split `gaps` into open ones and ones an owner's posting explains (see the module)."""
    unused = [
        p
        for p in hand.postings
        if p.currency == "INR" and p.sms_guid is None  # a moved alert entry is not new money
    ]
    still_open: list[Gap] = []
    closed: list[ClosedGap] = []
    for gap in sorted(gaps, key=lambda g: (g.end.received_at, g.end.message_guid)):
        first = gap.start.received_at.astimezone(tz).date()
        last = gap.end.received_at.astimezone(tz).date()
        entry = next(
            (
                p
                for p in unused
                if gap.ledger_account is not None
                and p.account == gap.ledger_account
                and p.amount == gap.signed
                and first <= p.date <= last
            ),
            None,
        )
        if entry is None:
            still_open.append(gap)
        else:
            unused.remove(entry)
            closed.append(ClosedGap(gap, entry))
    return GapReport(tuple(reversed(still_open)), tuple(reversed(closed)))


# A gap's boundary days hold at most this many candidate lines (2**n subsets are tried).
MAX_BOUNDARY_LINES = 12


def close_by_statement(report: GapReport, statement: Reconciliation, tz: ZoneInfo) -> GapReport:
    """`report` with the open gaps that statement lines no alert confirms explain moved to
    closed (rules: the module docstring)."""
    unused = {line.line_id: line for line in statement.new}
    by_file: dict[str, list[StoredLine]] = {}
    for line in (*statement.new, *statement.matched.values()):
        by_file.setdefault(line.file, []).append(line)
    for lines in by_file.values():
        lines.sort(key=lambda ln: ln.row)
    still_open: list[Gap] = []
    closed = list(report.closed)
    for gap in sorted(report.open, key=lambda g: (g.end.received_at, g.end.message_guid)):
        lines = _between(gap, statement, by_file, unused) or _explaining(
            gap, list(unused.values()), tz
        )
        if lines is None:
            still_open.append(gap)
            continue
        for line in lines:
            del unused[line.line_id]
        closed.append(ClosedGap(gap, StatementFill(max(ln.date for ln in lines), lines)))
    closed.sort(key=lambda c: (c.gap.end.received_at, c.gap.end.message_guid), reverse=True)
    return GapReport(tuple(reversed(still_open)), tuple(closed))


def _between(
    gap: Gap,
    statement: Reconciliation,
    by_file: dict[str, list[StoredLine]],
    unused: dict[str, StoredLine],
) -> tuple[StoredLine, ...] | None:
    """The lines printed between the two alerts' own lines (when one file shows both), if
    they are all new and add up to the gap: the statement's order places them exactly."""
    start = statement.matched.get(gap.start.message_guid)
    end = statement.matched.get(gap.end.message_guid)
    if start is None or end is None or start.file != end.file or start.row >= end.row:
        return None
    confirmed = {ln.line_id for ln in statement.matched.values()}
    # The lines between that an alert confirms are in the chain's sums already.
    inside = tuple(
        ln
        for ln in by_file[start.file]
        if start.row < ln.row < end.row and ln.line_id not in confirmed
    )
    if not inside or any(ln.line_id not in unused for ln in inside):
        return None
    if sum((ln.amount for ln in inside), Decimal(0)) != gap.signed:
        return None
    return inside


def _explaining(gap: Gap, lines: list[StoredLine], tz: ZoneInfo) -> tuple[StoredLine, ...] | None:
    if gap.ledger_account is None:
        return None
    first = gap.start.received_at.astimezone(tz).date()
    last = gap.end.received_at.astimezone(tz).date()
    mine = [ln for ln in lines if ln.account == gap.ledger_account and first <= ln.date <= last]
    inside = [ln for ln in mine if first < ln.date < last]
    edges = [ln for ln in mine if ln.date in (first, last)]
    if len(edges) > MAX_BOUNDARY_LINES:
        return None
    need = gap.signed - sum((ln.amount for ln in inside), Decimal(0))
    for size in range(len(edges) + 1):  # the fewest boundary lines that make it add up
        for chosen in itertools.combinations(edges, size):
            if sum((ln.amount for ln in chosen), Decimal(0)) == need:
                found = (*inside, *chosen)
                return found or None
    return None


def read_gaps(
    con: duckdb.DuckDBPyConnection,
    mapping: AccountMapping,
    tz: ZoneInfo,
    hand: HandKept = EMPTY_HAND_KEPT,
    *,
    before: dt.datetime | None = None,
    statement: Reconciliation | None = None,
) -> GapReport:
    """Every account's gaps from the stored transactions (received before `before` when
    given), the owner's `mapping` naming their ledger accounts, split by `hand` and by the
    stored statement lines no alert confirms (`statement`, read here when not given)."""
    report = close_by_hand(stored_gaps(con, mapping.lookup, before=before), hand, tz)
    if not report.open:
        return report
    if statement is None:
        statement = stored_reconciliation(con, mapping.lookup, tz)
    return close_by_statement(report, statement, tz) if statement.new else report


def balance_gaps(
    warehouse: Path, books_dir: Path, mapping: AccountMapping, tz: ZoneInfo
) -> GapReport:
    """The gaps in the stored alerts, split by the owner's ledger files in `books_dir`
    (read-only; no gaps without a warehouse)."""
    if not Path(warehouse).exists():
        return GapReport((), ())
    with connect(Path(warehouse), read_only=True) as con:
        return read_gaps(con, mapping, tz, owner_entries(books_dir))


def owner_entries(books_dir: Path) -> HandKept:
    """What the owner keeps by hand in `books_dir` (empty without a main ledger file)."""
    return read_hand_kept(Path(books_dir) / MAIN_FILE, generated_dir(Path(books_dir)))


def _when(at: dt.datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def rupees(amount: Decimal) -> str:
    """`₹2,340`, or `₹2,340.50` when there are paise."""
    whole = amount == amount.to_integral_value()
    return f"₹{amount:,.0f}" if whole else f"₹{amount:,.2f}"


_LIMIT = {"available_limit": "by its available limit"}


def gap_line(gap: Gap, tz: ZoneInfo) -> str:
    """One line naming the gap: amount, way, account, the two alerts (time and GUID)."""
    notes = ", ".join(n for n in (gap.ledger_account, _LIMIT.get(gap.figure)) if n)
    way = "left" if gap.direction == LEFT else "arrived in"
    held = (
        f"; an amount held as implausible lies between ({', '.join(gap.held)}): confirm it if "
        "it is real"
        if gap.held
        else ""
    )
    return (
        f"{rupees(gap.amount)} {way} {gap.label}{f' ({notes})' if notes else ''}"
        " with no alert, between "
        f"{_when(gap.start.received_at, tz)} ({gap.start.message_guid}) and "
        f"{_when(gap.end.received_at, tz)} ({gap.end.message_guid}){held}"
    )


def gap_entry(gap: Gap, tz: ZoneInfo) -> str | None:
    """A Beancount entry that, kept in the owner's files, explains the gap (None when the
    account is not mapped: the gap has no ledger account to post to). Dated the day of the
    alert that ends the gap; the counter-account is the uncategorized one, to be refined. Its
    `balance_gap` metadata (the two alerts) keeps the books from taking it for a copy of an
    alert of the same amount nearby."""
    if gap.ledger_account is None:
        return None
    day = gap.end.received_at.astimezone(tz).date()
    counter = "Expenses:Uncategorized" if gap.direction == LEFT else "Income:Uncategorized"
    return (
        f'{day.isoformat()} ! "No alert" "balance-chain gap in {gap.label}"\n'
        f'  {GAP_META}: "{gap.start.message_guid} {gap.end.message_guid}"\n'
        f"  {gap.ledger_account}  {gap.signed:.2f} INR\n"
        f"  {counter}"
    )
