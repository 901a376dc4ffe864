"""Where the weekly partitions start: the week of the first stored data, not a fixed year.

The start is fixed when the definitions are built (Dagster's partitions are static), from a
one-line file in the reviews folder (`first-week`, the Monday), so a code server's start does not
open the warehouse each time. Without the file, the warehouse is asked once (its oldest bank SMS
or broker snapshot) and the file written; with no data stored yet, only the week in progress
exists. Each review run compares the file with the warehouse and rewrites it when older history
arrived (an import) or the history now starts later (a restore); the new start applies from the
next load of the definitions (a restart of the service, or Reload in the UI).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from assets.common.atomic import write_text_atomic
from assets.common.warehouse import (
    WarehouseBrokenError,
    WarehouseLockedError,
    connect,
    has_table,
)
from assets.portfolio.history import SNAPSHOTS_TABLE

from .week import Week, week_containing, week_of_key

if TYPE_CHECKING:
    import duckdb

MARKER = "first-week"


def first_data_week(con: duckdb.DuckDBPyConnection, tz: ZoneInfo) -> Week | None:
    """The week of the oldest stored bank SMS or broker snapshot; None when nothing is stored."""
    found = []
    for table, column in (("sms_messages", "received_at"), (SNAPSHOTS_TABLE, "fetched_at")):
        if has_table(con, table):
            row = con.execute(f"SELECT min({column}) FROM {table}").fetchone()
            if row and row[0] is not None:
                at = row[0] if row[0].tzinfo else row[0].replace(tzinfo=dt.UTC)
                found.append(at.astimezone(tz).date())
    return week_containing(min(found)) if found else None


def read_marker(folder: Path) -> Week | None:
    """The start the marker file holds; None when it is missing or not a Monday's date."""
    try:
        return week_of_key(Path(folder, MARKER).read_text("utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None


def write_marker(folder: Path, week: Week, mode: int | None = None) -> bool:
    """Record `week` as the partitions' start; True when the file changed."""
    if read_marker(folder) == week:
        return False
    Path(folder).mkdir(parents=True, exist_ok=True)
    write_text_atomic(Path(folder, MARKER), week.key + "\n", mode=mode)
    return True


def partitions_start(
    folder: Path, warehouse: Path, tz: ZoneInfo, now: dt.datetime, mode: int | None = None
) -> Week:
    """The first weekly partition: the marker's week, else the first data week (recorded), else
    the week in progress at `now` (nothing stored yet, or the warehouse busy or damaged: the
    next load tries again)."""
    marked = read_marker(folder)
    if marked is not None:
        return marked
    current = week_containing(now.astimezone(tz).date())
    if not Path(warehouse).exists():
        return current
    try:
        with connect(Path(warehouse), read_only=True) as con:
            con.execute("SET TimeZone = 'UTC'")
            first = first_data_week(con, tz)
    except (WarehouseLockedError, WarehouseBrokenError):
        return current
    if first is None:
        return current
    write_marker(folder, first, mode=mode)
    return min(first, current)
