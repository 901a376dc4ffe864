"""`homeclerk systemd`: the unit passes `systemd-analyze verify`; install/status/uninstall run
the right `systemctl --user` calls (against a recording stand-in, never the real systemd)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.deadlines import RUN_STOP_GRACE_SECONDS, STOP_GRACE_SECONDS
from pipeline.platform import systemd
from pipeline.platform.service_spec import service_spec
from tests.pipeline.service_support import StandIn, service_settings


def _script(tmp_path: Path) -> Path:
    script = tmp_path / "venv" / "bin" / "homeclerk"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    return script


def _verify(unit: str, folder: Path) -> subprocess.CompletedProcess[str]:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: run scripts/setup-system.sh (Debian: systemd)"
    path = folder / "homeclerk.service"
    path.write_text(unit)
    # System mode: --user needs a running user manager, which a container does not have.
    return subprocess.run(
        [analyze, "verify", "--man=no", str(path)], capture_output=True, text=True, check=False
    )


def test_rendered_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    unit = systemd.render_unit(service_spec(settings, script=_script(tmp_path)))
    for line in (
        "Restart=always",
        "RestartSec=5",
        "StartLimitIntervalSec=0",
        "KillMode=mixed",
        "WantedBy=default.target",
        f"WorkingDirectory={tmp_path}",
        f'Environment="DAGSTER_HOME={tmp_path / "data" / "dagster"}"',
        f'ExecStart="{tmp_path / "venv" / "bin" / "homeclerk"}" "serve"',
    ):
        assert line in unit.splitlines()
    # A stop waits for a run in flight, then for the children: systemd must not kill it sooner.
    (timeout,) = [line for line in unit.splitlines() if line.startswith("TimeoutStopSec=")]
    assert int(timeout.partition("=")[2]) > RUN_STOP_GRACE_SECONDS + STOP_GRACE_SECONDS + 5
    units = tmp_path / "verify"
    units.mkdir()
    done = _verify(unit, units)
    assert done.returncode == 0, done.stderr


def test_verify_would_catch_a_bad_unit(tmp_path: Path) -> None:
    # The check above means something: a relative ExecStart fails the same verify.
    settings = service_settings(tmp_path)
    unit = systemd.render_unit(service_spec(settings, script=_script(tmp_path)))
    bad = unit.replace(f'ExecStart="{tmp_path / "venv" / "bin" / "homeclerk"}"', "ExecStart=nope")
    units = tmp_path / "verify"
    units.mkdir()
    assert _verify(bad, units).returncode != 0


def test_special_characters_are_escaped(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    spec = service_spec(settings, script=_script(tmp_path))
    spec.environment["ODD"] = 'a "b" 100% $x'
    unit = systemd.render_unit(spec)
    assert 'Environment="ODD=a \\"b\\" 100%% $x"' in unit.splitlines()


def test_install_status_uninstall_call_systemctl_user(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    service_settings(tmp_path)
    standin = StandIn(tmp_path, "systemctl", monkeypatch)
    config = str(tmp_path / "homeclerk.toml")
    assert main(["--config", config, "systemd", "install"]) == 0
    unit = tmp_path / "units" / "homeclerk.service"
    assert unit.stat().st_mode & 0o777 == 0o644
    assert "ExecStart=" in unit.read_text()
    assert standin.calls() == [
        "--user show-environment",  # is there a user manager to install into?
        "--user daemon-reload",
        "--user enable --now homeclerk.service",
        "--user restart homeclerk.service",
    ]

    standin.canned(
        "show",
        out="ActiveState=active\nSubState=running\nMainPID=4242\nNRestarts=2\nExecMainStatus=0\n",
    )
    capsys.readouterr()
    assert main(["--config", config, "systemd", "status"]) == 0
    out = capsys.readouterr().out
    assert "active (running), pid 4242" in out and "restarts:  2" in out
    assert standin.calls()[-1] == (
        "--user show -p ActiveState,SubState,MainPID,NRestarts,ExecMainStatus homeclerk.service"
    )

    assert main(["--config", config, "systemd", "uninstall"]) == 0
    assert not unit.exists()
    assert standin.calls()[-2:] == [
        "--user disable --now homeclerk.service",
        "--user daemon-reload",
    ]


def test_a_failed_systemctl_step_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    service_settings(tmp_path)
    standin = StandIn(tmp_path, "systemctl", monkeypatch)
    standin.canned("daemon-reload", rc=1, err="Failed to connect to bus: No medium found\n")
    assert main(["--config", str(tmp_path / "homeclerk.toml"), "systemd", "install"]) == 1
    err = capsys.readouterr().err
    assert "daemon-reload failed" in err and "Failed to connect to bus" in err
    assert standin.calls() == ["--user show-environment", "--user daemon-reload"]


def test_status_of_a_stopped_unit_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    standin = StandIn(tmp_path, "systemctl", monkeypatch)
    standin.canned("show", out="ActiveState=failed\nSubState=failed\nMainPID=0\n")
    unit = systemd.status(tmp_path)
    assert not unit.running and not unit.installed
