"""The Dagster run storage as `serve` checks it: the code server and the UI need it whole.

On a run storage file with garbage in it, the code server and the UI exit at once ("database
disk image is malformed") and a supervisor that restarts them would loop forever, the UI down
and every feed still saying `ok`. So `serve` checks the files before it starts either of them and
whenever one exits; while a file is damaged it says so once (the file, what is wrong, the exact
restore command), holds both until one of the files changes (the restore), marks every feed
`stale` with that line, and keeps everything else running (Fava, the feeds, the watcher).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from assets.common.feed_status import iso_instant
from assets.common.store_fault import clear_feeds, mark_feeds
from pipeline.settings import Settings

# The instance's shared SQLite files (pipeline/templates/dagster.yaml); a damaged per-run event
# log holds only that run's events and stops nothing.
RUN_STORAGE_FILES = (
    Path("history") / "runs.db",
    Path("history") / "runs" / "index.db",
    Path("schedules") / "schedules.db",
)


# Below this a run, a log line or a feed fails to write any moment ("No space left on device").
DISK_FULL_BYTES = 64 << 20


def disk_full_line(
    folder: Path, usage: Callable[[Path], tuple[int, int, int]] = shutil.disk_usage
) -> str | None:
    """What the feeds say while the disk of `folder` is (all but) full, else None. One statvfs:
    cheap enough for every feed request, so the feeds say it even where no file can be
    rewritten, and stop saying it the moment there is space again."""
    try:
        _total, _used, free = usage(folder)
    except OSError:
        return None
    if free >= DISK_FULL_BYTES:
        return None
    return (
        f"disk full: {free // 1024} KB left on the disk of {folder}; runs, logs and feeds cannot "
        "be written: free some space (runs resume by themselves)"
    )


def storage_dir(home: Path) -> Path:
    """The folder of the instance's SQLite storages (what a restore puts back whole)."""
    return home / "storage"


def damaged_run_storage(home: Path) -> tuple[Path, str] | None:
    """(file, what is wrong) for the first damaged SQLite file of the instance, or None.

    Read-only, with SQLite's own quick check: a header overwritten fails at the open, a page
    overwritten in the check. A file not there yet is not damaged (Dagster creates it).
    """
    for relative in RUN_STORAGE_FILES:
        path = storage_dir(home) / relative
        if not path.is_file():
            continue
        try:
            with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)) as con:
                rows = con.execute("PRAGMA quick_check(1)").fetchall()
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                continue  # a writer holds it for a moment: whole, as far as this can tell
            return path, str(exc)
        except sqlite3.DatabaseError as exc:
            return path, str(exc)
        if rows != [("ok",)]:
            return path, f"integrity check: {rows[0][0] if rows else 'no answer'}"
    return None


def _identity(path: Path) -> tuple[int, int, int] | None:
    # The inode and ctime too: a restore (mv aside, cp -a back) keeps the mtime and the size.
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_ctime_ns, st.st_size)


class RunStorageGuard:
    """Whether the Dagster children may start (`problem`), and what the feeds say meanwhile.

    `problem()` is asked before each of them starts and when one exits; the supervisor asks
    again only when `identity()` changed. The first time it finds a file damaged it marks every
    feed stale with the line (`current()` gives it to the feed server, for a feed a full disk
    kept from being rewritten); once the files are whole again the mark comes off.
    """

    def __init__(self, settings: Settings, home: Path) -> None:
        self.settings, self.home = settings, home
        self._line: str | None = None
        # The last quick check and the identity of the files it saw: both Dagster children ask
        # before they start, and checking a large run storage is slow: same files, same answer.
        self._checked: tuple[object, tuple[Path, str] | None] | None = None

    def watched(self) -> tuple[Path, ...]:
        """The files whose change (a restore) is worth another look."""
        return (storage_dir(self.home), *(storage_dir(self.home) / f for f in RUN_STORAGE_FILES))

    def identity(self) -> tuple[tuple[int, int, int] | None, ...]:
        """What changes when any watched file is replaced or written."""
        return tuple(_identity(p) for p in self.watched())

    def current(self) -> str | None:
        """The line the feeds carry while the run storage is damaged, else None."""
        return self._line

    def problem(self) -> str | None:
        """The one line (file, what is wrong, the fix) when the run storage is damaged."""
        from pipeline.recovery import restore_fix

        seen = self.identity()
        if self._checked is None or self._checked[0] != seen:
            self._checked = (seen, damaged_run_storage(self.home))
        found = self._checked[1]
        feeds, mode = self.settings.feeds_dir, self.settings.feeds_mode
        if found is None:
            if self._line is not None:
                clear_feeds(feeds, mode, reason=self._line)
            self._line = None
            return None
        path, what = found
        line = (
            f"the Dagster run storage {path} is damaged ({what}); the UI and the daemon wait "
            f"until it is restored: {restore_fix(self.settings, storage_dir(self.home))}"
        )
        if line != self._line:
            mark_feeds(feeds, line, iso_instant(dt.datetime.now(dt.UTC)), mode)
            self._line = line
        return line
