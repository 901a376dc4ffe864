"""The books' Dagster resource: where the books live and how alerts map to accounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource
from pydantic import Field

from assets.books.accounts import AccountMapping, parse_account_mapping
from assets.books.budgets import Budget, as_config, from_resource_config
from assets.books.generate import MAIN_FILE
from assets.books.inbox import DOCUMENTS
from assets.books.statements.configured import layout_from_config
from assets.books.statements.layouts import Layout
from assets.common.settings_reader import SharedSettings
from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone


class BooksResource(HasTimezone, ConfigurableResource):
    """Settings from homeclerk.toml: `paths.books_dir`, `timezone`, `[books]` table."""

    books_dir: str
    # [{bank = "HDFC", tail = "1276", account = "Assets:Bank:HDFC:Savings"}, ...]
    account_mapping: list[dict[str, str]]
    timezone: str = DEFAULT_TIMEZONE
    broker_value_tolerance: float = 0.005  # 0.5 %: prices move between snapshot and check
    # `[statements] inbox` ("" when unset: no inbox) and `[[books.statement_formats]]`.
    statements_inbox: str = ""
    statement_formats: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def inbox(self) -> Path | None:
        """The statements drop folder, or None when there is none."""
        return Path(self.statements_inbox).expanduser() if self.statements_inbox else None

    @property
    def documents(self) -> Path:
        """The books' documents folder (`option "documents"`), where imported files go."""
        return self.folder / DOCUMENTS

    def layouts(self) -> tuple[Layout, ...]:
        """The owner's statement layouts (already checked when the settings were read)."""
        return tuple(layout_from_config(i, e) for i, e in enumerate(self.statement_formats))

    # [[budgets]]: [{account = "Expenses:Food", monthly = "5000.00"}, ...] (amounts as text)
    budgets: list[dict[str, str]] = Field(default_factory=list)
    # The settings file the budgets came from, for the messages that name a budget's key.
    config_source: str = "homeclerk.toml"

    @property
    def folder(self) -> Path:
        """The books folder, with `~` expanded."""
        return Path(self.books_dir).expanduser()

    @property
    def main_file(self) -> Path:
        """The owner's main ledger file in the books folder."""
        return self.folder / MAIN_FILE

    def mapping(self) -> AccountMapping:
        """The parsed `account_mapping` (raises InvalidAccountMappingError)."""
        return parse_account_mapping(self.account_mapping)

    def budget_list(self) -> tuple[Budget, ...]:
        """The `[[budgets]]` entries, in the order of the settings."""
        return from_resource_config(self.budgets)

    def today(self, now: dt.datetime) -> dt.date:
        """The owner's date at the instant `now` (from the `Clock` resource)."""
        return now.astimezone(self.tz).date()


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`books_config`: the books folder, `[books]` and the timezone."""
    books = settings.section("books")
    return {
        "books_config": BooksResource(
            books_dir=str(settings.books_dir),
            account_mapping=books.accounts.as_config(),
            timezone=settings.timezone,
            broker_value_tolerance=books.broker_value_tolerance,
            statements_inbox=str(books.statements_inbox or ""),
            statement_formats=[dict(e) for e in books.statement_format_entries],
            budgets=as_config(books.budgets),
            config_source=str(settings.config_file or "homeclerk.toml"),
        )
    }
