"""Warehouse rows → the plain rows the ledger writers take (the only DuckDB code in books)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from assets.books.rows import AlertRow
from assets.common.warehouse import connect, has_table
from assets.portfolio.history import holding_from_row
from assets.portfolio.model import Holding, HoldingsSnapshot


class MissingTableError(RuntimeError):
    """The warehouse lacks a table the books are built from."""

    def __init__(self, table: str, asset: str) -> None:
        super().__init__(f"warehouse has no `{table}` table yet: materialize `{asset}` first")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def read_alerts(warehouse_path: Path) -> list[AlertRow]:
    """Every parsed transaction alert, in a stable order."""
    with connect(Path(warehouse_path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        if not has_table(con, "transactions"):
            raise MissingTableError("transactions", "transactions")
        rows = con.execute(
            """
            SELECT message_guid, received_at, amount, direction, counterparty, account_tail,
                   balance, reference, channel, txn_date, bank, instrument, category,
                   coalesce(message_rowid, 0)
            FROM transactions
            WHERE status = 'transaction' AND amount IS NOT NULL AND direction IS NOT NULL
            ORDER BY message_guid
            """
        ).fetchall()
    return [
        AlertRow(
            message_guid=r[0],
            received_at=_aware(r[1]),
            amount=Decimal(r[2]),
            direction=r[3],
            counterparty=r[4],
            account_tail=r[5],
            balance=None if r[6] is None else Decimal(r[6]),
            reference=r[7],
            channel=r[8] or "other",
            txn_date=r[9],
            bank=r[10] or "",
            instrument=r[11] or "account",
            category=r[12],
            message_rowid=int(r[13]),
        )
        for r in rows
    ]


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
