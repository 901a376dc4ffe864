"""The DuckDB warehouse: short-lived connections that are always closed.

DuckDB allows one read-write process at a time and every other open fails while it is held, so
callers open, do their work and close; Dagster serialises writers through the `warehouse` pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Imported where a connection opens: the code server loads this module only for the pool
    # name, and duckdb costs ~22 MB resident there.
    import duckdb

WAREHOUSE_POOL = "warehouse"


class WarehouseLockedError(RuntimeError):
    """Another process holds the warehouse open for writing."""


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection to the warehouse, closed on exit (WarehouseLockedError if held)."""
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(
            f"warehouse {path} does not exist yet: materialize `sms_messages` first "
            "(homeclerk demo, or the Dagster UI)"
        )
    import duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise WarehouseLockedError(
                f"warehouse {path} is locked by another process; runs that open it must use "
                f"the Dagster pool '{WAREHOUSE_POOL}' (one slot), and no other program may keep "
                "it open"
            ) from exc
        raise
    try:
        yield con
    finally:
        con.close()


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse has this table yet (an asset upstream may never have run)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(found and found[0])
