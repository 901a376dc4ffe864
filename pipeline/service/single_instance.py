"""One server per instance: a lock file (flock) holding the owner's PID and port.

The kernel drops the lock when its process dies however it dies, so a stale file never blocks a
restart; a second start reads who holds it and refuses.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pipeline.settings import Settings, setting_fix


class AlreadyRunningError(RuntimeError):
    """Another process holds the lock."""

    def __init__(self, pid: int | None, port: int | None, lock_file: Path) -> None:
        self.pid, self.port, self.lock_file = pid, port, lock_file
        super().__init__(f"already running (pid {pid or '?'}, port {port or '?'})")


class PortBusyError(OSError):
    """The port to listen on is taken by another program.

    `fix` says how to choose another port where this port came from (an option, a setting)."""

    def __init__(self, port: int, what: str, fix: str = "choose another port with --port") -> None:
        self.port = port
        super().__init__(
            f"{what} cannot listen on 127.0.0.1:{port}: the port is in use by another program "
            f"(see `lsof -i :{port}`); stop it or {fix}"
        )


@contextlib.contextmanager
def single_instance(lock_file: Path, port: int) -> Iterator[None]:
    """Hold `lock_file` for the `with` block, or raise AlreadyRunningError naming the holder."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    # Not inherited by children (Python's default): the lock is this process's alone.
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd)
            raise AlreadyRunningError(holder.get("pid"), holder.get("port"), lock_file) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "port": port}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def _read(fd: int) -> dict[str, int]:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        return {}  # the holder is between truncate and write
    return data if isinstance(data, dict) else {}


def ensure_port_free(
    port: int, what: str, host: str = "127.0.0.1", fix: Callable[[], str] | None = None
) -> None:
    """Raise PortBusyError when nothing of ours can listen on host:port (`fix()`: how to choose
    another, when the port did not come from --port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            if fix is None:
                raise PortBusyError(port, what) from None
            raise PortBusyError(port, what, fix()) from None


def port_setting_fix(settings: Settings, key: str, taken: Iterable[int] = ()) -> Callable[[], str]:
    """How to move the server of `[service] key` to a free port, as text that pastes."""

    def fix() -> str:
        avoid = set(taken) | {getattr(settings.service, key)}
        free = next(
            p
            for p in range(getattr(settings.service, key) + 1, 65536)
            if p not in avoid and _bindable(p)
        )
        return "choose another port: " + setting_fix(settings, f"service.{key}", str(free))

    return fix


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True
