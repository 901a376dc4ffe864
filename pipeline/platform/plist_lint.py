"""`homeclerk launchd lint PLIST…`: the launchd mistakes that load fine and then fail quietly.

Works on any job's plist, not only homeclerk's. Findings are data (key, problem, fix).
"""

from __future__ import annotations

import os
import plistlib
import stat
from pathlib import Path
from typing import Any, NamedTuple

PATH_KEYS = ("StandardOutPath", "StandardErrorPath", "WorkingDirectory", "Program", "RootDirectory")
DAY = 86400
# A ThrottleInterval this close to a periodic job's period (or longer) makes launchd skip runs
# without a word: the daily job that missed three mornings.
THROTTLE_MARGIN = 3 * 3600


class LintFinding(NamedTuple):
    """One problem in a plist: the key, what is wrong and the fix."""

    key: str
    problem: str
    fix: str


def lint_plist(path: Path) -> list[LintFinding]:
    """Every finding for the plist file at `path` (its permissions and its content)."""
    findings: list[LintFinding] = []
    try:
        with open(path, "rb") as handle:
            data = plistlib.load(handle)
    except FileNotFoundError:
        return [LintFinding("(file)", f"{path} does not exist", "give the path of a .plist")]
    except (plistlib.InvalidFileException, ValueError, OSError) as exc:
        return [LintFinding("(file)", f"{path} is not a readable plist ({exc})", f"plutil {path}")]
    mode = os.stat(path).st_mode
    if mode & (stat.S_IWGRP | stat.S_IWOTH):
        findings.append(
            LintFinding(
                "(file)",
                f"mode {stat.S_IMODE(mode):04o}: writable by others (launchd refuses it, and "
                "anyone who can write it runs code as you)",
                f"chmod 644 {path}",
            )
        )
    if not isinstance(data, dict):
        return [*findings, LintFinding("(file)", "the top level is not a dictionary", "<dict>…")]
    return findings + lint_dict(data)


def lint_dict(data: dict[str, Any]) -> list[LintFinding]:
    """Every finding for a plist's content."""
    findings: list[LintFinding] = []
    for key in ("StandardOutPath", "StandardErrorPath"):
        if key not in data:
            findings.append(
                LintFinding(
                    key,
                    "is not set: a failing job leaves no trace",
                    f"set {key} to an absolute file path, e.g. ~/Library/Logs/<label>.log "
                    "written out in full",
                )
            )
    for key in PATH_KEYS:
        if key in data:
            findings.extend(_path_problems(key, data[key]))
    args = data.get("ProgramArguments")
    if args is not None and (
        not isinstance(args, list) or not args or not all(isinstance(a, str) for a in args)
    ):
        findings.append(
            LintFinding(
                "ProgramArguments", "must be a non-empty array of strings", "<array><string>…"
            )
        )
        args = None
    if args:
        findings.extend(_path_problems("ProgramArguments[0]", args[0]))
    program_key, program = (
        ("Program", data["Program"]) if "Program" in data else ("ProgramArguments[0]", None)
    )
    if program is None and args:
        program = args[0]
    if program is None:
        findings.append(
            LintFinding(
                "ProgramArguments", "neither Program nor ProgramArguments is set", "set one"
            )
        )
    elif isinstance(program, str) and os.path.isabs(program) and not os.path.exists(program):
        findings.append(
            LintFinding(
                program_key,
                f"{program} does not exist: the job loads and then never runs",
                "install the program there or correct the path (for homeclerk: "
                "`homeclerk launchd build-launcher`, then install again)",
            )
        )
    env = data.get("EnvironmentVariables", {})
    if not isinstance(env, dict):
        findings.append(LintFinding("EnvironmentVariables", "must be a dictionary", "<dict>…"))
    else:
        for name, value in env.items():
            if not isinstance(value, str):
                findings.append(
                    LintFinding(
                        f"EnvironmentVariables.{name}",
                        f"is {type(value).__name__} {value!r}, not a string",
                        f"write it as <string>{value}</string>",
                    )
                )
    findings.extend(_throttle(data))
    return findings


def _path_problems(key: str, value: Any) -> list[LintFinding]:
    if not isinstance(value, str):
        return [LintFinding(key, f"is {value!r}, not a string path", "an absolute path string")]
    if value.startswith("~"):
        return [
            LintFinding(
                key, f"{value!r}: launchd does not expand ~", "write the full /Users/… path"
            )
        ]
    if "$" in value:
        return [
            LintFinding(
                key,
                f"{value!r}: launchd does not expand $VARIABLES",
                "write the value out in full",
            )
        ]
    if not os.path.isabs(value):
        return [
            LintFinding(
                key,
                f"{value!r} is relative: launchd resolves it against / (not your folder)",
                "write an absolute path",
            )
        ]
    return []


def _period(data: dict[str, Any]) -> tuple[str, int] | None:
    """The job's period in seconds, from StartInterval or StartCalendarInterval."""
    interval = data.get("StartInterval")
    if isinstance(interval, int) and not isinstance(interval, bool) and interval > 0:
        return "StartInterval", interval
    calendar = data.get("StartCalendarInterval")
    entries = calendar if isinstance(calendar, list) else [calendar] if calendar else []
    periods = []
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        # The coarsest field left unset sets the period: no Minute → hourly, no Hour → daily…
        if "Minute" not in entry:
            periods.append(60)
        elif "Hour" not in entry:
            periods.append(3600)
        elif "Weekday" in entry:
            periods.append(7 * DAY)
        elif "Day" in entry or "Month" in entry:
            periods.append(28 * DAY)
        else:
            periods.append(DAY)
    if not periods:
        return None
    # Several entries: they fire that many times per period.
    return "StartCalendarInterval", min(periods) // len(periods) if len(periods) > 1 else periods[0]


def _throttle(data: dict[str, Any]) -> list[LintFinding]:
    throttle = data.get("ThrottleInterval")
    period = _period(data)
    if not isinstance(throttle, int) or isinstance(throttle, bool) or period is None:
        return []
    key, seconds = period
    margin = min(THROTTLE_MARGIN, seconds // 2)  # an hourly job: half its period
    if throttle >= seconds - margin:
        return [
            LintFinding(
                "ThrottleInterval",
                f"{throttle} s is within {margin} s of the {key} period "
                f"({seconds} s): launchd skips runs that come sooner than that after the last "
                "launch, silently",
                "remove ThrottleInterval (default 10 s) or set it far below the period",
            )
        ]
    return []
