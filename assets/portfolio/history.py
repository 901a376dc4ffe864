"""Holdings snapshots in the warehouse: appended per fetch, read back by the feed and the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from assets.common.timezone import DEFAULT_TIMEZONE
from assets.common.warehouse import connect, has_table
from assets.portfolio.model import Holding, HoldingsSnapshot

if TYPE_CHECKING:
    import duckdb

TABLE = "broker_holdings_history"
# One row per fetch, so an accepted empty snapshot ("sold everything") is remembered too.
SNAPSHOTS_TABLE = "broker_snapshots"

# The primary key makes a re-run of the same fetch (same fetched_at) a no-op. Exchange is in the
# key too, so one symbol held on two exchanges cannot silently drop a row.
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    fetched_at TIMESTAMPTZ NOT NULL,
    source VARCHAR NOT NULL,
    symbol VARCHAR NOT NULL,
    exchange VARCHAR NOT NULL,
    isin VARCHAR,
    quantity DECIMAL(18,4) NOT NULL,
    average_price DECIMAL(18,4) NOT NULL,
    last_price DECIMAL(18,4) NOT NULL,
    close_price DECIMAL(18,4),
    day_change DECIMAL(18,4),
    PRIMARY KEY (fetched_at, symbol, exchange)
);
CREATE TABLE IF NOT EXISTS {SNAPSHOTS_TABLE} (
    fetched_at TIMESTAMPTZ PRIMARY KEY,
    source VARCHAR NOT NULL,
    holdings INTEGER NOT NULL
);
"""


def append_snapshot(warehouse_path: Path, snapshot: HoldingsSnapshot) -> int:
    """Store a snapshot; returns how many rows were new (0 when this fetch was stored before)."""
    rows = [
        (
            snapshot.fetched_at,
            snapshot.source,
            h.symbol,
            h.exchange,
            h.isin,
            h.quantity,
            h.average_price,
            h.last_price,
            h.close_price,
            h.day_change,
        )
        for h in snapshot.holdings
    ]
    with connect(Path(warehouse_path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(_CREATE)
        con.execute("BEGIN TRANSACTION")
        before = _count(con)
        con.execute(
            f"INSERT OR IGNORE INTO {SNAPSHOTS_TABLE} VALUES (?, ?, ?)",
            [snapshot.fetched_at, snapshot.source, len(rows)],
        )
        if rows:
            con.executemany(
                f"INSERT OR IGNORE INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        added = _count(con) - before
        con.execute("COMMIT")
        return added


def latest_holdings(warehouse_path: Path) -> HoldingsSnapshot | None:
    """The most recent stored snapshot, or None when nothing was ever fetched."""
    path = Path(warehouse_path)
    if not path.exists():
        return None
    with connect(path, read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        if not has_table(con, SNAPSHOTS_TABLE):
            return None
        latest = con.execute(
            f"SELECT fetched_at, source FROM {SNAPSHOTS_TABLE} ORDER BY fetched_at DESC LIMIT 1"
        ).fetchone()
        if latest is None:
            return None
        rows = con.execute(
            f"""
            SELECT fetched_at, source, symbol, exchange, isin, quantity, average_price,
                   last_price, close_price, day_change
            FROM {TABLE}
            WHERE fetched_at = ?
            ORDER BY exchange = 'MF', symbol
            """,
            [latest[0]],
        ).fetchall()
    holdings = tuple(holding_from_row(r) for r in rows)
    return HoldingsSnapshot(fetched_at=_utc(latest[0]), source=latest[1], holdings=holdings)


def daily_closing_prices(
    warehouse_path: Path, timezone: str = DEFAULT_TIMEZONE
) -> list[tuple[dt.date, str, Decimal]]:
    """(date, symbol, price) from each symbol's last snapshot of each day in `timezone`.

    Zero or missing prices are never returned: a day whose last snapshot had no usable price falls
    back to that day's latest usable one, or is left out.
    """
    path = Path(warehouse_path)
    if not path.exists():
        return []
    with connect(path, read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        if not has_table(con, TABLE):
            return []
        rows = con.execute(
            f"""
            SELECT day, symbol, last_price FROM (
                SELECT CAST(timezone(?, fetched_at) AS DATE) AS day, symbol, last_price,
                       row_number() OVER (
                           PARTITION BY CAST(timezone(?, fetched_at) AS DATE), symbol
                           ORDER BY fetched_at DESC
                       ) AS newest
                FROM {TABLE}
                WHERE last_price IS NOT NULL AND last_price > 0
            )
            WHERE newest = 1
            ORDER BY day, symbol
            """,
            [timezone, timezone],
        ).fetchall()
    return [(day, symbol, _trim(price)) for day, symbol, price in rows]


def _count(con: duckdb.DuckDBPyConnection) -> int:
    found = con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()
    return int(found[0]) if found else 0


# The columns holding_from_row expects, in this order, for any query on the history table.
HISTORY_COLUMNS = (
    "fetched_at, source, symbol, exchange, isin, quantity, average_price, last_price, "
    "close_price, day_change"
)


def holding_from_row(r: tuple) -> Holding:  # type: ignore[type-arg]
    """A Holding from a history row selected as HISTORY_COLUMNS."""
    return Holding(
        symbol=r[2],
        exchange=r[3],
        isin=r[4],
        quantity=_trim(r[5]),
        average_price=_trim(r[6]),
        last_price=_trim(r[7]),
        close_price=None if r[8] is None else _trim(r[8]),
        day_change=None if r[9] is None else _trim(r[9]),
    )


def _trim(value: Decimal) -> Decimal:
    # DECIMAL(18,4) returns 2 as 2.0000; drop the padding so values compare and print naturally.
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)
