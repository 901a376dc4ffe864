"""Backup benchmark: a nightly snapshot of the demo, then its restore (manifest verified first).

Targets (issue 14): snapshot ≤ 5 s, restore ≤ 10 s; prints both with the sizes. Run:
    python benchmarks/backup_bench.py [--end-date 2025-12-20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
import time
from pathlib import Path

from assets.backup.restore import restore_snapshot
from assets.backup.snapshot import BackupSources, take_snapshot
from pipeline.demo.run import run_demo
from pipeline.settings import CONFIG_ENV, load_settings

SNAPSHOT_TARGET_S = 5.0
RESTORE_TARGET_S = 10.0


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=dt.date(2025, 12, 20))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["HOME"] = str(root)  # the demo touches nothing of the owner's
        report = run_demo(root / "demo", seed=7, end=args.end_date, out=io.StringIO())
        os.environ.pop(CONFIG_ENV, None)
        settings = load_settings(report.config)
        sources = BackupSources(
            data_dir=settings.data_dir,
            books_dir=settings.books_dir,
            config_file=settings.config_file,
            env_file=settings.env_file,
            token_file=settings.broker.token_file,
        )
        print(
            f"demo data folder {_size(settings.data_dir):,} bytes, "
            f"books {_size(settings.books_dir):,} bytes"
        )
        worst_snap = worst_restore = 0.0
        for n in range(args.repeat):
            now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n)
            started = time.perf_counter()
            result = take_snapshot(sources, root / "backups", now)
            snap_s = time.perf_counter() - started
            started = time.perf_counter()
            restored = restore_snapshot(result.path, root / f"restored-{n}")
            restore_s = time.perf_counter() - started
            worst_snap, worst_restore = max(worst_snap, snap_s), max(worst_restore, restore_s)
            print(
                f"run {n + 1}: snapshot {snap_s:.2f} s ({result.files} files, "
                f"{result.bytes:,} bytes; warehouse "
                f"{(result.path / 'data' / 'warehouse.duckdb').stat().st_size:,} bytes), "
                f"restore {restore_s:.2f} s ({restored.files} files, "
                f"{_size(restored.folder):,} bytes)"
            )
        ok = worst_snap <= SNAPSHOT_TARGET_S and worst_restore <= RESTORE_TARGET_S
        print(
            f"worst: snapshot {worst_snap:.2f} s (target ≤ {SNAPSHOT_TARGET_S:.0f} s), restore "
            f"{worst_restore:.2f} s (target ≤ {RESTORE_TARGET_S:.0f} s): "
            + ("OK" if ok else "OVER TARGET")
        )
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
