"""Is there a recent good snapshot? Asked by the `backup_fresh` check and `homeclerk doctor`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assets.backup.snapshot import newest_good
from assets.notify.incidents import Problem

MAX_AGE = dt.timedelta(hours=36)


def freshness(
    backup_dir: Path, now: dt.datetime, max_age: dt.timedelta = MAX_AGE
) -> tuple[bool, str]:
    """(ok, one plain line): the newest good snapshot is younger than `max_age` at `now`."""
    newest = newest_good(backup_dir)
    if newest is None:
        return False, (
            f"no good snapshot in {backup_dir}: run `homeclerk backup` (the nightly schedule "
            "`backup_nightly` makes one at 03:30)"
        )
    age = now - newest.taken_at
    hours = age.total_seconds() / 3600
    if age > max_age:
        return False, (
            f"newest good snapshot {newest.path.name} is {hours:.0f} h old (more than "
            f"{max_age.total_seconds() / 3600:.0f} h): is `backup_nightly` running? run "
            "`homeclerk backup`"
        )
    return True, f"newest good snapshot {newest.path.name}, {hours:.1f} h old"


BACKUP_KEY = "backup:fresh"


def backup_problems(backup_dir: Path, now: dt.datetime) -> dict[str, Problem]:
    """`backup:fresh` → the message when no good snapshot is younger than MAX_AGE at `now`."""
    ok, line = freshness(backup_dir, now)
    if ok:
        return {}
    hours = MAX_AGE.total_seconds() / 3600
    return {BACKUP_KEY: Problem(f"No good backup in {hours:.0f} h", line)}
