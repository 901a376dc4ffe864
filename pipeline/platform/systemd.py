"""`homeclerk systemd`: the user unit that keeps `homeclerk serve` running on Linux."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assets.common.atomic import write_text_atomic
from pipeline.platform.launchd import EXIT_TIMEOUT, Result
from pipeline.platform.service_spec import ServiceSpec

UNIT_NAME = "homeclerk.service"
STATUS_PROPERTIES = ("ActiveState", "SubState", "MainPID", "NRestarts", "ExecMainStatus")

Runner = Callable[[Sequence[str]], Result]


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


def render_unit(spec: ServiceSpec) -> str:
    """The user unit: restarts always (no start limit), stops the whole tree within 30 s."""
    env = "\n".join(f"Environment={_quote(f'{k}={v}')}" for k, v in spec.environment.items())
    exec_start = " ".join(_quote(a, command=True) for a in spec.program_arguments)
    return f"""\
[Unit]
Description=homeclerk: the clerk of a home server (Dagster daemon, UI, Fava, feeds)
# No start limit: a clerk that gave up after five quick crashes is quietly wrong for months.
StartLimitIntervalSec=0

[Service]
Type=simple
WorkingDirectory={str(spec.working_dir).replace("%", "%%")}
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
WantedBy=default.target
"""


def unit_path(unit_dir: Path) -> Path:
    """Where `homeclerk.service` lives in `unit_dir`."""
    return unit_dir / UNIT_NAME


def _check(result: Result, what: str) -> None:
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()
        raise SystemdError(
            f"{what} failed (exit {result.returncode})"
            + (f": {said}" if said else "")
            + "; see `journalctl --user -u homeclerk` and `homeclerk systemd status`"
        )


def install(spec: ServiceSpec, unit_dir: Path, run: Runner = run_systemctl) -> list[str]:
    """Write the unit (0644), `daemon-reload`, `enable --now`, and restart it so a changed unit
    takes effect. Returns what was done, one line a step."""
    path = unit_path(unit_dir)
    spec.stdout_path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, render_unit(spec), mode=0o644)
    done = [f"wrote {path}"]
    for args in (
        ["--user", "daemon-reload"],
        ["--user", "enable", "--now", UNIT_NAME],
        ["--user", "restart", UNIT_NAME],
    ):
        _check(run(args), "systemctl " + " ".join(args))
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


def status(unit_dir: Path, run: Runner = run_systemctl) -> UnitStatus:
    """`systemctl --user show -p …` parsed, and whether the unit file is installed."""
    result = run(["--user", "show", "-p", ",".join(STATUS_PROPERTIES), UNIT_NAME])
    _check(result, "systemctl --user show")
    props = {}
    for line in result.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            props[key.strip()] = value.strip()
    return UnitStatus(installed=unit_path(unit_dir).is_file(), properties=props)


def uninstall(unit_dir: Path, run: Runner = run_systemctl) -> list[str]:
    """`disable --now`, remove the unit, `daemon-reload`."""
    path = unit_path(unit_dir)
    done = []
    if path.exists():
        _check(run(["--user", "disable", "--now", UNIT_NAME]), "systemctl --user disable --now")
        done.append(f"systemctl --user disable --now {UNIT_NAME}")
        path.unlink()
        done.append(f"removed {path}")
    else:
        done.append(f"{path} was not there")
    _check(run(["--user", "daemon-reload"]), "systemctl --user daemon-reload")
    done.append("systemctl --user daemon-reload")
    return done
