"""The data folder is the owner's alone: 0700 folders and 0600 files, whatever the shell's umask.

The warehouse holds every bank SMS body, the run storage and logs hold amounts and payees: a
0644 file in a 0755 folder lets any local user read them. Every homeclerk process (the CLI, and
through it `serve`, the code server, the daemon and every run worker it starts) runs under umask
077, so what any of them creates is private from the start. Feeds are the exception, by setting:
`[feeds] mode` is the mode of each feed file, and when it lets others read, the feeds folder and
the data folder above it let them through (execute only: the data folder cannot be listed).
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077


def apply_private_umask() -> None:
    """Make every file and folder this process, and each process it starts, creates private."""
    os.umask(PRIVATE_UMASK)


def _through_bits(feeds_mode: int) -> int:
    """Execute bits for the group and others that may read feeds (to reach them)."""
    bits = 0
    if feeds_mode & stat.S_IRGRP:
        bits |= stat.S_IXGRP
    if feeds_mode & stat.S_IROTH:
        bits |= stat.S_IXOTH
    return bits


def data_dir_mode(feeds_mode: int) -> int:
    """0700, plus passage (not listing) for whoever may read the feeds."""
    return 0o700 | _through_bits(feeds_mode)


def feeds_dir_mode(feeds_mode: int) -> int:
    """0700, plus read and passage for whoever may read the feeds (a dashboard lists them)."""
    through = _through_bits(feeds_mode)
    readable = (stat.S_IRGRP if through & stat.S_IXGRP else 0) | (
        stat.S_IROTH if through & stat.S_IXOTH else 0
    )
    return 0o700 | through | readable


def secure_data_dir(data_dir: Path, feeds_dir: Path, feeds_mode: int) -> None:
    """Create the data and feeds folders if needed and give them their modes (not recursive:
    what is inside was created private; `loose_paths` finds what was not)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, data_dir_mode(feeds_mode))
    if feeds_dir.is_relative_to(data_dir):
        feeds_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(feeds_dir, feeds_dir_mode(feeds_mode))


def allowed_mode(path: Path, data_dir: Path, feeds_dir: Path, feeds_mode: int) -> int:
    """The group/other permission bits `path` may have (0 for everything private)."""
    if path == data_dir:
        return data_dir_mode(feeds_mode) & 0o077
    if path == feeds_dir:
        return feeds_dir_mode(feeds_mode) & 0o077
    if path.parent == feeds_dir and path.suffix == ".json":
        return feeds_mode & 0o077
    return 0


def loose_paths(data_dir: Path, feeds_dir: Path, feeds_mode: int) -> Iterator[tuple[Path, int]]:
    """Each file or folder under `data_dir` (itself included) that grants the group or others
    more than it may, with its mode. Symbolic links are not followed."""
    if not data_dir.is_dir():
        return
    for root, dirs, files in os.walk(data_dir):
        top = Path(root)
        for path in (top, *(top / name for name in files)):
            try:
                info = path.lstat()
            except OSError:
                continue  # gone since the listing
            if stat.S_ISLNK(info.st_mode):
                continue
            extra = stat.S_IMODE(info.st_mode) & 0o077
            if extra & ~allowed_mode(path, data_dir, feeds_dir, feeds_mode):
                yield path, stat.S_IMODE(info.st_mode)
        dirs[:] = [d for d in dirs if not (top / d).is_symlink()]


def fix_command(paths: list[Path], data_dir: Path, feeds_dir: Path, feeds_mode: int) -> str:
    """A shell command that makes `paths` as private as they may be, pasteable as is.

    Whatever lies under a top-level entry of the data folder other than the feeds folder is the
    owner's alone, so that entry is fixed as a whole (`chmod -R`); the data folder, the feeds
    folder and feed files get the modes `[feeds] mode` gives them.
    """
    whole: list[Path] = []
    single: list[Path] = []
    modes: list[tuple[int, Path]] = []
    for path in paths:
        if path == data_dir:
            modes.append((data_dir_mode(feeds_mode), path))
        elif path == feeds_dir:
            modes.append((feeds_dir_mode(feeds_mode), path))
        elif path.parent == feeds_dir and path.suffix == ".json":
            modes.append((feeds_mode, path))
        elif path.is_relative_to(feeds_dir) or not path.is_relative_to(data_dir):
            single.append(path)
        else:
            top = data_dir / path.relative_to(data_dir).parts[0]
            if top not in whole:
                whole.append(top)
    parts = []
    if whole:
        parts.append("chmod -R go-rwx " + " ".join(shlex.quote(str(p)) for p in whole))
    if single:
        parts.append("chmod go-rwx " + " ".join(shlex.quote(str(p)) for p in single))
    parts += [f"chmod {mode:o} {shlex.quote(str(path))}" for mode, path in modes]
    return " && ".join(parts)
