"""Which snapshots to keep: the newest of each of the last N days, weeks and months.

Two kinds are never deleted by the rule alone: a snapshot younger than a day (a manual backup
must not cost the same day's nightly one), and a snapshot taken by hand (`homeclerk backup`,
marked `"trigger": "manual"` in its manifest) unless the owner asks (`--prune`). A snapshot
without a readable manifest is left for the owner to look at (it may be the only copy of
something). Each decision carries its reason, for `homeclerk backup` to print.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.backup.snapshot import SnapshotInfo, list_snapshots

# A `.partial` folder older than this belongs to a backup that was killed, not a running one.
STALE_PARTIAL_S = 6 * 3600.0
# Never delete a snapshot younger than this, whatever the rule says.
MIN_AGE = dt.timedelta(days=1)

KEPT_BY_RULE = "kept by the retention rule"
KEPT_YOUNG = "younger than a day"
KEPT_MANUAL = (
    "taken by hand (`homeclerk backup`): `homeclerk backup --prune` lets retention delete it"
)
KEPT_BAD = "no readable manifest: left for you to look at"
DELETED = "older than the retention rule keeps"


@dataclass(frozen=True)
class Retention:
    """How many snapshots to keep: the newest of each of the last N days, weeks and months."""

    daily: int = 7
    weekly: int = 4
    monthly: int = 12


@dataclass(frozen=True)
class Decision:
    """One snapshot: whether it stays, and why."""

    path: Path
    keep: bool
    reason: str


@dataclass
class PruneReport:
    """What `prune` decided for each snapshot (oldest first) and what it deleted."""

    decisions: list[Decision] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Plain lines: each deletion, each snapshot kept only by a protection, a count."""
        out = [f"pruned {p}" for p in self.removed]
        out += [f"kept {d.path.name}: {d.reason}" for d in self.decisions if _protected(d)]
        by_rule = sum(d.keep and d.reason == KEPT_BY_RULE for d in self.decisions)
        out.append(f"kept {by_rule} snapshot(s) by the retention rule")
        return out


def _protected(decision: Decision) -> bool:
    return decision.keep and decision.reason != KEPT_BY_RULE


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


def decide(
    snapshots: Sequence[SnapshotInfo],
    rule: Retention,
    timezone: str,
    now: dt.datetime,
    *,
    prune_manual: bool = False,
) -> list[Decision]:
    """Keep or delete each snapshot at `now` (aware), with the reason."""
    keep = to_keep(snapshots, rule, timezone)
    decisions = []
    for snap in snapshots:
        if not snap.good:
            decisions.append(Decision(snap.path, True, KEPT_BAD))
        elif snap.path in keep:
            decisions.append(Decision(snap.path, True, KEPT_BY_RULE))
        elif now - snap.taken_at < MIN_AGE:
            decisions.append(Decision(snap.path, True, KEPT_YOUNG))
        elif snap.manual and not prune_manual:
            decisions.append(Decision(snap.path, True, KEPT_MANUAL))
        else:
            decisions.append(Decision(snap.path, False, DELETED))
    return decisions


def prune(
    backup_dir: Path,
    rule: Retention,
    timezone: str,
    now: dt.datetime,
    *,
    prune_manual: bool = False,
) -> PruneReport:
    """Delete the snapshots `decide` does not keep, and stale `.partial` folders."""
    backup_dir = Path(backup_dir)
    report = PruneReport(
        decide(list_snapshots(backup_dir), rule, timezone, now, prune_manual=prune_manual)
    )
    for decision in report.decisions:
        if not decision.keep:
            shutil.rmtree(decision.path)
            report.removed.append(decision.path)
    for path in backup_dir.glob(".*.partial"):
        try:
            if now.timestamp() - path.stat().st_mtime > STALE_PARTIAL_S:
                shutil.rmtree(path)
                report.removed.append(path)
        except OSError:
            continue
    return report
