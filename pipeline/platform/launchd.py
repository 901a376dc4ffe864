"""`homeclerk launchd`: the LaunchAgent that keeps `homeclerk serve` running on macOS.

Plain functions: the plist as a dict and as bytes, the `launchctl` command sequences for install,
status and uninstall (through a runner, so they are testable where launchctl does not exist),
`launchctl print` parsed, and launchd's error codes in words.
"""

from __future__ import annotations

import os
import plistlib
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assets.common.atomic import write_bytes_atomic
from pipeline.deadlines import STOP_DEADLINE_SECONDS
from pipeline.platform.service_spec import ServiceSpec

# launchd (ExitTimeOut) and systemd (TimeoutStopSec) wait this long after SIGTERM before
# SIGKILL: `serve` lets a run in flight finish (30 s), then stops every child (15 s); both
# defaults (about 20 s, 90 s) are not that, so both files say it.
EXIT_TIMEOUT = int(STOP_DEADLINE_SECONDS) + 5
# Minimum seconds between launches of a KeepAlive job: a crash loop costs little, a restart
# after a crash comes quickly.
THROTTLE_INTERVAL = 10
NOT_LOADED_CODE = 113
# How long to wait for a booted-out job to drain before bootstrapping it again.
DRAIN_SECONDS = 10.0

Runner = Callable[[Sequence[str]], "Result"]


@dataclass(frozen=True)
class Result:
    """What a launchctl call returned: its exit code and output."""

    returncode: int
    stdout: str
    stderr: str


class LaunchdError(RuntimeError):
    """A launchctl step failed: the message says which, launchd's words, and the fix."""


class LaunchctlFailedError(LaunchdError):
    """`launchctl ARGS` exited with `returncode`; `said` is its own output, if worth quoting."""

    def __init__(self, args: Sequence[str], returncode: int, said: str = "") -> None:
        self.command, self.returncode, self.said = tuple(args), returncode, said
        super().__init__(
            f"launchctl {' '.join(args)} failed: {returncode}: {explain(returncode)}"
            + (f" (launchctl said: {said})" if said else "")
        )


def run_launchctl(args: Sequence[str]) -> Result:
    """Run `launchctl ARGS` (found on PATH) and capture what it says."""
    exe = shutil.which("launchctl")
    if exe is None:
        raise LaunchdError(
            "launchctl is not on PATH: `homeclerk launchd install|status|uninstall` run on "
            "macOS (on Linux use `homeclerk systemd`); `homeclerk launchd render` works anywhere"
        )
    done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)
    return Result(done.returncode, done.stdout, done.stderr)


def plist_dict(spec: ServiceSpec) -> dict[str, Any]:
    """The LaunchAgent for `spec`: KeepAlive + RunAtLoad, every path absolute, logs always set."""
    return {
        "Label": spec.label,
        "ProgramArguments": list(spec.program_arguments),
        "WorkingDirectory": str(spec.working_dir),
        "EnvironmentVariables": dict(spec.environment),
        "StandardOutPath": str(spec.stdout_path),
        "StandardErrorPath": str(spec.stderr_path),
        "RunAtLoad": True,
        "KeepAlive": True,
        "ExitTimeOut": EXIT_TIMEOUT,
        "ThrottleInterval": THROTTLE_INTERVAL,
        # Background: launchd may throttle CPU and I/O, which suits a clerk that idles.
        "ProcessType": "Background",
    }


def plist_bytes(spec: ServiceSpec) -> bytes:
    """The plist as XML, as written to the LaunchAgents folder."""
    return plistlib.dumps(plist_dict(spec), fmt=plistlib.FMT_XML, sort_keys=False)


def plist_path(agents_dir: Path, label: str) -> Path:
    """Where the LaunchAgent for `label` lives in `agents_dir`."""
    return agents_dir / f"{label}.plist"


# launchctl's error numbers (errno values, plus launchd's own) in words, with the fix.
_ERRORS = {
    1: "Operation not permitted: launchd refused (a job in another user's domain, or a plist "
    "owned by someone else); check the plist's owner and that you run this as yourself",
    3: "No such process: the job is not loaded",
    5: "Input/output error: most often the label is still loaded (or still draining right after "
    "a bootout); otherwise launchd rejected the plist. Fix: `homeclerk launchd uninstall`, wait a "
    "few seconds, install again; if it persists run `homeclerk launchd lint` on the plist",
    17: "File exists: the job is already loaded; `homeclerk launchd uninstall` first",
    37: "Operation already in progress: launchd is still starting or stopping the job; retry "
    "in a few seconds",
    78: "EX_CONFIG: launchd could not set the job up as asked (a path that does not exist, a "
    "missing working directory); run `homeclerk launchd lint` on the plist",
    113: "not loaded: launchd has no job with this label in your GUI session",
    119: "Service is disabled: `launchctl enable gui/<uid>/<label>`, then install again",
    126: "the program is not executable: rebuild it with `homeclerk launchd build-launcher`",
    127: "the launcher's target is missing (the homeclerk script moved or the virtualenv was "
    "removed): rebuild it with `homeclerk launchd build-launcher`",
}


def explain(code: int) -> str:
    """launchctl's (or the job's) exit code in words, with the fix when there is one."""
    return _ERRORS.get(code, f"launchctl error {code}")


def exit_code_words(text: str | None) -> str:
    """`last exit code` from `launchctl print` in words: never exited, success, a code, a
    signal."""
    if text is None:
        return "unknown"
    text = text.strip()
    if text.startswith("(never exited)") or text == "":
        return "never exited"
    match = re.match(r"(-?\d+)", text)
    if match:
        code = int(match.group(1))
        if code == 0:
            return "0 (success)"
        if code < 0:
            return f"{code} (killed by signal {-code})"
        return f"{code} ({explain(code)})" if code in _ERRORS else f"{code} (failed)"
    return f"{text} (killed by a signal)" if text.startswith("SIG") else text


@dataclass(frozen=True)
class JobStatus:
    """What launchd says about the job, and whether its plist is installed."""

    installed: bool
    loaded: bool
    state: str | None = None
    pid: int | None = None
    runs: int | None = None
    last_exit_code: str | None = None
    path: str | None = None

    @property
    def running(self) -> bool:
        """True when launchd reports the job running with a pid."""
        return self.state == "running" and self.pid is not None

    @property
    def has_run(self) -> bool:
        """The job fired at least once since it was loaded ("exists" is not "fired")."""
        return bool(self.runs)

    def lines(self) -> list[str]:
        """The status in words, one fact a line."""
        out = [f"installed: {'yes' if self.installed else 'no'}"]
        out.append(f"loaded:    {'yes' if self.loaded else 'no'}")
        if self.loaded:
            out.append(
                f"state:     {self.state or 'unknown'}"
                + (f" (pid {self.pid})" if self.pid is not None else "")
            )
            out.append(
                f"runs:      {self.runs if self.runs is not None else 'unknown'}"
                + ("" if self.has_run else " (loaded but has never run: check the plist)")
            )
            out.append(f"last exit: {exit_code_words(self.last_exit_code)}")
        return out


def parse_print(text: str) -> dict[str, str]:
    """The job's own `key = value` lines from `launchctl print` (the outer block only: the
    nested environment and sockets blocks are skipped, so a variable named `state` or a secret
    in the environment is never read)."""
    fields: dict[str, str] = {}
    depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if line.endswith("{"):
            depth += 1
            continue
        if line.startswith("}"):
            depth = max(0, depth - 1)
            continue
        if depth != 1:
            continue
        key, sep, value = line.partition(" = ")
        if sep and key not in fields:
            fields[key.strip()] = value.strip()
    return fields


def _int(text: str | None) -> int | None:
    match = re.match(r"-?\d+", text or "")
    return int(match.group(0)) if match else None


def status(agents_dir: Path, label: str, uid: int, run: Runner = run_launchctl) -> JobStatus:
    """`launchctl print gui/<uid>/<label>`, parsed, and whether the plist file is installed."""
    installed = plist_path(agents_dir, label).is_file()
    result = run(["print", f"gui/{uid}/{label}"])
    if result.returncode != 0:
        if result.returncode == NOT_LOADED_CODE or "Could not find service" in (
            result.stdout + result.stderr
        ):
            return JobStatus(installed=installed, loaded=False)
        raise LaunchctlFailedError(["print", f"gui/{uid}/{label}"], result.returncode)
    fields = parse_print(result.stdout)
    return JobStatus(
        installed=installed,
        loaded=True,
        state=fields.get("state"),
        pid=_int(fields.get("pid")),
        runs=_int(fields.get("runs")),
        last_exit_code=fields.get("last exit code"),
        path=fields.get("path"),
    )


def _bootout(uid: int, label: str, run: Runner) -> str:
    """Unload the job; "not loaded" is fine. Wait until launchd has let go of the label."""
    result = run(["bootout", f"gui/{uid}/{label}"])
    if result.returncode == 0:
        _wait_unloaded(uid, label, run)
        return "booted out the running job"
    # 3 (older macOS) or 5 (newer) when the job is not loaded: ignorable, if print agrees.
    if result.returncode in (3, 5, NOT_LOADED_CODE) and _is_unloaded(uid, label, run):
        return "was not loaded"
    said = (result.stderr or result.stdout).strip()
    raise LaunchctlFailedError(["bootout", f"gui/{uid}/{label}"], result.returncode, said)


def _is_unloaded(uid: int, label: str, run: Runner) -> bool:
    return run(["print", f"gui/{uid}/{label}"]).returncode == NOT_LOADED_CODE


def _wait_unloaded(uid: int, label: str, run: Runner, seconds: float = DRAIN_SECONDS) -> None:
    # A bootstrap right after a bootout fails with 5 while the old job drains.
    deadline = time.monotonic() + seconds
    while not _is_unloaded(uid, label, run):
        if time.monotonic() > deadline:
            raise LaunchdError(
                f"gui/{uid}/{label} is still loaded {seconds:.0f} s after bootout (still "
                "stopping?); run `homeclerk launchd status`, then install again"
            )
        time.sleep(0.2)


def install(
    spec: ServiceSpec, agents_dir: Path, uid: int, run: Runner = run_launchctl
) -> list[str]:
    """Write the plist (0644), then bootout (ignoring "not loaded"), bootstrap, kickstart -k.

    Refuses a plist that lint faults (a job that would load and never run). Returns what was
    done, one line a step; raises LaunchdError naming the failed step in words.
    """
    from pipeline.platform.plist_lint import lint_plist

    path = plist_path(agents_dir, spec.label)
    spec.stdout_path.parent.mkdir(parents=True, exist_ok=True)  # launchd creates no folders
    spec.stderr_path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, plist_bytes(spec), mode=0o644)
    findings = lint_plist(path)
    if findings:
        raise LaunchdError(
            f"wrote {path} but did not load it:\n"
            + "\n".join(f"  {f.key}: {f.problem}; fix: {f.fix}" for f in findings)
        )
    done = [f"wrote {path}"]
    done.append(f"bootout gui/{uid}/{spec.label}: {_bootout(uid, spec.label, run)}")
    result = run(["bootstrap", f"gui/{uid}", str(path)])
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()
        raise LaunchctlFailedError(["bootstrap", f"gui/{uid}", str(path)], result.returncode, said)
    done.append(f"bootstrap gui/{uid} {path}: loaded")
    result = run(["kickstart", "-k", f"gui/{uid}/{spec.label}"])
    if result.returncode != 0:
        raise LaunchctlFailedError(
            ["kickstart", "-k", f"gui/{uid}/{spec.label}"], result.returncode
        )
    done.append(f"kickstart -k gui/{uid}/{spec.label}: started")
    return done


def uninstall(agents_dir: Path, label: str, uid: int, run: Runner = run_launchctl) -> list[str]:
    """bootout (ignoring "not loaded"), then remove the plist so it does not load at login."""
    done = [f"bootout gui/{uid}/{label}: {_bootout(uid, label, run)}"]
    path = plist_path(agents_dir, label)
    if path.exists():
        path.unlink()
        done.append(f"removed {path}")
    else:
        done.append(f"{path} was not there")
    return done


def current_uid() -> int:
    """The current user's id (launchd's `gui/<uid>` domain)."""
    return os.getuid()


LAUNCHER_SOURCE = Path(__file__).resolve().parents[2] / "launchd" / "launcher.c"


def c_string(text: str) -> str:
    """`text` as a C string literal (for `-DTARGET=…`)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def build_launcher(
    target: Path, out: Path, cc: str | None = None, source: Path = LAUNCHER_SOURCE
) -> Path:
    """Compile the launcher with `target` (absolute) compiled in, into `out` (atomically: a
    running launcher is never overwritten in place). Returns `out`."""
    if not target.is_absolute():
        raise LaunchdError(f"the launcher's target {target} must be an absolute path")
    compiler = cc or shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
    if compiler is None:
        raise LaunchdError(
            "no C compiler (cc) on PATH: on macOS run `xcode-select --install`; on Debian "
            "`apt-get install gcc`"
        )
    if not source.is_file():
        raise LaunchdError(f"{source} is missing: run this from a homeclerk source checkout")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Built under its final name (the linker's ad-hoc signature on macOS takes its identifier
    # from the file name), in a scratch folder beside it, then renamed over the old one.
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=out.parent))
    tmp = scratch / out.name
    cmd = [compiler, "-O2", "-Wall", "-Wextra", f"-DTARGET={c_string(str(target))}"]
    try:
        done = subprocess.run(
            [*cmd, "-o", str(tmp), str(source)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise LaunchdError(f"{compiler} failed to build the launcher:\n{done.stderr.strip()}")
        os.chmod(tmp, 0o755)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out
