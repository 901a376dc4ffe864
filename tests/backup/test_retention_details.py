"""Retention and freshness in detail: the owner's days, each period's count, stale `.partial`
folders, and the exact words of the freshness line (found by mutation testing)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assets.backup.freshness import freshness
from assets.backup.retention import STALE_PARTIAL_S, Retention, prune
from tests.backup.test_backup import _fake_snapshot
from tests.support import machine_timezone

D = dt.datetime(2026, 3, 10, tzinfo=dt.UTC)


@pytest.fixture
def utc_machine() -> Iterator[None]:
    with machine_timezone("UTC"):
        yield


def test_days_are_the_owner_s_not_the_machine_s(tmp_path: Path, utc_machine: None) -> None:
    # 18:00 and 19:00 UTC are one UTC day but two Kolkata days (23:30 and 00:30 IST).
    backups = tmp_path / "backups"
    day_before = _fake_snapshot(backups, D - dt.timedelta(hours=12))  # 17:30 IST the day before
    late = _fake_snapshot(backups, D + dt.timedelta(hours=18))
    after_midnight = _fake_snapshot(backups, D + dt.timedelta(hours=19))
    now = D + dt.timedelta(days=10)
    removed = prune(backups, Retention(daily=2, weekly=0, monthly=0), "Asia/Kolkata", now).removed
    assert removed == [day_before]
    assert late.is_dir() and after_midnight.is_dir()


def test_the_monthly_count_is_kept_to(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    january = _fake_snapshot(backups, dt.datetime(2026, 1, 20, tzinfo=dt.UTC))
    february = _fake_snapshot(backups, dt.datetime(2026, 2, 20, tzinfo=dt.UTC))
    march = _fake_snapshot(backups, dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    now = dt.datetime(2026, 4, 20, tzinfo=dt.UTC)
    removed = prune(backups, Retention(daily=0, weekly=0, monthly=2), "UTC", now).removed
    assert removed == [january]
    assert february.is_dir() and march.is_dir()


def _partial(backups: Path, name: str, age_s: float, now: float) -> Path:
    path = backups / f".{name}.partial"
    path.mkdir(parents=True)
    (path / "half-copied.bin").write_bytes(b"x")
    os.utime(path, (now - age_s, now - age_s))
    return path


def test_a_partial_folder_of_a_killed_backup_goes_once_stale(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    now = D.timestamp()
    stale = _partial(backups, "killed", STALE_PARTIAL_S + 60, now)
    running = _partial(backups, "running", STALE_PARTIAL_S - 60, now)
    # Entries that cannot be looked at (a dangling link) are passed over, not a stop.
    for n in range(8):
        (backups / f".gone-{n}.partial").symlink_to(tmp_path / "nowhere" / str(n))
    assert prune(backups, Retention(), "UTC", D).removed == [stale]
    assert not stale.exists() and running.is_dir()
    # With the machine's clock as `now` (mtimes are the machine's too).
    other = tmp_path / "other"
    clock_stale = _partial(other, "earlier", STALE_PARTIAL_S + 60, time.time())
    clock_running = _partial(other, "now", STALE_PARTIAL_S - 60, time.time())
    machine_now = dt.datetime.fromtimestamp(time.time(), dt.UTC)
    assert prune(other, Retention(), "UTC", machine_now).removed == [clock_stale]
    assert clock_running.is_dir()


def test_the_freshness_line_in_every_case(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    assert freshness(backups, D) == (
        False,
        f"no good snapshot in {backups}: run `homeclerk backup` (the nightly schedule "
        "`backup_nightly` makes one at 03:30)",
    )
    snap = _fake_snapshot(backups, D)
    assert freshness(backups, D + dt.timedelta(hours=36)) == (
        True,
        f"newest good snapshot {snap.name}, 36.0 h old",
    )
    assert freshness(backups, D + dt.timedelta(hours=3600)) == (
        False,
        f"newest good snapshot {snap.name} is 3600 h old (more than 36 h): is `backup_nightly` "
        "running? run `homeclerk backup`",
    )


def test_the_freshness_line_names_the_limit_it_was_given(tmp_path: Path) -> None:
    snap = _fake_snapshot(tmp_path, D)
    ok, text = freshness(tmp_path, D + dt.timedelta(hours=4000), dt.timedelta(hours=3600))
    assert not ok and f"{snap.name} is 4000 h old (more than 3600 h)" in text
