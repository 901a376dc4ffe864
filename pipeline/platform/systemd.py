"""`homeclerk systemd`: the unit that keeps `homeclerk serve` running on Linux.

A user unit where the user has a systemd manager (a desktop, a login with lingering); a system
unit with `User=` where there is none (containers, many NAS and VPS). `user_manager` tells which
case a machine is, and `way_forward` the commands that work there, so doctor does not send the
owner in a circle (install fails, status fails the same way).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple

from assets.common.atomic import write_text_atomic
from pipeline.platform.launchd import EXIT_TIMEOUT, Result
from pipeline.platform.service_spec import ServiceSpec

UNIT_NAME = "homeclerk.service"
STATUS_PROPERTIES = ("ActiveState", "SubState", "MainPID", "NRestarts", "ExecMainStatus")

Runner = Callable[[Sequence[str]], Result]
Scope = Literal["user", "system"]

# sd_booted(3): this folder exists only when systemd is PID 1.
BOOTED_MARKER = Path("/run/systemd/system")
# A user's manager listens on <RUNTIME_ROOT>/<uid>/systemd/private once it runs.
RUNTIME_ROOT = Path("/run/user")


class SystemdError(RuntimeError):
    """A systemctl step failed: which, what it said, and the fix."""


def run_systemctl(args: Sequence[str]) -> Result:
    """Run `systemctl ARGS` (found on PATH) and capture what it says."""
    exe = shutil.which("systemctl")
    if exe is None:
        raise SystemdError(
            "systemctl is not on PATH: `homeclerk systemd install|status|uninstall` need systemd "
            "(on macOS use `homeclerk launchd`); `homeclerk systemd render` works anywhere"
        )
    done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


def _quote(text: str, command: bool = False) -> str:
    """A value for a unit file line: double-quoted, `\\` and `"` escaped, `%` doubled (no
    specifiers); in a command line `$` doubled too (systemd expands variables only there)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return '"' + (text.replace("$", "$$") if command else text) + '"'


def render_unit(spec: ServiceSpec, system_user: str | None = None) -> str:
    """The unit: restarts always (no start limit), stops the whole tree within its timeout.

    With `system_user`, a system unit that runs as that user and starts at boot
    (`multi-user.target`); without, the user unit (`default.target` of the user's manager).
    """
    env = "\n".join(f"Environment={_quote(f'{k}={v}')}" for k, v in spec.environment.items())
    exec_start = " ".join(_quote(a, command=True) for a in spec.program_arguments)
    user = f"User={system_user.replace('%', '%%')}\n" if system_user else ""
    wanted_by = "multi-user.target" if system_user else "default.target"
    return f"""\
[Unit]
Description=homeclerk: the clerk of a home server (Dagster daemon, UI, Fava, feeds)
# No start limit: a clerk that gave up after five quick crashes is quietly wrong for months.
StartLimitIntervalSec=0

[Service]
Type=simple
{user}WorkingDirectory={str(spec.working_dir).replace("%", "%%")}
{env}
ExecStart={exec_start}
Restart=always
RestartSec=5
# SIGTERM to `serve` alone (it stops its children in order), then SIGKILL to whatever is left.
KillMode=mixed
TimeoutStopSec={EXIT_TIMEOUT}
StandardOutput=append:{str(spec.stdout_path).replace("%", "%%")}
StandardError=append:{str(spec.stderr_path).replace("%", "%%")}

[Install]
WantedBy={wanted_by}
"""


def unit_path(unit_dir: Path) -> Path:
    """Where `homeclerk.service` lives in `unit_dir`."""
    return unit_dir / UNIT_NAME


def _make_folder(folder: Path, owner: str | None) -> None:
    """mkdir -p; folders made for a system unit belong to the user it runs as (made by root,
    they would leave the service unable to write its own logs and data)."""
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    if owner and os.geteuid() == 0:
        for made in missing:
            shutil.chown(made, owner)


def _flag(scope: Scope) -> list[str]:
    return ["--user"] if scope == "user" else []


def _check(result: Result, what: str, scope: Scope = "user") -> None:
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()
        journal = "journalctl --user -u homeclerk" if scope == "user" else "journalctl -u homeclerk"
        status_cmd = "homeclerk systemd status" + (" --system" if scope == "system" else "")
        raise SystemdError(
            f"{what} failed (exit {result.returncode})"
            + (f": {said}" if said else "")
            + f"; see `{journal}` and `{status_cmd}`"
        )


def install(
    spec: ServiceSpec,
    unit_dir: Path,
    run: Runner = run_systemctl,
    system_user: str | None = None,
) -> list[str]:
    """Write the unit (0644), `daemon-reload`, `enable --now`, and restart it so a changed unit
    takes effect. With `system_user`, the system unit (run as root). Returns what was done, one
    line a step."""
    scope: Scope = "system" if system_user else "user"
    path = unit_path(unit_dir)
    _make_folder(spec.stdout_path.parent, owner=system_user)
    write_text_atomic(path, render_unit(spec, system_user), mode=0o644)
    done = [f"wrote {path}"]
    for args in (
        [*_flag(scope), "daemon-reload"],
        [*_flag(scope), "enable", "--now", UNIT_NAME],
        [*_flag(scope), "restart", UNIT_NAME],
    ):
        _check(run(args), "systemctl " + " ".join(args), scope)
        done.append("systemctl " + " ".join(args))
    return done


@dataclass(frozen=True)
class UnitStatus:
    """`systemctl --user show` of the unit, as properties."""

    installed: bool
    properties: dict[str, str]

    @property
    def running(self) -> bool:
        """True when the unit is active and running."""
        return self.properties.get("ActiveState") == "active" and self.main_pid > 0

    @property
    def main_pid(self) -> int:
        """The unit's main process id (0 when none)."""
        value = self.properties.get("MainPID", "0")
        return int(value) if value.isdigit() else 0

    def lines(self) -> list[str]:
        """The status as report lines for `homeclerk systemd status`."""
        p = self.properties
        return [
            f"installed: {'yes' if self.installed else 'no'}",
            f"state:     {p.get('ActiveState', '?')} ({p.get('SubState', '?')})"
            + (f", pid {self.main_pid}" if self.main_pid else ""),
            f"restarts:  {p.get('NRestarts', '?')}",
            f"last exit: {p.get('ExecMainStatus', '?')}",
        ]


def status(unit_dir: Path, run: Runner = run_systemctl, scope: Scope = "user") -> UnitStatus:
    """`systemctl [--user] show -p …` parsed, and whether the unit file is installed."""
    result = run([*_flag(scope), "show", "-p", ",".join(STATUS_PROPERTIES), UNIT_NAME])
    _check(result, " ".join(["systemctl", *_flag(scope), "show"]), scope)
    props = {}
    for line in result.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            props[key.strip()] = value.strip()
    return UnitStatus(installed=unit_path(unit_dir).is_file(), properties=props)


def uninstall(unit_dir: Path, run: Runner = run_systemctl, scope: Scope = "user") -> list[str]:
    """`disable --now`, remove the unit, `daemon-reload`."""
    path = unit_path(unit_dir)
    done = []
    disable = ["systemctl", *_flag(scope), "disable", "--now"]
    reload = ["systemctl", *_flag(scope), "daemon-reload"]
    if path.exists():
        _check(run([*disable[1:], UNIT_NAME]), " ".join(disable), scope)
        done.append(f"{' '.join(disable)} {UNIT_NAME}")
        path.unlink()
        done.append(f"removed {path}")
    else:
        done.append(f"{path} was not there")
    _check(run(reload[1:]), " ".join(reload), scope)
    done.append(" ".join(reload))
    return done


ManagerState = Literal["user", "runtime_unset", "system_only", "none"]


class UserManager(NamedTuple):
    """Whether this user's systemd manager can be reached, and if not, why (`state`):
    "user" (it can), "runtime_unset" (it runs, but XDG_RUNTIME_DIR is not set in this shell, as
    after `su` or in a cron job), "system_only" (systemd is PID 1 but this user has no manager:
    no login session and no lingering), "none" (no systemd at all, as in most containers)."""

    state: ManagerState
    detail: str


def user_manager(
    run: Runner = run_systemctl,
    env: Mapping[str, str] = os.environ,
    uid: int | None = None,
) -> UserManager:
    """Ask the user's manager for its environment; on failure, find out why from the files."""
    uid = os.getuid() if uid is None else uid
    try:
        result = run(["--user", "show-environment"])
    except SystemdError as exc:  # systemctl is not on PATH
        return UserManager("none", str(exc).partition(":")[0])
    if result.returncode == 0:
        return UserManager("user", "the user's systemd manager answers")
    said = " ".join((result.stderr or result.stdout).split()) or f"exit {result.returncode}"
    if (RUNTIME_ROOT / str(uid) / "systemd" / "private").exists() and not env.get(
        "XDG_RUNTIME_DIR"
    ):
        return UserManager(
            "runtime_unset",
            f"`systemctl --user` cannot reach the user manager ({said}): it runs, but "
            "XDG_RUNTIME_DIR is not set in this shell",
        )
    if BOOTED_MARKER.is_dir():
        return UserManager(
            "system_only",
            f"`systemctl --user` cannot reach a user manager ({said}): this user has no login "
            "session with systemd and no lingering",
        )
    return UserManager(
        "none", f"no systemd on this machine (PID 1 is not systemd; `systemctl --user`: {said})"
    )


class WayForward(NamedTuple):
    """What to paste (`command`, None when no command would do) and what it does (`note`)."""

    command: str | None
    note: str


def way_forward(
    manager: UserManager, homeclerk: Callable[..., str], user: str, uid: int | None = None
) -> WayForward:
    """The commands that work where `manager` says this machine is, to paste as they are.

    `homeclerk(*words)` spells a homeclerk command for this folder (its --config)."""
    uid = os.getuid() if uid is None else uid
    if manager.state == "user":
        return WayForward(homeclerk("systemd", "install"), "install the user unit")
    if manager.state == "runtime_unset":
        return WayForward(
            f"export XDG_RUNTIME_DIR={RUNTIME_ROOT}/{uid} && {homeclerk('systemd', 'install')}",
            "point this shell at the running user manager, then install the user unit",
        )
    if manager.state == "system_only":
        return WayForward(
            "sudo " + homeclerk("systemd", "install", "--system", "--user", user),
            f"a system unit that runs as {user} and starts at boot; or else "
            f"`sudo loginctl enable-linger {user}`, log in again (a new login starts the user "
            f"manager) and `{homeclerk('systemd', 'install')}`",
        )
    return WayForward(
        None,
        f"without systemd there is no unit to install: keep `{homeclerk('serve')}` running "
        "with the supervisor this machine has (a container's restart policy such as "
        "`--restart unless-stopped`, supervisord, runit)",
    )
