"""The optional off-box copy: `rsync` (or `restic`) of a finished snapshot to `[backup] remote`.

A failure is reported in plain words and never undoes or blocks the local snapshot.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

REMOTE_TOOLS = ("rsync", "restic")
REMOTE_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class RemoteResult:
    """How the off-box copy went, in plain words."""

    ok: bool
    message: str


def push(snapshot: Path, remote: str, tool: str = "rsync") -> RemoteResult:
    """Copy `snapshot` off the box; rsync puts it in `remote/<name>/`, restic in repo `remote`.

    restic reads its password from RESTIC_PASSWORD or RESTIC_PASSWORD_FILE (put it in `.env`).
    """
    if tool not in REMOTE_TOOLS:
        return RemoteResult(False, f"unknown remote tool {tool!r}: use one of {REMOTE_TOOLS}")
    exe = shutil.which(tool)
    if exe is None:
        return RemoteResult(
            False,
            f"off-box copy not made: {tool} is not installed (install it, e.g. "
            f"`brew install {tool}` or `apt install {tool}`, or unset [backup] remote); "
            f"the local snapshot {snapshot} is fine",
        )
    if tool == "rsync":
        cmd = [exe, "-a", "--partial", f"{snapshot}", f"{remote.rstrip('/')}/"]
    else:
        cmd = [exe, "-r", remote, "backup", "--quiet", str(snapshot)]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=REMOTE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        return RemoteResult(
            False,
            f"off-box copy to {remote} timed out after {REMOTE_TIMEOUT_S:.0f} s; the local "
            f"snapshot {snapshot} is fine; is the remote reachable?",
        )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        return RemoteResult(
            False,
            f"off-box copy to {remote} failed ({tool} exit {done.returncode}: {last}); the "
            f"local snapshot {snapshot} is fine; check [backup] remote and that it is reachable",
        )
    return RemoteResult(True, f"copied {Path(snapshot).name} to {remote} with {tool}")
