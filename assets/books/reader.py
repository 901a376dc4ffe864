"""Warehouse rows → the plain rows the ledger writers take (the only DuckDB code in books)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from assets.books.errors import BooksError
from assets.books.statement_store import Period, StoredLine, read_lines, read_periods
from assets.common.warehouse import connect, has_table
from assets.portfolio.history import holding_from_row
from assets.portfolio.model import Holding, HoldingsSnapshot
from assets.transactions.stored import StoredTransaction, read_stored_transactions


class MissingTableError(BooksError, RuntimeError):
    """The warehouse lacks a table the books are built from."""

    def __init__(self, table: str, asset: str) -> None:
        super().__init__(f"warehouse has no `{table}` table yet: materialize `{asset}` first")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def read_alerts(warehouse_path: Path) -> list[StoredTransaction]:
    """Every parsed transaction alert, in a stable order (by message GUID)."""
    with connect(Path(warehouse_path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        if not has_table(con, "transactions"):
            raise MissingTableError("transactions", "transactions")
        return read_stored_transactions(con)


def read_statement_lines(warehouse_path: Path) -> tuple[list[StoredLine], list[Period]]:
    """Every stored statement line and imported statement period (none before an import)."""
    with connect(Path(warehouse_path), read_only=True) as con:
        return read_lines(con), read_periods(con)


def read_snapshots(warehouse_path: Path) -> list[HoldingsSnapshot]:
    """All stored broker snapshots (the price history), oldest first."""
    with connect(Path(warehouse_path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        if not has_table(con, "broker_holdings_history"):
            raise MissingTableError("broker_holdings_history", "broker_holdings")
        rows = con.execute(
            """
            SELECT fetched_at, source, symbol, exchange, isin, quantity, average_price,
                   last_price, close_price, day_change
            FROM broker_holdings_history
            ORDER BY fetched_at, exchange, symbol
            """
        ).fetchall()
    grouped: dict[tuple[dt.datetime, str], list[Holding]] = defaultdict(list)
    for r in rows:
        grouped[(_aware(r[0]), r[1])].append(holding_from_row(r))
    return [HoldingsSnapshot(at, source, tuple(hs)) for (at, source), hs in sorted(grouped.items())]
