"""Import a statement file into the warehouse, and say per account what it matched, what is new
and what it flags (for `homeclerk import`, the inbox sensor and the demo).

A file is read whole before anything is stored: an unknown file or an account the owner has
not mapped stores nothing and says why; a bad row is reported and the other rows are stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from assets.books.accounts import AccountMapping, toml_entry
from assets.books.errors import BooksError
from assets.books.reconcile import Reconciliation, not_on_statement_line, stored_reconciliation
from assets.books.statement_store import StoredLine, store_lines, stored_lines
from assets.books.statements.layouts import Layout
from assets.books.statements.model import StatementError, StatementLine
from assets.books.statements.reader import all_layouts, read_statement
from assets.common.warehouse import connect


class StatementImportError(BooksError, ValueError):
    """A file that cannot be imported at all; nothing of it was stored. `fix` is TOML to append
    to homeclerk.toml when the account only needs mapping."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.fix = fix


class AccountOutcome(NamedTuple):
    """One account of an imported file: its lines, and what they are to the books."""

    account: str
    first: dt.date
    last: dt.date
    lines: int
    added: int  # stored now
    already: int  # stored by an earlier import (the same file, an overlapping statement)
    matched: int  # the file's lines an SMS transaction confirms
    new: int  # the file's lines no SMS shows: new transactions in the books
    flagged: tuple[str, ...]  # SMS transactions in the period the statement lacks (one line each)


class ImportOutcome(NamedTuple):
    """What importing one file did."""

    file: Path
    layout: str
    accounts: tuple[AccountOutcome, ...]
    row_errors: tuple[StatementError, ...]  # rows not read; the others were stored


def file_digest(path: Path) -> str:
    """The file's SHA-256, which names an import of it."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def lookup_statement_account(
    mapping: AccountMapping, bank: str, tail: str, instrument: str
) -> str | None:
    """The account of a statement's digits: the mapping's entry for them, else the one entry of
    the bank whose shorter tail they end in (ICICI's alerts show 3 digits, "XX703", of the
    account its statement prints in full)."""
    found = mapping.lookup(bank, tail, instrument)
    if found is not None:
        return found
    shorter = {
        ref.account
        for ref in mapping.refs
        if ref.bank.upper() == bank.upper() and ref.tail and len(ref.tail) < 4
        if tail.endswith(ref.tail)
    }
    return shorter.pop() if len(shorter) == 1 else None


def read_for_import(
    path: Path, mapping: AccountMapping, formats: Sequence[Layout] = ()
) -> tuple[str, list[StoredLine], list[StatementError]]:
    """The file's layout name, its lines on the owner's accounts and its row problems; raises
    StatementImportError when no line can be stored."""
    path = Path(path)
    layouts = all_layouts(formats)
    if not path.is_file():
        raise StatementImportError(f"{path}: no such file (give the statement's path)")
    lines, errors = read_statement(path, layouts)
    if not lines:
        problem = "; ".join(str(e) for e in errors) or f"{path}: no transaction lines in it"
        raise StatementImportError(problem)
    used = next(layout for layout in layouts if layout.name == lines[0].layout)
    instrument = "credit_card" if used.card else "account"
    stored: list[StoredLine] = []
    by_tail: dict[str | None, list[StatementLine]] = {}
    for line in lines:
        by_tail.setdefault(line.account_tail, []).append(line)
    for tail, mine in by_tail.items():
        bank = mine[0].bank
        if not tail:
            raise StatementImportError(
                f"{path}: the statement names no account number, so its {bank} account cannot "
                "be told; download it with the account details, or describe it in "
                "[[books.statement_formats]] with `tail` (see docs/statements.md)"
            )
        account = lookup_statement_account(mapping, bank, tail, instrument)
        if account is None:
            fix = toml_entry(bank, tail, instrument, note="from a statement")
            raise StatementImportError(
                f"{path}: {bank} XX{tail} is not in [books] account_mapping; append to "
                f"homeclerk.toml, then import the file again:\n{fix}",
                fix,
            )
        stored += stored_lines(account, mine, path.name)
    return lines[0].layout, stored, errors


def import_statement(
    path: Path,
    warehouse: Path,
    mapping: AccountMapping,
    tz: ZoneInfo,
    *,
    now: dt.datetime,
    formats: Sequence[Layout] = (),
) -> ImportOutcome:
    """Store the file's lines (those already stored are left alone) and reconcile them with the
    SMS transactions; raises StatementImportError (nothing stored) for a file that cannot be."""
    [(outcome, problem)] = import_statements(
        [path], warehouse, mapping, tz, now=now, formats=formats
    )
    if outcome is None:
        raise problem or StatementImportError(f"{path}: not imported")
    return outcome


def import_statements(
    paths: Sequence[Path],
    warehouse: Path,
    mapping: AccountMapping,
    tz: ZoneInfo,
    *,
    now: dt.datetime,
    formats: Sequence[Layout] = (),
) -> list[tuple[ImportOutcome | None, StatementImportError | None]]:
    """`import_statement` for each file, in order, with one warehouse connection and one
    reconciliation for them all: per file its outcome, or the error that refused it (nothing
    of that file stored; the others are)."""
    read: list[tuple[Path, str, list[StoredLine], list[StatementError]] | StatementImportError]
    read = []
    for path in paths:
        try:
            read.append((Path(path), *read_for_import(Path(path), mapping, formats)))
        except StatementImportError as exc:
            read.append(exc)
    added: set[str] = set()
    statement = None
    if any(not isinstance(item, StatementImportError) for item in read):
        with connect(Path(warehouse)) as con:
            con.execute("SET TimeZone = 'UTC'")
            for item in read:
                if isinstance(item, StatementImportError):
                    continue
                path, _layout, lines, _errors = item
                result = store_lines(con, lines, digest=file_digest(path), imported_at=now)
                added |= {line.line_id for line in result.added}
            statement = stored_reconciliation(con, mapping.lookup, tz)
    out: list[tuple[ImportOutcome | None, StatementImportError | None]] = []
    for item in read:
        if isinstance(item, StatementImportError):
            out.append((None, item))
            continue
        assert statement is not None
        path, layout, lines, errors = item
        accounts = tuple(
            _outcome(account, lines, added, statement, tz) for account in _accounts(lines)
        )
        # A line stored by an earlier file of this same call was new to the warehouse once.
        added -= {line.line_id for line in lines}
        out.append((ImportOutcome(path, layout, accounts, tuple(errors)), None))
    return out


def _accounts(lines: Sequence[StoredLine]) -> list[str]:
    return sorted({line.account for line in lines})


def _outcome(
    account: str,
    lines: Sequence[StoredLine],
    added: set[str],
    statement: Reconciliation,
    tz: ZoneInfo,
) -> AccountOutcome:
    mine = [line for line in lines if line.account == account]
    first, last = min(line.date for line in mine), max(line.date for line in mine)
    confirmed = {line.line_id for line in statement.matched.values()}
    new_ids = {line.line_id for line in statement.new}
    flagged = tuple(
        not_on_statement_line(alert, tz)
        for alert in statement.not_on_statement
        if statement.accounts.get(alert.message_guid) == account
        and first <= alert.local_date(tz) <= last
    )
    return AccountOutcome(
        account=account,
        first=first,
        last=last,
        lines=len(mine),
        added=sum(1 for line in mine if line.line_id in added),
        already=sum(1 for line in mine if line.line_id not in added),
        matched=sum(1 for line in mine if line.line_id in confirmed),
        new=sum(1 for line in mine if line.line_id in new_ids),
        flagged=flagged,
    )
