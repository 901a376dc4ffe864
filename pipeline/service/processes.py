"""Child servers that stop with their parent: SIGTERM/SIGINT/SIGHUP stop the whole tree.

A service manager sends SIGTERM to `homeclerk ui`; its UI process has a child of its own (the
code server) that would otherwise be orphaned.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

# Every child `serve` starts carries its service's mark (the absolute log folder, where its
# `children.pids` lives): in its environment, and for the Python children in its command line as
# an `-X` option (CPython keeps unknown ones in `sys._xoptions` and ignores them), since `ps` on
# macOS shows another process's command line but not its environment. A recorded PID is only
# killed when the process carries this service's mark: a PID file restored from another
# folder's snapshot, or a PID reused by the system, names someone else's process.
OWNER_ENV = "HOMECLERK_SERVICE"
OWNER_XOPTION = "homeclerk_service"


class StopRequested(Exception):
    """A stop signal arrived."""


def descendants(pid: int) -> set[int]:
    """Every process below `pid` right now (children, grandchildren, …), from `ps`."""
    out = subprocess.run(
        ["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True, check=False
    ).stdout
    children: dict[int, list[int]] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            children.setdefault(int(parts[1]), []).append(int(parts[0]))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def run_workers_below(pid: int) -> set[int]:
    """The processes below `pid` that can be run workers: all but multiprocessing's resource
    tracker, which the code server keeps for as long as it lives."""
    out = subprocess.run(
        ["ps", "-A", "-ww", "-o", "pid=,command="], capture_output=True, text=True, check=False
    ).stdout
    commands = {}
    for line in out.splitlines():
        number, _, command = line.strip().partition(" ")
        if number.isdigit():
            commands[int(number)] = command
    below = descendants(pid)
    return {p for p in below if "resource_tracker" not in commands.get(p, "")}


def owner_mark(log_dir: Path) -> str:
    """The mark of the service whose log folder (and `children.pids`) is `log_dir`."""
    return str(Path(log_dir).resolve())


def owner_argv(owner: str) -> tuple[str, str]:
    """Python interpreter options that put `owner` in the command line `ps` shows."""
    return ("-X", f"{OWNER_XOPTION}={owner}")


def belongs_to(pid: int, owner: str, proc_root: Path = Path("/proc")) -> bool:
    """Whether `pid` carries the service mark `owner`; False when that cannot be told.

    Linux: its environment (or its command line) in /proc; elsewhere its command line from
    `ps -o command=`, where only the Python children carry the mark.
    """
    if (proc_root / "self").is_dir():
        return _proc_belongs(pid, owner, proc_root / str(pid))
    return _ps_belongs(pid, owner)


def _proc_belongs(pid: int, owner: str, folder: Path) -> bool:
    try:
        if f"{OWNER_ENV}={owner}".encode() in (folder / "environ").read_bytes().split(b"\0"):
            return True
    except OSError:
        pass  # not ours to read (another user's), or gone
    try:
        args = (folder / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"{OWNER_XOPTION}={owner}".encode() in args


def _ps_belongs(pid: int, owner: str) -> bool:
    try:
        done = subprocess.run(
            ["ps", "-ww", "-o", "command=", "-p", str(pid)],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    if done.returncode != 0:
        return False
    # The whole argument, not the start of a longer path (`…/logs2`).
    return f" {OWNER_XOPTION}={owner} " in f" {done.stdout.strip()} "


def alive(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    from pipeline.service.runs import pid_alive

    return pid_alive(pid)


def run_until_stopped(
    cmd: Sequence[str], cwd: Path, grace_seconds: float = 20.0, env: dict[str, str] | None = None
) -> int:
    """Run `cmd` in its own process group until it exits or this process is told to stop.

    On SIGTERM, SIGINT or SIGHUP: SIGINT to the child (what Ctrl-C does), which stops its own
    children in order, then SIGKILL to whatever of the tree is still there after
    `grace_seconds`. Returns the child's exit code (128 + signal when stopped).
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        raise StopRequested(signum)

    previous = {s: signal.signal(s, stop) for s in STOP_SIGNALS}
    child = subprocess.Popen(list(cmd), cwd=cwd, env=env, start_new_session=True)
    try:
        try:
            return child.wait()
        except StopRequested as exc:
            signum = int(exc.args[0])
            # Further signals must not interrupt the shutdown itself.
            for s in STOP_SIGNALS:
                signal.signal(s, signal.SIG_IGN)
            stop_tree(child, grace_seconds)
            return 128 + signum
    finally:
        if child.poll() is None:
            stop_tree(child, grace_seconds)
        for s, handler in previous.items():
            signal.signal(s, handler)


def stop_tree(child: subprocess.Popen, grace_seconds: float) -> None:
    """SIGINT the child, wait, then SIGKILL every process left of its tree.

    The child alone: the UI's code server must outlive the daemon's last sensor tick (a code
    server stopped with it makes every tick in flight log a traceback); the child stops it.
    """
    tree = descendants(child.pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(child.pid, signal.SIGINT)
    start = time.monotonic()
    deadline = start + grace_seconds
    termed = False
    while time.monotonic() < deadline:
        if not termed and time.monotonic() > start + grace_seconds / 2:
            # Half the grace gone: ask what is left (e.g. children in their own sessions) directly.
            termed = True
            for pid in tree:
                _signal(pid, signal.SIGTERM)
        if child.poll() is None:
            tree |= descendants(child.pid)  # children started while shutting down
        tree = {p for p in tree if alive(p)}
        if child.poll() is not None and not tree:
            return
        time.sleep(0.2)
    for pid in tree | ({child.pid} if child.poll() is None else set()):
        _signal(pid, signal.SIGKILL)
    child.wait()


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def serve_until_signalled(server: Any, poll_interval: float) -> None:
    """Run a stdlib HTTP server's `serve_forever` until SIGTERM or SIGINT, then close it (the
    standalone servers: the feed server and the SMS webhook run as `python -m …`)."""

    def stop(signum: int, frame: object) -> None:
        # shutdown() waits for serve_forever to return: call it from another thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=poll_interval)
    finally:
        server.server_close()
