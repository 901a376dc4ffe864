"""The service's log files, which say "disk full" once instead of a traceback per line.

Python's logging answers a record it cannot write with `handleError`: "--- Logging error ---" and
a traceback on stderr, for every record. On a full disk that is every line of every child, and
stderr (launchd's log file) grew 44 MB in 80 s. Here a write that fails for want of space is said
once on stderr, the records after it are dropped (and counted) while the disk stays full, a write
is tried again every `RETRY_SECONDS`, and the first one that succeeds says how many were lost.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import logging.handlers
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Errors that mean "no room to write", not a broken handler.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
RETRY_SECONDS = 5.0


def no_space(exc: BaseException | None) -> bool:
    """Whether `exc` is a write that failed for want of space (full disk, quota, size limit)."""
    return isinstance(exc, OSError) and exc.errno in NO_SPACE


def say_on_stderr(line: str) -> None:
    """`line` on stderr, unless stderr itself cannot be written (it is often on the same disk)."""
    with contextlib.suppress(OSError, ValueError):
        print(line, file=sys.stderr, flush=True)


class SpaceAwareFileHandler(logging.handlers.RotatingFileHandler):
    """A `RotatingFileHandler` that drops records quietly while the disk is full."""

    def __init__(
        self,
        path: Path,
        *,
        max_bytes: int,
        backups: int,
        clock: Callable[[], float] = time.monotonic,
        warn: Callable[[str], None] = say_on_stderr,
    ) -> None:
        super().__init__(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
        self.clock, self.warn = clock, warn
        self.full_since: float | None = None  # when a write last failed for want of space
        self.retry_at = 0.0
        self.dropped = 0
        self._failed = False

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, or count it as lost while the disk is full (retried every 5 s)."""
        if self.full_since is not None and self.clock() < self.retry_at:
            self.dropped += 1
            return
        self._failed = False
        super().emit(record)  # calls handleError on a failed write
        if self._failed:
            self.dropped += 1
            return
        if self.full_since is not None:
            dropped, self.dropped, self.full_since = self.dropped, 0, None
            self.warn(
                f"disk space is back: writing {self.baseFilename} again ({dropped} lines lost)"
            )
            with contextlib.suppress(OSError):
                super().emit(
                    logging.makeLogRecord(
                        {"msg": f"disk space is back ({dropped} log lines were lost)"}
                    )
                )

    def handleError(self, record: logging.LogRecord) -> None:
        """A full disk is said once and the record dropped; any other error as logging does."""
        exc = sys.exc_info()[1]
        if not no_space(exc):
            super().handleError(record)
            return
        self._failed = True
        self.retry_at = self.clock() + RETRY_SECONDS
        if self.full_since is None:
            self.full_since = self.clock()
            self.warn(
                f"disk full: cannot write {self.baseFilename} ({exc}); log lines are dropped "
                "until there is space again: free some space"
            )
        # What is buffered would fail again at every write: the file is opened afresh next time.
        stream, self.stream = self.stream, None  # type: ignore[assignment]
        with contextlib.suppress(OSError, ValueError):
            if stream is not None:
                stream.close()
