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


class WarehouseBrokenError(RuntimeError):
    """The warehouse file is there but DuckDB cannot read it (truncated, overwritten, damaged)."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        super().__init__(
            f"warehouse {path} is damaged ({reason}): restore it from the newest good snapshot "
            "(`homeclerk doctor` prints the command)"
        )


class DiskFullError(OSError):
    """No space left on the device that holds a file homeclerk writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            28, f"disk full: no space left for {path}; free some space (runs resume by themselves)"
        )


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
        raise _classified(path, exc) from exc
    try:
        yield con
    except duckdb.IOException as exc:
        # A file cut short or overwritten may open and fail at the first block read (another
        # file a query reads or writes keeps its own error).
        if str(path) in str(exc) or "no space left" in str(exc).lower():
            raise _classified(path, exc) from exc
        raise
    finally:
        con.close()


def _classified(path: Path, exc: Exception) -> Exception:
    """DuckDB's IO error as what it means for the owner: locked, disk full, or damaged."""
    message = str(exc)
    if "lock" in message.lower():
        return WarehouseLockedError(
            f"warehouse {path} is locked by another process; runs that open it must use "
            f"the Dagster pool '{WAREHOUSE_POOL}' (one slot), and no other program may keep "
            "it open"
        )
    if "no space left" in message.lower():
        return DiskFullError(path)
    if not path.exists():
        return exc
    reason = message.removeprefix("IO Error: ").split("\n", 1)[0]
    reason = reason.replace(f'The file "{path}" exists, but it', "it")
    return WarehouseBrokenError(path, reason.replace(f' from file "{path}"', ""))


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse has this table yet (an asset upstream may never have run)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(found and found[0])
