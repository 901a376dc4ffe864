"""Atomic writes: the exact JSON text, modes through every writer, new folders, failed renames,
and a stale-temp cleanup that leaves anything not a plain temp file alone."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from assets.common.atomic import (
    STALE_TEMP_AGE_S,
    remove_stale_temps,
    write_bytes_atomic,
    write_json_atomic,
    write_text_atomic,
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_json_is_two_space_indented_keeps_non_ascii_and_ends_with_a_newline(
    tmp_path: Path,
) -> None:
    target = tmp_path / "expenses.json"
    write_json_atomic(target, {"merchant": "Café ₹", "rows": [1]})
    # Diff-friendly and readable: the rupee sign as itself, not "\u20b9".
    assert target.read_text(encoding="utf-8") == (
        '{\n  "merchant": "Café ₹",\n  "rows": [\n    1\n  ]\n}\n'
    )


def test_the_mode_reaches_the_file_through_the_text_and_json_writers(tmp_path: Path) -> None:
    old_umask = os.umask(0o077)
    try:
        write_text_atomic(tmp_path / "notes.txt", "hi", mode=0o644)
        write_json_atomic(tmp_path / "feed.json", {}, mode=0o640)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE((tmp_path / "notes.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "feed.json").stat().st_mode) == 0o640


def test_a_write_into_folders_that_do_not_exist_yet_creates_them(tmp_path: Path) -> None:
    target = tmp_path / "generated" / "bank" / "2026-05.beancount"
    write_text_atomic(target, "; month\n")
    assert target.read_text() == "; month\n"


def test_a_rename_that_fails_raises_the_os_error_and_leaves_no_temp(tmp_path: Path) -> None:
    # The target name is taken by a folder (the owner's): rename(2) fails with EISDIR.
    target = tmp_path / "portfolio.json"
    target.mkdir()
    (target / "keep.txt").write_text("owner's")
    with pytest.raises(IsADirectoryError):
        write_bytes_atomic(target, b"{}")
    assert _leftovers(tmp_path) == []
    assert (target / "keep.txt").read_text() == "owner's"


def test_a_symlink_with_a_temp_name_is_never_removed(tmp_path: Path) -> None:
    # mkstemp only makes regular files, so a link is not ours even when its name looks it.
    owner = tmp_path / "owner.json"
    owner.write_text("x")
    link = tmp_path / ".feed.json.abcd1234.tmp"
    link.symlink_to(owner)
    now = owner.stat().st_mtime + STALE_TEMP_AGE_S * 10
    old = now - STALE_TEMP_AGE_S * 5
    os.utime(owner, (old, old))
    os.utime(link, (old, old), follow_symlinks=False)
    assert remove_stale_temps(tmp_path, now=now) == []
    assert link.is_symlink() and owner.read_text() == "x"
