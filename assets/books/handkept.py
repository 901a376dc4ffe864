"""What the owner keeps by hand: accounts already opened and entries already keyed in.

Only the owner's files are read (main.beancount and its includes, minus the generated folder),
parsed without booking: fast even when the generated books are large, and independent of
whether the generated files currently load cleanly.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from beancount.core import data
from beancount.core.amount import Amount
from beancount.parser import parser

# The metadata key of an entry the owner keeps for a balance-chain gap (books/gaps.py).
GAP_META = "balance_gap"


class HandPosting(NamedTuple):
    """One posting the owner typed, reduced to what duplicate detection compares."""

    date: dt.date
    account: str
    amount: Decimal  # signed, in the posting's currency
    currency: str
    bank_ref: str | None
    sms_guid: str | None
    # The entry says it explains a balance-chain gap (`balance_gap` metadata, as homeclerk
    # prints it): never taken for an alert's copy (books/gaps.py).
    explains_gap: bool = False


class HandKept(NamedTuple):
    """What the owner keeps by hand, which the generated books must not repeat."""

    opened: frozenset[str]  # accounts the owner's files open (never opened again by us)
    postings: tuple[HandPosting, ...]
    sms_guids: frozenset[str]  # generated entries the owner moved into their own files
    errors: tuple[str, ...]  # parse errors in the owner's files, reported, not fatal here
    # account → the currencies its open directive allows, for the accounts opened with a list
    currencies: Mapping[str, frozenset[str]] = MappingProxyType({})
    # account → the date the owner's files open it (nothing may post to it before)
    opened_on: Mapping[str, dt.date] = MappingProxyType({})


EMPTY_HAND_KEPT = HandKept(frozenset(), (), frozenset(), ())


def owner_files(main_file: Path, generated_dir: Path) -> list[Path]:
    """main.beancount and every file it includes (globs too), except generated ones."""
    generated = generated_dir.resolve()
    seen: list[Path] = []
    stack = [main_file.resolve()]
    while stack:
        path = stack.pop(0)
        if path in seen or not path.exists() or path.is_relative_to(generated):
            continue
        seen.append(path)
        _entries, _errors, options = parser.parse_file(str(path))
        for pattern in options["include"]:
            full = pattern if os.path.isabs(pattern) else os.path.join(path.parent, pattern)
            stack.extend(Path(p).resolve() for p in sorted(glob.glob(full, recursive=True)))
    return seen


def read_hand_kept(main_file: Path, generated_dir: Path) -> HandKept:
    """HandKept from the owner's files (not the generated ones); empty without a ledger."""
    if not main_file.exists():
        return EMPTY_HAND_KEPT
    entries: list[data.Directive] = []
    errors: list[str] = []
    for path in owner_files(main_file, generated_dir):
        file_entries, file_errors, _options = parser.parse_file(str(path))
        entries.extend(file_entries)
        errors.extend(
            f"{e.source['filename']}:{e.source['lineno']}: {e.message}" for e in file_errors
        )
    return hand_kept_from_entries(entries, errors)


def hand_kept_from_entries(
    entries: Iterable[data.Directive], errors: Iterable[str] = ()
) -> HandKept:
    """HandKept from already parsed entries (and their parse errors)."""
    opened: set[str] = set()
    opened_on: dict[str, dt.date] = {}
    currencies: dict[str, frozenset[str]] = {}
    postings: list[HandPosting] = []
    guids: set[str] = set()
    for entry in entries:
        if isinstance(entry, data.Open):
            opened.add(entry.account)
            opened_on[entry.account] = min(entry.date, opened_on.get(entry.account, entry.date))
            if entry.currencies:
                currencies[entry.account] = frozenset(entry.currencies)
        elif isinstance(entry, data.Transaction):
            guid = entry.meta.get("sms_guid")
            if isinstance(guid, str):
                guids.add(guid)
            ref = entry.meta.get("bank_ref")
            explains_gap = GAP_META in entry.meta
            for account, amount, currency in _resolved_postings(entry):
                postings.append(
                    HandPosting(
                        entry.date,
                        account,
                        amount,
                        currency,
                        str(ref) if ref is not None else None,
                        guid if isinstance(guid, str) else None,
                        explains_gap,
                    )
                )
    return HandKept(
        frozenset(opened),
        tuple(postings),
        frozenset(guids),
        tuple(errors),
        MappingProxyType(currencies),
        MappingProxyType(opened_on),
    )


def _resolved_postings(entry: data.Transaction) -> list[tuple[str, Decimal, str]]:
    """Postings with numbers; a single elided amount is the negated sum of the others."""
    known: list[tuple[str, Decimal, str]] = []
    missing: list[str] = []
    currencies: set[str] = set()
    for posting in entry.postings:
        units = posting.units
        if posting.cost is not None:
            continue  # an investment lot, not a money movement an alert would show
        # The parser leaves an elided amount as a MISSING sentinel (or None), not an Amount.
        if not isinstance(units, Amount) or not isinstance(units.number, Decimal):
            missing.append(posting.account)
            continue
        known.append((posting.account, units.number, units.currency))
        currencies.add(units.currency)
    if len(missing) == 1 and len(currencies) == 1:
        currency = next(iter(currencies))
        known.append((missing[0], -sum((n for _, n, _ in known), Decimal(0)), currency))
    return known
