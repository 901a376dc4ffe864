"""Choosing and running a reader: `[power] source` = auto, pmset, sysfs, upower or none."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assets.common.atomic import write_json_atomic

from .readers import (
    PowerReadError,
    Sample,
    parse_pmset,
    parse_system_profiler,
    parse_upower,
    read_sysfs,
    sysfs_health,
)

SOURCE_CHOICES = ("auto", "pmset", "sysfs", "upower", "none")
DEFAULT_SYSFS_ROOT = "/sys/class/power_supply"
DEFAULT_PMSET_COMMAND = ("pmset", "-g", "batt")
DEFAULT_UPOWER_COMMAND = ("upower", "--dump")
DEFAULT_HEALTH_COMMAND = ("system_profiler", "SPPowerDataType", "-json")
HEALTH_FILE = "health.json"
HEALTH_EVERY = dt.timedelta(days=1)
COMMAND_TIMEOUT_S = 20.0


def resolve_source(source: str, sysfs_root: Path, platform: str = sys.platform) -> str:
    """The reader `auto` means here: pmset on macOS, sysfs when its folder exists, else upower
    when installed, else none."""
    if source != "auto":
        return source
    if platform == "darwin":
        return "pmset"
    if sysfs_root.is_dir():
        return "sysfs"
    if shutil.which(DEFAULT_UPOWER_COMMAND[0]):
        return "upower"
    return "none"


def run_command(command: Sequence[str]) -> str:
    """A reader command's stdout; PowerReadError naming the command when it cannot run."""
    try:
        done = subprocess.run(
            list(command), capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PowerReadError(f"`{' '.join(command)}` could not run: {exc}") from None
    if done.returncode != 0:
        raise PowerReadError(
            f"`{' '.join(command)}` exited {done.returncode}: {done.stderr.strip()[:300]}"
        )
    return done.stdout


def read_sample(
    source: str,
    *,
    at: dt.datetime,
    sysfs_root: Path = Path(DEFAULT_SYSFS_ROOT),
    pmset_command: Sequence[str] = DEFAULT_PMSET_COMMAND,
    upower_command: Sequence[str] = DEFAULT_UPOWER_COMMAND,
    platform: str = sys.platform,
) -> Sample:
    """One sample from the configured reader; PowerReadError when nothing can be read."""
    chosen = resolve_source(source, sysfs_root, platform)
    if chosen == "pmset":
        return parse_pmset(run_command(pmset_command), at)
    if chosen == "sysfs":
        return read_sysfs(sysfs_root, at)
    if chosen == "upower":
        return parse_upower(run_command(upower_command), at)
    raise PowerReadError(
        f'no power reader: `[power] source` is "{source}"'
        + (" and none of pmset, sysfs, upower is here" if source == "auto" else "")
        + '; set it to "pmset", "sysfs" or "upower" in homeclerk.toml'
    )


def read_health(
    source: str,
    *,
    sysfs_root: Path = Path(DEFAULT_SYSFS_ROOT),
    health_command: Sequence[str] = DEFAULT_HEALTH_COMMAND,
    platform: str = sys.platform,
) -> dict[str, Any] | None:
    """Battery health (cycle count, condition, maximum capacity) or None when unknown."""
    chosen = resolve_source(source, sysfs_root, platform)
    if chosen == "pmset":
        return parse_system_profiler(run_command(health_command))
    if chosen == "sysfs":
        return sysfs_health(sysfs_root)
    return None


def refresh_health(folder: Path, now: dt.datetime, read: Any) -> dict[str, Any] | None:
    """The cached health in `folder/health.json`, read again through `read()` once a day."""
    path = folder / HEALTH_FILE
    cached = load_health(folder)
    if cached is not None:
        checked = dt.datetime.fromisoformat(cached["checked_at"])
        if now - checked < HEALTH_EVERY:
            return cached.get("health")
    try:
        health = read()
        error = None
    except (PowerReadError, ValueError) as exc:
        health, error = None, str(exc)
    write_json_atomic(path, {"checked_at": now.isoformat(), "health": health, "error": error})
    return health


def load_health(folder: Path) -> dict[str, Any] | None:
    """The health file as written by `refresh_health`, or None when missing or unreadable."""
    try:
        data = json.loads((folder / HEALTH_FILE).read_text("utf-8"))
        dt.datetime.fromisoformat(data["checked_at"])
        return data
    except (OSError, ValueError, KeyError, TypeError):
        return None
