"""The statements drop folder (`[statements] inbox`): import each file, then move it into the
books' documents folder, Fava's convention (`documents/<Account/As/Folders>/<date>.<name>`,
dated by the statement's last line) so Fava links it to the account.

A file that cannot be imported stays in the inbox with `<name>.error.txt` beside it (the
reason and the fix); it is tried again once it changes, and it never keeps the next file from
being imported.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from assets.books.accounts import AccountMapping
from assets.books.statement_import import ImportOutcome, StatementImportError, import_statement
from assets.books.statements.layouts import Layout
from assets.books.writer import DOCUMENTS
from assets.common.atomic import write_text_atomic

__all__ = ["DOCUMENTS", "InboxReport", "document_path", "pending_files", "process_inbox"]
ERROR_SUFFIX = ".error.txt"


class InboxReport(NamedTuple):
    """What one pass over the inbox did."""

    imported: tuple[tuple[ImportOutcome, Path], ...]  # each file's outcome and where it went
    failed: tuple[tuple[Path, str], ...]  # each file left in the inbox and why


def _error_file(path: Path) -> Path:
    return path.with_name(path.name + ERROR_SUFFIX)


def pending_files(inbox: Path) -> list[Path]:
    """The files waiting in the inbox: not hidden, not an error note, and not a file whose
    error note is newer than it (tried and refused; changed since, it is tried again)."""
    if not Path(inbox).is_dir():
        return []
    out = []
    for path in sorted(Path(inbox).iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name.endswith(ERROR_SUFFIX):
            continue
        note = _error_file(path)
        if note.exists() and note.stat().st_mtime >= path.stat().st_mtime:
            continue
        out.append(path)
    return out


def document_path(documents: Path, account: str, last: dt.date, name: str) -> Path:
    """Where Fava looks for the account's document: one folder per account component, the
    file name prefixed with the statement's last day."""
    return Path(documents, *account.split(":"), f"{last.isoformat()}.{name}")


def process_inbox(
    inbox: Path,
    documents: Path,
    warehouse: Path,
    mapping: AccountMapping,
    tz: ZoneInfo,
    *,
    now: dt.datetime,
    formats: Sequence[Layout] = (),
) -> InboxReport:
    """Import every pending file of `inbox` (module docstring); one bad file never stops the
    next."""
    imported: list[tuple[ImportOutcome, Path]] = []
    failed: list[tuple[Path, str]] = []
    for path in pending_files(inbox):
        try:
            outcome = import_statement(path, warehouse, mapping, tz, now=now, formats=formats)
        except StatementImportError as exc:
            failed.append((path, str(exc)))
            write_text_atomic(_error_file(path), f"{exc}\n")
            continue
        first = outcome.accounts[0]
        target = document_path(documents, first.account, first.last, path.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)  # the inbox may be on another disk than the books
        _error_file(path).unlink(missing_ok=True)
        imported.append((outcome, target))
    return InboxReport(tuple(imported), tuple(failed))
