"""`homeclerk launchd lint`: real plist files written with plistlib, each mistake found with its
key and fix; a good plist has no finding."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.platform.plist_lint import lint_plist


def _good(tmp_path: Path) -> dict[str, Any]:
    program = tmp_path / "tool"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return {
        "Label": "com.example.job",
        "ProgramArguments": [str(program), "run"],
        "StandardOutPath": str(tmp_path / "out.log"),
        "StandardErrorPath": str(tmp_path / "err.log"),
        "WorkingDirectory": str(tmp_path),
        "EnvironmentVariables": {"PATH": "/usr/bin:/bin"},
        "StartCalendarInterval": {"Hour": 7, "Minute": 0},
    }


def _write(tmp_path: Path, data: dict[str, Any], mode: int = 0o644) -> Path:
    path = tmp_path / "job.plist"
    path.write_bytes(plistlib.dumps(data))
    path.chmod(mode)
    return path


def test_a_good_plist_has_no_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _good(tmp_path))
    assert lint_plist(path) == []
    assert main(["launchd", "lint", str(path)]) == 0
    assert "ok" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "key", "problem", "fix"),
    [
        (lambda d, t: d.pop("StandardOutPath"), "StandardOutPath", "not set", "absolute"),
        (lambda d, t: d.pop("StandardErrorPath"), "StandardErrorPath", "not set", "absolute"),
        (
            lambda d, t: d.update(StandardOutPath="logs/out.log"),
            "StandardOutPath",
            "relative",
            "absolute",
        ),
        (
            lambda d, t: d.update(StandardErrorPath="~/Library/Logs/x.log"),
            "StandardErrorPath",
            "expand ~",
            "full",
        ),
        (
            lambda d, t: d.update(WorkingDirectory="$HOME/job"),
            "WorkingDirectory",
            "$VARIABLES",
            "in full",
        ),
        (
            lambda d, t: d.update(EnvironmentVariables={"RETRIES": 3}),
            "EnvironmentVariables.RETRIES",
            "not a string",
            "<string>3</string>",
        ),
        (
            lambda d, t: d.update(ProgramArguments=[str(t / "missing"), "x"]),
            "ProgramArguments[0]",
            "does not exist",
            "correct the path",
        ),
        (
            lambda d, t: d.update(Program=str(t / "missing")),
            "Program",
            "does not exist",
            "correct the path",
        ),
        (
            lambda d, t: d.update(ThrottleInterval=80000),
            "ThrottleInterval",
            "StartCalendarInterval period (86400 s)",
            "far below the period",
        ),
        (
            lambda d, t: d.update(StartInterval=3600, ThrottleInterval=3000),
            "ThrottleInterval",
            "StartInterval period (3600 s)",
            "far below",
        ),
    ],
)
def test_each_mistake_is_found_with_key_and_fix(
    tmp_path: Path, change: Any, key: str, problem: str, fix: str
) -> None:
    data = _good(tmp_path)
    change(data, tmp_path)
    findings = lint_plist(_write(tmp_path, data))
    assert [f.key for f in findings] == [key]
    assert problem in findings[0].problem
    assert fix in findings[0].fix


def test_a_throttle_far_below_a_daily_period_is_fine(tmp_path: Path) -> None:
    data = _good(tmp_path)
    data["ThrottleInterval"] = 3600
    assert lint_plist(_write(tmp_path, data)) == []


def test_a_group_writable_plist_is_found(tmp_path: Path) -> None:
    findings = lint_plist(_write(tmp_path, _good(tmp_path), mode=0o664))
    assert [(f.key, f.fix) for f in findings] == [("(file)", f"chmod 644 {tmp_path / 'job.plist'}")]


def test_lint_command_exits_1_naming_key_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _good(tmp_path)
    del data["StandardErrorPath"]
    bad = _write(tmp_path, data)
    assert main(["launchd", "lint", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "StandardErrorPath: is not set" in out and "fix: set StandardErrorPath" in out


def test_a_file_that_is_not_a_plist(tmp_path: Path) -> None:
    path = tmp_path / "junk.plist"
    path.write_text("not a plist")
    findings = lint_plist(path)
    assert findings[0].key == "(file)" and "not a readable plist" in findings[0].problem
