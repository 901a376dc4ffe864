"""The two ledger writers end to end: rows in, files under `<books_dir>/generated/` out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from beancount.core import data

from assets.books.accounts import AccountMapping
from assets.books.budgets import Budget, BudgetBuild, build_budgets, render_fava
from assets.books.entries import LedgerBuild, build_ledger
from assets.books.handkept import read_hand_kept
from assets.books.prices import PriceBuild, build_prices
from assets.books.reconcile import EMPTY_RECONCILIATION, Reconciliation
from assets.books.statement_entries import Describe
from assets.books.writer import (
    BANK,
    PRICES,
    WriteReport,
    generated_dir,
    write_accounts,
    write_fava,
    write_monthly,
)
from assets.portfolio.model import HoldingsSnapshot
from assets.transactions.stored import StoredTransaction

MAIN_FILE = "main.beancount"


class BankBooks(NamedTuple):
    """What write_bank_books built and wrote, and the parse errors in the owner's files."""

    build: LedgerBuild
    report: WriteReport
    owner_errors: tuple[str, ...]  # parse errors in the owner's own files
    budgets: BudgetBuild = BudgetBuild((), ())
    opened: frozenset[str] = frozenset()  # every account the ledger opens (owner's + generated)


class PriceBooks(NamedTuple):
    """What write_price_books built and wrote."""

    build: PriceBuild
    report: WriteReport


def write_bank_books(
    books_dir: Path,
    alerts: Iterable[StoredTransaction],
    mapping: AccountMapping,
    *,
    tz: ZoneInfo,
    today: dt.date,
    statement: Reconciliation = EMPTY_RECONCILIATION,
    describe: Describe | None = None,
    budgets: Sequence[Budget] = (),
) -> BankBooks:
    """Regenerate every bank month from all alerts and the stored statement lines no alert
    confirms (`statement`): the same alerts and lines give the same bytes; and the budgets,
    for the accounts the ledger opens (the owner's files or the generated ones)."""
    books_dir = Path(books_dir)
    hand = read_hand_kept(books_dir / MAIN_FILE, generated_dir(books_dir))
    build = build_ledger(
        alerts, mapping, tz=tz, today=today, hand=hand, statement=statement, describe=describe
    )
    entries = sorted(
        [*build.openings, *build.transactions, *build.balances],
        # Balances are dated the morning after, so within a day they never interleave wrongly.
        key=lambda e: (e.date, type(e).__name__, _identity(e)),
    )
    write_accounts(books_dir, build.opens)
    report = write_monthly(books_dir, BANK, "bank alerts", entries)
    opened_on = {o.account: o.date for o in build.opens} | dict(hand.opened_on)
    budget_build = build_budgets(budgets, opened_on)
    write_fava(books_dir, render_fava(budget_build.entries))
    return BankBooks(build, report, hand.errors, budget_build, frozenset(opened_on))


def _identity(entry: data.Directive) -> str:
    # An alert's GUID, a statement line's id, or a balance's account: stable across runs.
    meta = entry.meta
    found = meta.get("sms_guid") or meta.get("statement_line") or meta.get("opening_from_sms")
    return str(found) if found else str(getattr(entry, "account", ""))


def write_price_books(
    books_dir: Path, snapshots: Iterable[HoldingsSnapshot], *, tz: ZoneInfo
) -> PriceBooks:
    """Daily price entries from the holdings snapshots, written as monthly files."""
    build = build_prices(snapshots, tz)
    report = write_monthly(Path(books_dir), PRICES, "broker prices", build.prices)
    return PriceBooks(build, report)
