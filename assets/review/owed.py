"""What each credit card owes at a day's end, as the books say it.

A card's alerts state its available limit, which is not what is owed (a limit is never a
balance). What is owed is the card's `Liabilities:` account in the ledger: the owner's opening
balance plus every charge and payment posted to it. Read from the loaded ledger, so the review's
figure is the books' figure (Fava shows the same).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from assets.books.checks import load_books
from assets.books.entries import CURRENCY
from assets.books.errors import LedgerNotFoundError

LIABILITIES = "Liabilities:"


def card_accounts(account_names: Mapping[tuple[str, str], str]) -> frozenset[str]:
    """The mapped ledger accounts that are cards (under `Liabilities:`)."""
    return frozenset(a for a in account_names.values() if a.startswith(LIABILITIES))


def owed_on(
    entries: Iterable[data.Directive], accounts: Iterable[str], days: Sequence[dt.date]
) -> dict[dt.date, dict[str, Decimal]]:
    """For each day in `days`: each account's rupees owed at that day's end (the liability's
    balance with the sign flipped: a charge raises it, a payment lowers it)."""
    wanted = frozenset(accounts)
    moves: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            units = posting.units
            if posting.account not in wanted or units is None or units.currency != CURRENCY:
                continue
            if units.number is not None:
                moves[posting.account].append((entry.date, Decimal(units.number)))
    out: dict[dt.date, dict[str, Decimal]] = {day: {} for day in days}
    for account, rows in moves.items():
        rows.sort(key=lambda r: r[0])
        dates = [d for d, _ in rows]
        running: list[Decimal] = []
        total = Decimal(0)
        for _, amount in rows:
            total += amount
            running.append(total)
        for day in days:
            n = bisect.bisect_right(dates, day)
            if n:
                out[day][account] = -running[n - 1]
    return out


def read_owed(
    main_file: Path, accounts: Iterable[str], days: Sequence[dt.date]
) -> dict[dt.date, dict[str, Decimal]] | None:
    """`owed_on` over the ledger at `main_file` (one load for a whole backfill); None when there
    is no ledger yet (the books were never built) or no card is mapped."""
    wanted = frozenset(accounts)
    if not wanted:
        return {day: {} for day in days}
    try:
        loaded = load_books(main_file)
    except LedgerNotFoundError:
        return None
    return owed_on(loaded.entries, wanted, days)
