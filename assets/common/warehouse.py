"""The DuckDB warehouse: short-lived connections that are always closed.

DuckDB allows one read-write process at a time and every other open fails while it is held, so
callers open, do their work and close; Dagster serialises writers through the `warehouse` pool.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

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

    def __init__(self, path: Path | None) -> None:
        self.path = path
        where = f"for {path}" if path is not None else "on the device"
        super().__init__(
            28, f"disk full: no space left {where}; free some space (runs resume by themselves)"
        )

    def __str__(self) -> str:
        return str(self.strerror)  # the plain line, without OSError's "[Errno 28]"


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
    except duckdb.Error as exc:
        # A full disk surfaces as whatever failed last ("cannot rollback - no transaction is
        # active"), the real cause in its context: said plainly.
        if disk_full(exc):
            raise DiskFullError(path) from exc
        # A file cut short or overwritten may open and fail at the first block read (another
        # file a query reads or writes keeps its own error).
        if isinstance(exc, duckdb.IOException) and str(path) in str(exc):
            raise _classified(path, exc) from exc
        raise
    finally:
        con.close()


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it was raised from or while handling (each once)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        one = todo.pop()
        if one is None or any(one is s for s in seen):
            continue
        seen.append(one)
        todo += [one.__cause__, one.__context__]
    return seen


def disk_full(exc: BaseException) -> bool:
    """Whether "no space left on device" is anywhere in `exc`'s chain (as an errno or in the
    text: DuckDB says it in an IOException's message)."""
    for one in _chain(exc):
        if isinstance(one, OSError) and one.errno == errno.ENOSPC:
            return True
        if "no space left on device" in str(one).lower():
            return True
    return False


def store_fault(exc: BaseException) -> WarehouseBrokenError | DiskFullError | None:
    """The broken store behind `exc` (the warehouse damaged, or a full disk), if there is one:
    a step that failed on it failed on the store, not on its own input."""
    chain = _chain(exc)
    for one in chain:
        if isinstance(one, WarehouseBrokenError | DiskFullError):
            return one
    if disk_full(exc):
        named = (Path(o.filename) for o in chain if isinstance(o, OSError) and o.filename)
        return DiskFullError(next(named, None))
    return None


def _classified(path: Path, exc: Exception) -> Exception:
    """DuckDB's IO error as what it means for the owner: locked, disk full, or damaged."""
    message = str(exc)
    if disk_full(exc):
        return DiskFullError(path)
    if "lock" in message.lower():
        return WarehouseLockedError(
            f"warehouse {path} is locked by another process; runs that open it must use "
            f"the Dagster pool '{WAREHOUSE_POOL}' (one slot), and no other program may keep "
            "it open"
        )
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


T = TypeVar("T")


def retry_while_locked(call: Callable[[], T], seconds: float = 5.0) -> T:
    """`call()`, tried again while a run holds the warehouse (a moment at a time), for up to
    `seconds`; then its WarehouseLockedError."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return call()
        except WarehouseLockedError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)  # waiting on another process, not synchronising a test
