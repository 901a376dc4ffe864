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

# The worker's job when it is forked: the child inherits it with the parent's memory, so 50,000
# messages are not pickled through a pipe (a few hundred ms on a first ingest).
_inherited: tuple[Callable[..., Any], tuple[Any, ...]] | None = None


def can_split() -> bool:
    """Whether the machine has at least two CPUs, so splitting work can pay off."""
    return (os.cpu_count() or 1) >= 2


def _run_inherited() -> Any:
    assert _inherited is not None, "run_halves sets the job before the worker forks"
    fn, args = _inherited
    return fn(*args)


def run_halves(fn: Callable[..., T], here: tuple[Any, ...], there: tuple[Any, ...]) -> tuple[T, T]:
    """(fn(*here), fn(*there)), the second computed in a worker process when one can start.

    `fn` must be a module-level function and its arguments picklable. fork is cheap and needs no
    re-import, but is unsafe on macOS, so spawn is used there.
    """
    results: list[T] = []
    each_half(fn, here, there, results.append)
    return results[0], results[1]


def each_half(
    fn: Callable[..., T], here: tuple[Any, ...], there: tuple[Any, ...], use: Callable[[T], None]
) -> None:
    """use(fn(*here)), then use(fn(*there)), the second half computed in a worker process
    meanwhile when one can start: what `use` does with the first half (store it) overlaps the
    worker's half instead of waiting for it. Same conditions on `fn` as run_halves."""
    global _inherited
    fork = sys.platform.startswith("linux")
    try:
        context = multiprocessing.get_context("fork" if fork else "spawn")
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
    except (OSError, ValueError):
        use(fn(*here))
        use(fn(*there))
        return
    with pool:
        if not fork:
            later = pool.submit(fn, *there)
            use(fn(*here))
            use(later.result())
            return
        # Set until the result is in, so the worker sees it whenever the pool forks it.
        _inherited = (fn, there)
        try:
            later = pool.submit(_run_inherited)
            use(fn(*here))
            second = later.result()
        finally:
            _inherited = None
        use(second)
