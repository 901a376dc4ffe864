"""Statement lines against SMS-derived transactions (issue 22 §3), a plain function.

Rules (also in docs/statements.md):
- A line and an alert are one transaction when they are on the same ledger account (the
  alert's through the owner's mapping), of the same signed amount, dated within
  MATCH_DAYS of each other. Each line and each alert pairs once.
- Among candidates the pair whose references agree wins (when both show one: the alert's
  reference equal to the line's, or printed in its narration), then the pair whose alert states
  the line's running balance (the same moment of the account), then the nearer date, then the
  earlier line and alert: pairs are taken best first over the whole account, so one alert
  never takes a line an exact pair needs.
- A line no alert pairs with is new: it becomes a `source: statement` transaction.
- An alert dated inside an imported statement's period of its account with no line is
  `not_on_statement` (a misread, or the bank's alert sent twice).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from assets.books.accounts import AccountMapping
from assets.books.statement_store import Period, StoredLine, read_lines, read_periods
from assets.common.warehouse import connect
from assets.transactions.stored import StoredTransaction, read_stored_transactions

if TYPE_CHECKING:
    import duckdb

MATCH_DAYS = 3

# (bank, tail, instrument) → the owner's ledger account, or None when unmapped.
AccountOf = Callable[[str, str | None, str], str | None]


class Reconciliation(NamedTuple):
    """Which alert each matched line confirms, the lines that are new, the alerts flagged."""

    matched: dict[str, StoredLine]  # alert GUID → the line that confirms it
    new: tuple[StoredLine, ...]  # lines no alert pairs with, by account, date and row
    not_on_statement: tuple[StoredTransaction, ...]  # alerts in a period with no line
    accounts: dict[str, str]  # alert GUID → its ledger account (mapped alerts only)


EMPTY_RECONCILIATION = Reconciliation({}, (), (), {})


def signed(alert: StoredTransaction) -> Decimal:
    """The alert's amount from its account's side: negative when money left."""
    return -alert.amount if alert.direction == "debit" else alert.amount


def _references_agree(alert: StoredTransaction, line: StoredLine) -> bool:
    if not alert.reference or not (line.reference or line.description):
        return False
    ref = alert.reference.strip().lower()
    return ref == (line.reference or "").strip().lower() or ref in line.description.lower()


def reconcile(
    lines: Iterable[StoredLine],
    alerts: Iterable[StoredTransaction],
    account_of: AccountOf,
    tz: ZoneInfo,
    periods: Sequence[Period] = (),
) -> Reconciliation:
    """Pair `lines` with `alerts` (rules: module docstring); flag the alerts inside `periods`
    that no line confirms."""
    by_key: dict[tuple[str, Decimal], list[StoredLine]] = defaultdict(list)
    all_lines = sorted(lines, key=lambda item: (item.account, item.date, item.file, item.row))
    for line in all_lines:
        if line.amount:
            by_key[(line.account, line.amount)].append(line)
    accounts: dict[str, str] = {}
    dates: dict[str, dt.date] = {}
    candidates: list[tuple[tuple[int, int, int, dt.date, str, dt.date, str], str, StoredLine]] = []
    ordered = sorted(alerts, key=lambda a: (a.local_date(tz), a.message_guid))
    for alert in ordered:
        account = account_of(alert.bank, alert.account_tail, alert.instrument)
        if account is None or alert.currency != "INR":
            continue
        date = alert.local_date(tz)
        accounts[alert.message_guid], dates[alert.message_guid] = account, date
        for line in by_key.get((account, signed(alert)), ()):
            days = abs((line.date - date).days)
            if days > MATCH_DAYS:
                continue
            rank = (
                0 if _references_agree(alert, line) else 1,
                # The alert's stated balance is the line's running balance: this very line.
                0 if alert.balance is not None and alert.balance == line.balance else 1,
                days,
                line.date,
                line.line_id,
                date,
                alert.message_guid,
            )
            candidates.append((rank, alert.message_guid, line))
    candidates.sort(key=lambda c: c[0])
    matched: dict[str, StoredLine] = {}
    used: set[str] = set()
    for _rank, guid, line in candidates:
        if guid in matched or line.line_id in used:
            continue
        matched[guid] = line
        used.add(line.line_id)
    new = tuple(line for line in all_lines if line.line_id not in used and line.amount)
    covered: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        covered[period.account].append(period)
    flagged = tuple(
        alert
        for alert in ordered
        if alert.message_guid in accounts
        and alert.message_guid not in matched
        and any(
            p.first <= dates[alert.message_guid] <= p.last
            for p in covered.get(accounts[alert.message_guid], ())
        )
    )
    return Reconciliation(matched, new, flagged, accounts)


def stored_reconciliation(
    con: duckdb.DuckDBPyConnection, account_of: AccountOf, tz: ZoneInfo
) -> Reconciliation:
    """`reconcile` over the warehouse's statement lines and the alerts that can pair with them
    (those dated from MATCH_DAYS before the earliest line on); empty before any import."""
    lines = read_lines(con)
    if not lines:
        return EMPTY_RECONCILIATION
    periods = read_periods(con)
    earliest = min([line.date for line in lines] + [p.first for p in periods])
    alerts = read_stored_transactions(con, since=earliest - dt.timedelta(days=MATCH_DAYS))
    return reconcile(lines, alerts, account_of, tz, periods)


def read_reconciliation(warehouse: Path, mapping: AccountMapping, tz: ZoneInfo) -> Reconciliation:
    """`stored_reconciliation` of the warehouse file, opened read-only (empty without one)."""
    if not Path(warehouse).exists():
        return EMPTY_RECONCILIATION
    with connect(Path(warehouse), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        return stored_reconciliation(con, mapping.lookup, tz)


def not_on_statement_line(alert: StoredTransaction, tz: ZoneInfo) -> str:
    """One line naming an alert the statement of its period lacks."""
    tail = f" XX{alert.account_tail}" if alert.account_tail else ""
    who = alert.payee or alert.counterparty or "no payee"
    return (
        f"{alert.direction} of ₹{alert.amount:,.2f} on {alert.local_date(tz).isoformat()} "
        f"({who}, {alert.bank}{tail}, alert {alert.message_guid}) is not on the statement"
    )
