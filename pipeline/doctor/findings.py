"""What `homeclerk doctor` reports: a finding, the commands it prints, and the report's text and
JSON (each problem once). The checks live in `checks.py` and `service_checks.py`."""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

from pipeline.commands import command_for
from pipeline.settings import Settings

CHECK_PREFIX = "check "


class Finding(NamedTuple):
    """One line of the report: what was checked, whether it is fine, and the fix if not."""

    check: str
    ok: bool
    detail: str
    fix: str | None = None
    # A problem that does not stop the pipeline (an asset check of severity WARN): still
    # reported, never "all good".
    warning: bool = False


def homeclerk_command(settings: Settings, *words: str) -> str:
    """A homeclerk command for this folder that works pasted: this homeclerk, with --config."""
    return command_for(settings.config_file, *words)


def ago(delta: dt.timedelta) -> str:
    """How long ago, in the unit a person would use (s, min, h, days)."""
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    if seconds < 172800:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def unique_problems(findings: list[Finding]) -> list[Finding]:
    """The findings with each problem once.

    A problem in the same words as an earlier one is dropped, and so is an asset check whose
    description is a fix already given (portfolio_status restates the broker marker).
    """
    seen: set[tuple[str, str | None]] = set()
    fixes: set[str] = set()
    kept = []
    for f in findings:
        if not f.ok:
            if (f.detail, f.fix) in seen or (f.check.startswith(CHECK_PREFIX) and f.fix in fixes):
                continue
            seen.add((f.detail, f.fix))
            fixes.add(f.fix or "")
        kept.append(f)
    return kept


def render(findings: list[Finding]) -> str:
    """The report: one line per finding, each problem once with its fix under it."""
    findings = unique_problems(findings)
    lines = []
    for f in findings:
        label = "ok  " if f.ok else ("WARN" if f.warning else "FAIL")
        lines.append(f"{label}  {f.check:<20} {f.detail}")
        if not f.ok and f.fix and f.fix != f.detail:
            lines.append(f"      {'':<20} fix: {f.fix}")
    bad = sum(not f.ok for f in findings)
    lines.append("")
    lines.append("all good" if not bad else f"{bad} problem(s) found")
    return "\n".join(lines)


def render_json(findings: list[Finding]) -> str:
    """`doctor --json`: the findings (each problem once) as a JSON list of objects."""
    return json.dumps([f._asdict() for f in unique_problems(findings)], indent=2)


def doctor_exit_code(findings: list[Finding]) -> int:
    """1 when any finding is a problem (a warning too), else 0."""
    return 0 if all(f.ok for f in findings) else 1
