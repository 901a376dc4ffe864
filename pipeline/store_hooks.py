"""The hooks on every asset that put a broken store into the feeds, and take it out again.

A step that fails because the warehouse is damaged or the disk is full marks every feed `stale`
with the store's one line (the file, what is wrong, the fix: the exact restore command), before
the run ends: the assets that would rewrite the feeds never run. The first step that succeeds
once the store is good again takes the mark off. Hooks on the assets, not on jobs, so a run
launched from the UI (Dagster's own asset job) does it too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dagster import HookContext, HookDefinition, failure_hook, success_hook

from assets.common.atomic import write_text_atomic
from assets.common.feed_status import iso_instant
from assets.common.store_fault import clear_feeds, faulted_feeds, mark_feeds
from assets.common.warehouse import (
    DiskFullError,
    WarehouseBrokenError,
    WarehouseLockedError,
    connect,
    store_fault,
)
from pipeline.settings import Settings


def fault_line(settings: Settings, fault: WarehouseBrokenError | DiskFullError) -> str:
    """What the feeds say about a broken store: the file, what is wrong, and the fix."""
    from pipeline.recovery import restore_fix

    if isinstance(fault, DiskFullError):
        return fault.strerror or "disk full: free some space (runs resume by themselves)"
    fix = restore_fix(settings, fault.path)
    how = "" if fix.startswith("no good snapshot") else "restore it: "
    return f"warehouse {fault.path} is damaged ({fault.reason}); {how}{fix}"


def store_is_good(settings: Settings) -> bool:
    """Whether the warehouse opens and reads, and the feeds folder takes a write."""
    try:
        if settings.warehouse.exists():
            with connect(settings.warehouse, read_only=True) as con:
                con.execute("SELECT count(*) FROM information_schema.tables").fetchone()
        write_text_atomic(settings.feeds_dir / ".store-probe", "ok\n")
        (settings.feeds_dir / ".store-probe").unlink()
    except (WarehouseBrokenError, WarehouseLockedError, OSError):
        return False
    return True


def store_hooks(settings: Settings) -> set[HookDefinition]:
    """The failure hook that marks the feeds and the success hook that clears them."""
    feeds, mode = settings.feeds_dir, settings.feeds_mode

    @failure_hook(name="homeclerk_store_fault")
    def marks_feeds(context: HookContext) -> None:
        exc = context.op_exception
        fault = store_fault(exc) if exc is not None else None
        if fault is None:
            return
        line = fault_line(settings, fault)
        failed = mark_feeds(feeds, line, iso_instant(dt.datetime.now(dt.UTC)), mode)
        context.log.error(
            f"{line} (every feed now says stale"
            + (f"; not rewritten: {'; '.join(failed)}" if failed else "")
            + ")"
        )

    @success_hook(name="homeclerk_store_ok")
    def clears_feeds(context: HookContext) -> None:
        if faulted_feeds(Path(feeds)) and store_is_good(settings):
            cleared = clear_feeds(feeds, mode)
            context.log.info(f"the store is good again: {len(cleared)} feeds no longer stale")

    return {marks_feeds, clears_feeds}
