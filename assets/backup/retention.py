"""Which snapshots to keep: the newest of each of the last N days, weeks and months."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.backup.snapshot import SnapshotInfo, list_snapshots

# A `.partial` folder older than this belongs to a backup that was killed, not a running one.
STALE_PARTIAL_S = 6 * 3600.0


@dataclass(frozen=True)
class Retention:
    """How many snapshots to keep: the newest of each of the last N days, weeks and months."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


def _newest_per(
    snapshots: Sequence[SnapshotInfo], count: int, period: Callable[[dt.date], object], tz: ZoneInfo
) -> set[Path]:
    kept: set[Path] = set()
    seen: set[object] = set()
    for snap in sorted(snapshots, key=lambda s: s.taken_at, reverse=True):
        key = period(snap.taken_at.astimezone(tz).date())
        if key in seen:
            continue
        if len(seen) == count:
            break
        seen.add(key)
        kept.add(snap.path)
    return kept


def to_keep(snapshots: Sequence[SnapshotInfo], rule: Retention, timezone: str) -> set[Path]:
    """The good snapshots `rule` keeps (days, weeks and months counted in `timezone`).

    The newest good snapshot is always kept, whatever the rule says.
    """
    tz = ZoneInfo(timezone)
    good = [s for s in snapshots if s.good]
    if not good:
        return set()
    kept = _newest_per(good, rule.daily, lambda d: d, tz)
    kept |= _newest_per(good, rule.weekly, lambda d: d.isocalendar()[:2], tz)
    kept |= _newest_per(good, rule.monthly, lambda d: (d.year, d.month), tz)
    kept.add(max(good, key=lambda s: s.taken_at).path)
    return kept


def prune(backup_dir: Path, rule: Retention, timezone: str, now: float | None = None) -> list[Path]:
    """Delete the good snapshots the rule does not keep, and stale `.partial` folders.

    A snapshot without a readable manifest is left for the owner to look at (it may be the
    only copy of something); returns what was deleted.
    """
    backup_dir = Path(backup_dir)
    snapshots = list_snapshots(backup_dir)
    keep = to_keep(snapshots, rule, timezone)
    removed = []
    for snap in snapshots:
        if snap.good and snap.path not in keep:
            shutil.rmtree(snap.path)
            removed.append(snap.path)
    now = time.time() if now is None else now
    for path in backup_dir.glob(".*.partial"):
        try:
            if now - path.stat().st_mtime > STALE_PARTIAL_S:
                shutil.rmtree(path)
                removed.append(path)
        except OSError:
            continue
    return removed
