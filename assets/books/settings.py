"""`[books]`: the owner's accounts and cards as alerts name them, the broker tolerance, the
owner's own bank statement layouts (`[[books.statement_formats]]`), `[statements] inbox`, the
folder statements are dropped into, and the monthly budgets (`[[budgets]]`, which the books carry
for Fava and the expenses feed and review report on)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assets.common.settings_reader import Section, SettingsReader, SharedPaths

from .accounts import AccountMapping, parse_account_mapping
from .budgets import EXAMPLE as BUDGET_EXAMPLE
from .budgets import Budget, BudgetConfigError, budgets_from_config
from .errors import ACCOUNT_MAPPING_EXAMPLE, InvalidAccountMappingError
from .statements.configured import EXAMPLE as STATEMENT_FORMAT_EXAMPLE
from .statements.configured import StatementFormatError, layout_from_config
from .statements.layouts import BUILTIN_LAYOUTS, Layout


@dataclass(frozen=True)
class BooksSettings:
    """`[books] account_mapping` and `[[books.accounts]]` (one mapping), and how far the
    ledger's value may be from the broker's (prices move between the snapshot and the check)."""

    accounts: AccountMapping = field(default_factory=lambda: AccountMapping(()))
    broker_value_tolerance: float = 0.005
    statement_formats: tuple[Layout, ...] = ()
    # The same, as the tables homeclerk.toml holds (the Dagster resource rebuilds the layouts).
    statement_format_entries: tuple[dict[str, Any], ...] = ()
    # `[statements] inbox`: statements dropped here are imported by the books' sensor.
    statements_inbox: Path | None = None
    # `[[budgets]]`: a monthly amount per Expenses account, written into the books for Fava.
    budgets: tuple[Budget, ...] = ()


def read_books(reader: SettingsReader, shared: SharedPaths) -> BooksSettings:
    """Read `[books]`, each account entry validated by the books' own rules."""
    accounts = _account_mapping(
        reader,
        reader.table_list("books.account_mapping", example=f"[{ACCOUNT_MAPPING_EXAMPLE}]"),
        reader.table_list("books.accounts", example=ACCOUNT_MAPPING_EXAMPLE),
    )
    tolerance = reader.number("books.broker_value_tolerance", 0.005, example="0.005")
    inbox = reader.path(
        "statements.inbox",
        str(shared.books_dir / DEFAULT_INBOX),
        example='"~/homeclerk/statements-inbox"',
    )
    return BooksSettings(
        accounts=accounts,
        broker_value_tolerance=tolerance,
        statement_formats=_statement_formats(reader),
        statement_format_entries=tuple(
            reader.table_list("books.statement_formats", example=STATEMENT_FORMAT_EXAMPLE)
        ),
        statements_inbox=inbox,
        budgets=_budgets(reader),
    )


def _budgets(reader: SettingsReader) -> tuple[Budget, ...]:
    """`[[budgets]]`, each entry checked; a mistake names its own key.

    Whether the ledger opens each account is known only to the books: `ledger_entries` checks.
    """
    entries = reader.table_list("budgets", example=BUDGET_EXAMPLE)
    try:
        return budgets_from_config(entries)
    except BudgetConfigError as exc:
        raise reader.error(exc.key, exc.problem, exc.example) from None


def _statement_formats(reader: SettingsReader) -> tuple[Layout, ...]:
    """Each `[[books.statement_formats]]` entry as a layout; a mistake names its own key."""
    entries = reader.table_list("books.statement_formats", example=STATEMENT_FORMAT_EXAMPLE)
    layouts: list[Layout] = []
    for index, entry in enumerate(entries):
        try:
            layouts.append(layout_from_config(index, entry))
        except StatementFormatError as exc:
            key = f"books.statement_formats[{exc.index}].{exc.key}"
            raise reader.error(key, exc.problem, exc.example) from None
    names = [layout.name for layout in layouts]
    builtin = {layout.name for layout in BUILTIN_LAYOUTS}
    for index, name in enumerate(names):
        if name in names[:index] or name in builtin:
            raise reader.error(
                f"books.statement_formats[{index}].name",
                f"is {name!r}, already the name of another format (built in: "
                f"{', '.join(sorted(builtin))})",
                f'"{name}-2"',
            )
    return tuple(layouts)


def _account_mapping(
    reader: SettingsReader, mapping: list[dict[str, Any]], accounts: list[dict[str, Any]]
) -> AccountMapping:
    """The books' validation of `[books] account_mapping` and `[[books.accounts]]`, reported
    against this file and the entry's own key. Both hold the same entries: `[[books.accounts]]`
    (one table each) is what homeclerk's fixes print, because it appends to any file (an
    inline array cannot be extended by appending)."""
    try:
        return parse_account_mapping([*mapping, *accounts])
    except InvalidAccountMappingError as exc:
        if exc.index < len(mapping):
            key = f"books.account_mapping[{exc.index}]"
        else:
            key = f"books.accounts[{exc.index - len(mapping)}]"
        if exc.field is None:
            raise reader.error(key, f"has a problem: {exc.why}", exc.example) from None
        value = exc.entry.get(exc.field) if isinstance(exc.entry, Mapping) else None
        raise reader.error(f"{key}.{exc.field}", f"is {value!r}: {exc.why}", exc.example) from None


DEFAULT_INBOX = "inbox"  # under the books folder

SECTION = Section("books", read_books)
