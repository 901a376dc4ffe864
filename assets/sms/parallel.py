"""Two halves of a CPU-bound batch at once: one in a worker process, one in this process.

Used only for big batches (a first ingest of years of SMS); a tick's handful of messages runs
serially, since starting a process costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def can_split() -> bool:
    return (os.cpu_count() or 1) >= 2


def run_halves(fn: Callable[..., T], here: tuple[Any, ...], there: tuple[Any, ...]) -> tuple[T, T]:
    """(fn(*here), fn(*there)), the second computed in a worker process when one can start.

    `fn` must be a module-level function and its arguments picklable. fork is cheap and needs no
    re-import, but is unsafe on macOS, so spawn is used there.
    """
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(method))
    except (OSError, ValueError):
        return fn(*here), fn(*there)
    with pool:
        later = pool.submit(fn, *there)
        first = fn(*here)
        return first, later.result()
