"""Atomic writes fail whole: a write that breaks midway leaves the old file byte-identical.

Failures are real ones: a file-size limit (RLIMIT_FSIZE, as a full disk would) in a child
process, a payload that cannot be serialised, and a process killed between writing its temp
file and renaming it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assets.common.atomic import (
    STALE_TEMP_AGE_S,
    remove_stale_temps,
    write_bytes_atomic,
    write_json_atomic,
)

ROOT = Path(__file__).resolve().parents[2]
OLD = b'{"old": "feed", "kept": true}\n'
# Larger than the limit, and than any buffer, so the write fails partway through.
LIMIT = 4096


def _run_limited(code: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a child whose files may not grow beyond LIMIT bytes."""
    prelude = textwrap.dedent(
        f"""
        import resource, signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG as an error, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, ({LIMIT}, resource.RLIM_INFINITY))
        """
    )
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_write_that_hits_a_full_disk_leaves_the_old_file_byte_identical(tmp_path: Path) -> None:
    target = tmp_path / "expenses.json"
    target.write_bytes(OLD)
    result = _run_limited(
        f"""
        from pathlib import Path
        from assets.common.atomic import write_bytes_atomic
        try:
            write_bytes_atomic(Path({str(target)!r}), b"x" * {LIMIT * 8})
        except OSError as exc:
            print("failed", exc.errno)
        """
    )
    assert "failed" in result.stdout, result.stderr
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_the_portfolio_feed_writer_keeps_the_old_feed_on_a_full_disk(tmp_path: Path) -> None:
    from assets.portfolio.feed import feed_path

    target = feed_path(tmp_path)
    target.write_bytes(OLD)
    result = _run_limited(
        f"""
        from pathlib import Path
        from assets.portfolio.feed import write_feed
        try:
            write_feed(Path({str(tmp_path)!r}), {{"holdings": ["h" * 100] * 100}})
        except OSError as exc:
            print("failed", exc.errno)
        """
    )
    assert "failed" in result.stdout, result.stderr
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_the_ledger_writer_keeps_the_old_month_on_a_full_disk(tmp_path: Path) -> None:
    target = tmp_path / "generated" / "bank" / "2025-03.beancount"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"; the old month\n")
    result = _run_limited(
        f"""
        from pathlib import Path
        from assets.books.writer import write_if_changed
        try:
            write_if_changed(Path({str(target)!r}), "; new\\n" * {LIMIT})
        except OSError as exc:
            print("failed", exc.errno)
        """
    )
    assert "failed" in result.stdout, result.stderr
    assert target.read_bytes() == b"; the old month\n"
    assert _leftovers(target.parent) == []


class _Unserialisable:
    def __str__(self) -> str:
        raise ValueError("cannot be written")


def test_a_payload_that_fails_to_serialise_halfway_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "feed.json"
    target.write_bytes(OLD)
    # The first items serialise, the last one raises: a streaming write would be half done.
    payload = {"rows": ["r" * 1000] * 50, "bad": _Unserialisable()}
    with pytest.raises(ValueError, match="cannot be written"):
        write_json_atomic(target, payload)
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_a_write_killed_before_the_rename_leaves_the_old_file_and_its_temp_is_cleaned_later(
    tmp_path: Path,
) -> None:
    target = tmp_path / "expenses.json"
    target.write_bytes(OLD)
    # The process dies (SIGKILL: no handler runs) after the temp file is written and synced.
    code = f"""
        import os, signal
        from pathlib import Path
        os.replace = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
        from assets.common.atomic import write_bytes_atomic
        write_bytes_atomic(Path({str(target)!r}), b"new")
        """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == -9, result.stderr
    assert target.read_bytes() == OLD
    (left,) = _leftovers(tmp_path)
    assert left.startswith(".expenses.json.") and (tmp_path / left).read_bytes() == b"new"

    # The next write in the folder removes it once it is old enough to be a killed write's.
    old = (tmp_path / left).stat().st_mtime - STALE_TEMP_AGE_S - 1
    os.utime(tmp_path / left, (old, old))
    write_json_atomic(tmp_path / "portfolio.json", {"n": 1})
    assert _leftovers(tmp_path) == []
    assert target.read_bytes() == OLD


def test_stale_temp_cleanup_touches_only_our_old_temp_files(tmp_path: Path) -> None:
    now = dt.datetime(2027, 6, 1, tzinfo=dt.UTC).timestamp()
    names = {
        "old_ours": ".expenses.json.ab_12XYZ.tmp",
        "fresh_ours": ".portfolio.json.zz99aa11.tmp",  # a write in progress
        "owner_tmp": "notes.tmp",
        "owner_hidden": ".notes.tmp",
        "wrong_random": ".expenses.json.short.tmp",
        "not_tmp": ".expenses.json.ab_12XYZ.bak",
    }
    for name in names.values():
        (tmp_path / name).write_text("x")
    for key, name in names.items():
        age = 5 if key == "fresh_ours" else STALE_TEMP_AGE_S + 60
        os.utime(tmp_path / name, (now - age, now - age))
    (tmp_path / ".dir.abcdefgh.tmp").mkdir()  # a folder with our pattern is not a temp file
    os.utime(tmp_path / ".dir.abcdefgh.tmp", (now - 10_000, now - 10_000))

    removed = remove_stale_temps(tmp_path, now=now)
    assert [p.name for p in removed] == [names["old_ours"]]
    left = {p.name for p in tmp_path.iterdir()}
    assert left == (set(names.values()) - {names["old_ours"]}) | {".dir.abcdefgh.tmp"}


def test_mode_is_applied_exactly_and_the_default_is_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o077)  # the mode must not depend on the process umask
    try:
        write_bytes_atomic(tmp_path / "shared.json", b"{}", mode=0o644)
        write_bytes_atomic(tmp_path / "private.json", b"{}")
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "shared.json").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600
    assert json.loads((tmp_path / "shared.json").read_text()) == {}
