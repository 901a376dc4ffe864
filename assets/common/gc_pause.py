"""Bulk work with Python's cyclic garbage collector paused.

A first ingest or derive allocates millions of short-lived objects (rows, parse results), so
the collector runs its full pass several times, and each pass walks every object the process
holds: in a Dagster run process, the definitions' hundreds of thousands besides the batch
(~0.1-0.2 s a pass). A worker forked for half the batch would walk them too, and in doing so
copy the pages it shares with its parent. The rows are plain tuples and strings, freed by
reference counting, so nothing piles up while the collector waits.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off meanwhile (as it was after: one that was off stays off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
