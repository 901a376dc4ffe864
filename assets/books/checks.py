"""Checks over the whole ledger: it loads cleanly, and its broker holdings match the broker's."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from beancount import loader
from beancount.core import data

from assets.books.accounts import commodity_name
from assets.books.entries import CURRENCY
from assets.books.errors import LedgerNotFoundError
from assets.books.prices import holding_price
from assets.books.rows import UnmappedAccount
from assets.portfolio.model import Holding

BROKER_ACCOUNT = "Assets:Investments:Broker"


class LedgerError(NamedTuple):
    """One Beancount load error, where it is and what it says."""

    filename: str
    lineno: int
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.lineno}: {self.message}"


class LoadedBooks(NamedTuple):
    """The ledger as Beancount loaded it: entries, errors and options."""

    entries: list[data.Directive]
    errors: tuple[LedgerError, ...]
    options: dict[str, Any]


def load_books(main_file: Path) -> LoadedBooks:
    """Load main.beancount with all includes, plugins and validations, as bean-check does."""
    if not Path(main_file).exists():
        raise LedgerNotFoundError(main_file)
    # The loader builds hundreds of thousands of small acyclic objects; pausing the cyclic
    # collector while it runs saves about a tenth of the load time on large books.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        entries, errors, options = loader.load_file(str(main_file))
    finally:
        if was_enabled:
            gc.enable()
    return LoadedBooks(entries, tuple(_ledger_error(e) for e in errors), options)


def _ledger_error(error: Any) -> LedgerError:
    source = error.source or {}
    message = " ".join(str(error.message).split())
    return LedgerError(str(source.get("filename", "?")), int(source.get("lineno") or 0), message)


def ledger_units(
    entries: Iterable[data.Directive], parent: str = BROKER_ACCOUNT
) -> dict[str, Decimal]:
    """Units per commodity held under `parent` (and its sub-accounts), ignoring the currency."""
    units: dict[str, Decimal] = defaultdict(Decimal)
    prefix = parent + ":"
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            if posting.account != parent and not posting.account.startswith(prefix):
                continue
            amount = posting.units
            if amount is None or amount.number is None or amount.currency == CURRENCY:
                continue
            units[amount.currency] += amount.number
    return {c: n for c, n in units.items() if n != 0}


def latest_prices(entries: Iterable[data.Directive], quote: str = CURRENCY) -> dict[str, Decimal]:
    """The newest price in `quote` of each commodity, by price date."""
    prices: dict[str, tuple[Any, Decimal]] = {}
    for entry in entries:
        if isinstance(entry, data.Price) and entry.amount.currency == quote:
            seen = prices.get(entry.currency)
            if seen is None or entry.date >= seen[0]:
                prices[entry.currency] = (entry.date, entry.amount.number)
    return {c: p for c, (_, p) in prices.items()}


class HoldingDiff(NamedTuple):
    """One instrument on which the ledger and the broker disagree, and how."""

    commodity: str
    ledger_units: Decimal
    broker_units: Decimal
    ledger_value: Decimal | None
    broker_value: Decimal | None
    problem: str


def compare_holdings(
    units: dict[str, Decimal],
    prices: dict[str, Decimal],
    broker: Sequence[Holding],
    tolerance: float,
) -> tuple[HoldingDiff, ...]:
    """Differences between the ledger and the broker: units exactly, value within `tolerance`.

    Ledger value is units × the ledger's latest price; broker value is its quantity × its last
    price. Two paths to one number: a missed purchase, a split not booked or a stale price file
    each show up here.
    """
    broker_units: dict[str, Decimal] = defaultdict(Decimal)
    broker_value: dict[str, Decimal] = defaultdict(Decimal)
    for holding in broker:
        if holding.quantity == 0:
            continue
        name = commodity_name(holding.symbol, holding.exchange, holding.isin)
        broker_units[name] += holding.quantity
        price = holding_price(holding)
        if price is not None:
            broker_value[name] += holding.quantity * price
    diffs: list[HoldingDiff] = []
    for name in sorted(set(units) | set(broker_units)):
        have, want = units.get(name, Decimal(0)), broker_units.get(name, Decimal(0))
        price = prices.get(name)
        value = have * price if price is not None else None
        expected = broker_value.get(name)
        if have != want:
            problem = "units differ"
        elif value is None:
            problem = "no price in the ledger"
        elif expected is not None and abs(value - expected) > Decimal(str(tolerance)) * expected:
            problem = f"value differs by more than {tolerance:.1%}"
        else:
            continue
        diffs.append(HoldingDiff(name, have, want, value, expected, problem))
    return tuple(diffs)


def _cell(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def diff_table(diffs: Sequence[HoldingDiff]) -> str:
    """The differences as a Markdown table (for the check's description)."""
    lines = [
        "| commodity | ledger units | broker units | ledger value | broker value | problem |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for d in diffs:
        lines.append(
            f"| {d.commodity} | {d.ledger_units} | {d.broker_units} | {_cell(d.ledger_value)} "
            f"| {_cell(d.broker_value)} | {d.problem} |"
        )
    return "\n".join(lines)


def unmapped_text(unmapped: Sequence[UnmappedAccount]) -> str:
    """What the owner appends to homeclerk.toml as is: one `[[books.accounts]]` entry per
    unmapped source, each saying what it is for (appending works whatever the file holds)."""
    return "\n\n".join(u.toml_entry for u in unmapped)
