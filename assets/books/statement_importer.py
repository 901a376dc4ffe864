"""beangulp importers for bank statements: one per layout homeclerk reads (HDFC, SBI, Axis,
Kotak, ICICI downloads and the owner's `[[books.statement_formats]]`).

Each importer claims a file only when its layout is the first whose header row the file
holds, so a file has one importer whatever order they are listed in. `extract` turns each
statement line into a Transaction on the account `[books] account_mapping` gives for the
file's bank and account digits, with the line's metadata (statement file, row, reference).

    # import.py next to your ledger
    from assets.books.statement_importer import statement_importers
    from beangulp import Ingest
    importers = statement_importers(account_mapping=[...])
    if __name__ == "__main__":
        Ingest(importers)()
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import beangulp
from beancount.core import data
from beancount.core.amount import Amount

from assets.books.accounts import AccountMapping, counter_account, parse_account_mapping, toml_entry
from assets.books.statements.layouts import Layout
from assets.books.statements.model import StatementError, StatementLine
from assets.books.statements.reader import all_layouts, identify, read_statement

log = logging.getLogger(__name__)


class UnmappedStatementError(ValueError):
    """The statement's account is not in `[books] account_mapping`; `fix` is the TOML to
    append to homeclerk.toml (None when the file names no account number to map)."""

    def __init__(self, message: str, fix: str | None) -> None:
        super().__init__(message)
        self.fix = fix


class StatementImporter(beangulp.Importer):
    """One statement layout → beancount Transactions on the mapped account."""

    def __init__(
        self,
        layout: Layout,
        account_mapping: AccountMapping | Sequence[Mapping[str, str]],
        *,
        layouts: Sequence[Layout] | None = None,
        currency: str = "INR",
    ) -> None:
        self._layout = layout
        self._mapping = (
            account_mapping
            if isinstance(account_mapping, AccountMapping)
            else parse_account_mapping(account_mapping)
        )
        # Every layout in play, in the order files are told apart by.
        self._layouts = tuple(layouts) if layouts is not None else all_layouts((layout,))
        self._currency = currency

    @property
    def name(self) -> str:
        """The importer's name, as beangulp lists it."""
        return f"homeclerk.statement.{self._layout.name}"

    def identify(self, filepath: str) -> bool:
        """Whether this importer's layout is the one the file's header row shows."""
        found = identify(filepath, self._layouts)
        return found is not None and found.name == self._layout.name

    def read(self, filepath: str) -> tuple[list[StatementLine], list[StatementError]]:
        """The file's statement lines and the problems found in its rows."""
        return read_statement(filepath, [self._layout])

    def account(self, filepath: str) -> data.Account:
        """The mapped account of the file's bank and account digits."""
        lines, _ = self.read(filepath)
        tail = lines[0].account_tail if lines else self._layout.account_tail
        return self._account_for(filepath, tail)

    def _account_for(self, filepath: str, tail: str | None) -> str:
        bank = self._layout.bank
        if not tail:
            raise UnmappedStatementError(
                f"{filepath}: the statement names no account number, so its {bank} account "
                "cannot be told; download it with the account details, or describe it in "
                "[[books.statement_formats]] with `tail` (see docs/statements.md)",
                None,
            )
        account = self._mapping.lookup(bank, tail)
        if account is None:
            instrument = "credit_card" if self._layout.card else "account"
            fix = toml_entry(bank, tail, instrument, note="from a statement")
            raise UnmappedStatementError(
                f"{filepath}: {bank} XX{tail} is not in [books] account_mapping; append to "
                f"homeclerk.toml:\n{fix}",
                fix,
            )
        return account

    def date(self, filepath: str) -> dt.date | None:
        """The statement's latest line date."""
        lines, _ = self.read(filepath)
        return max((line.date for line in lines), default=None)

    @staticmethod
    def cmp(entry: data.Directive, other: data.Directive) -> bool:
        """Whether `other` (in the books) is the transaction `entry` (from the statement) is:
        the same amount on the statement's account (the matching rule of books/reconcile.py;
        the window is `deduplicate`'s)."""
        if not isinstance(entry, data.Transaction) or not isinstance(other, data.Transaction):
            return False
        own = entry.postings[0]
        return any(
            p.account == own.account and p.units is not None and p.units == own.units
            for p in other.postings
        )

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Mark the entries the books already hold (an alert's) `__duplicate__`, as Fava's
        Import page shows them: within MATCH_DAYS, as the statement matching does."""
        from beangulp.extract import mark_duplicate_entries

        from assets.books.reconcile import MATCH_DAYS

        mark_duplicate_entries(entries, existing, dt.timedelta(days=MATCH_DAYS), self.cmp)

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        """A Transaction per statement line; each row problem is logged with its file and row
        and the other rows are still extracted."""
        lines, errors = self.read(filepath)
        for error in errors:
            log.warning("%s", error)
        if not lines:
            return []
        account = self._account_for(filepath, lines[0].account_tail)
        return [self._entry(filepath, account, line) for line in lines]

    def _entry(self, filepath: str, account: str, line: StatementLine) -> data.Transaction:
        meta = data.new_metadata(filepath, line.position)
        meta["statement_file"] = Path(filepath).name
        # A Decimal: Beancount writes and reads a number in metadata as one (not an int).
        meta["statement_line"] = Decimal(line.position)
        if line.reference:
            meta["reference"] = line.reference
        if line.value_date and line.value_date != line.date:
            meta["value_date"] = line.value_date
        if line.balance is not None:
            meta["statement_balance"] = Amount(line.balance, self._currency)
        units = Amount(line.amount, self._currency)
        postings = [
            data.Posting(account, units, None, None, None, None),
            data.Posting(counter_account(line.direction, None), -units, None, None, None, None),
        ]
        return data.Transaction(
            meta, line.date, "*", None, line.description, frozenset(), frozenset(), postings
        )


def statement_importers(
    account_mapping: AccountMapping | Sequence[Mapping[str, str]],
    formats: Sequence[Layout] = (),
    *,
    currency: str = "INR",
) -> list[StatementImporter]:
    """An importer per layout: the owner's `[[books.statement_formats]]` first, then the
    built-in ones; each file is claimed by exactly one of them."""
    layouts = all_layouts(formats)
    return [
        StatementImporter(layout, account_mapping, layouts=layouts, currency=currency)
        for layout in layouts
    ]
