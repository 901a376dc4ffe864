"""Linux without a user systemd manager (containers, many NAS and VPS): `homeclerk systemd render
--system --user NAME` gives a system unit, and `doctor` and `systemd install|status` give a way
forward that works there instead of the circle (install fails, status fails the same way).

Against stand-in `systemctl` / `sudo` executables on PATH, never the machine's systemd."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.doctor import service_checks as sc
from pipeline.platform import systemd
from pipeline.platform.service_spec import service_spec
from tests.pipeline.service_support import StandIn, service_settings

NO_BUS = "Failed to connect to bus: No medium found\n"
ME = getpass.getuser()


def _settings_with_system_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    service_settings(tmp_path)
    config = tmp_path / "homeclerk.toml"
    config.write_text(config.read_text() + 'systemd_system_dir = "system"\n')
    from pipeline.settings import load_settings

    return load_settings(config)


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where this test's 'machine' keeps /run/systemd/system and /run/user (both absent)."""
    root = tmp_path / "run"
    monkeypatch.setattr(systemd, "BOOTED_MARKER", root / "systemd" / "system")
    monkeypatch.setattr(systemd, "RUNTIME_ROOT", root / "user")
    return root


def _no_user_manager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StandIn:
    standin = StandIn(tmp_path, "systemctl", monkeypatch)
    standin.canned("show-environment", rc=1, err=NO_BUS)
    return standin


def _paste(command: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run a printed fix the way an owner pastes it: in a shell, this venv's bin first."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )


def test_user_manager_states(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine: Path):
    standin = StandIn(tmp_path, "systemctl", monkeypatch)
    assert systemd.user_manager(env={}).state == "user"
    standin.canned("show-environment", rc=1, err=NO_BUS)
    none = systemd.user_manager(env={})
    assert none.state == "none" and "No medium found" in none.detail
    (machine / "systemd" / "system").mkdir(parents=True)
    assert systemd.user_manager(env={}).state == "system_only"
    socket = machine / "user" / str(os.getuid()) / "systemd" / "private"
    socket.parent.mkdir(parents=True)
    socket.touch()
    assert systemd.user_manager(env={}).state == "runtime_unset"
    # With XDG_RUNTIME_DIR set and still no answer, the runtime folder is not the reason.
    assert systemd.user_manager(env={"XDG_RUNTIME_DIR": "/x"}).state == "system_only"


def test_system_unit_runs_as_the_user_at_boot_and_passes_verify(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    script = tmp_path / "venv" / "bin" / "homeclerk"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    unit = systemd.render_unit(service_spec(settings, script=script), system_user="asha")
    lines = unit.splitlines()
    assert "User=asha" in lines and "WantedBy=multi-user.target" in lines
    assert "WantedBy=default.target" not in lines
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: run scripts/setup-system.sh (Debian: systemd)"
    folder = tmp_path / "verify"
    folder.mkdir()
    (folder / "homeclerk.service").write_text(unit)
    done = subprocess.run(
        [analyze, "verify", "--man=no", str(folder / "homeclerk.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_render_system_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service_settings(tmp_path)
    config = str(tmp_path / "homeclerk.toml")
    assert main(["--config", config, "systemd", "render", "--system", "--user", "ravi"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "User=ravi" in lines and "WantedBy=multi-user.target" in lines
    # --user NAME alone would be a user unit that ignores the name: refused.
    assert main(["--config", config, "systemd", "render", "--user", "ravi"]) == 2


def test_doctor_on_a_box_without_a_user_manager_gives_the_system_unit_that_clears_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine: Path
) -> None:
    settings = _settings_with_system_dir(tmp_path)
    standin = _no_user_manager(tmp_path, monkeypatch)
    (machine / "systemd" / "system").mkdir(parents=True)  # systemd is PID 1
    (finding,) = sc.service_job(settings, "linux")
    assert finding.warning and "no login session" in finding.detail
    assert "loginctl enable-linger" in finding.detail  # the other way, in words
    assert finding.fix is not None and finding.fix.startswith("sudo ")
    assert "systemd install --system --user" in finding.fix
    assert "systemd install\n" not in finding.fix + "\n"  # not the circle
    # Pasted as is (a stand-in sudo that runs the command), it installs the system unit ...
    sudo = tmp_path / "bin" / "sudo"
    sudo.write_text('#!/bin/sh\nexec "$@"\n')
    sudo.chmod(0o755)
    pasted = _paste(finding.fix, tmp_path)
    assert pasted.returncode == 0, pasted.stderr
    unit = (tmp_path / "system" / "homeclerk.service").read_text()
    assert f"User={ME}" in unit.splitlines()
    assert standin.calls()[-3:] == [
        "daemon-reload",
        "enable --now homeclerk.service",
        "restart homeclerk.service",
    ]
    # ... and the warning is gone: doctor reads the system unit's state.
    standin.canned(
        "show",
        out="ActiveState=active\nSubState=running\nMainPID=4242\nNRestarts=0\nExecMainStatus=0\n",
    )
    (finding,) = sc.service_job(settings, "linux")
    assert finding.ok and not finding.warning and "system unit" in finding.detail
    assert standin.calls()[-1].startswith("show -p ")  # system scope: no --user


def test_runtime_dir_unset_fix_points_the_shell_at_the_running_manager(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine: Path
) -> None:
    settings = service_settings(tmp_path)
    # A systemctl that reaches the user manager only when XDG_RUNTIME_DIR is set (after `su`).
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    (bin_dir / "systemctl").write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        'if [ "$1" = --user ] && [ -z "$XDG_RUNTIME_DIR" ]; then\n'
        f'  printf "{NO_BUS.strip()}\\n" >&2; exit 1\n'
        "fi\nexit 0\n"
    )
    (bin_dir / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    socket = machine / "user" / str(os.getuid()) / "systemd" / "private"
    socket.parent.mkdir(parents=True)
    socket.touch()
    (finding,) = sc.service_job(settings, "linux")
    assert finding.warning and "XDG_RUNTIME_DIR is not set" in finding.detail
    assert finding.fix is not None and finding.fix.startswith("export XDG_RUNTIME_DIR=")
    pasted = _paste(finding.fix, tmp_path)
    assert pasted.returncode == 0, pasted.stderr
    assert (tmp_path / "units" / "homeclerk.service").is_file()
    assert "--user enable --now homeclerk.service" in log.read_text().splitlines()


def test_no_systemd_at_all_says_so_and_proposes_no_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, machine: Path
) -> None:
    settings = service_settings(tmp_path)
    _no_user_manager(tmp_path, monkeypatch)
    (finding,) = sc.service_job(settings, "linux")
    assert finding.warning and "no systemd on this machine" in finding.detail
    assert finding.fix is None  # nothing to install; the note says what to do instead
    assert "serve" in finding.detail and "restart policy" in finding.detail


def test_install_and_status_without_a_user_manager_give_the_way_forward(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    machine: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _settings_with_system_dir(tmp_path)
    standin = _no_user_manager(tmp_path, monkeypatch)
    (machine / "systemd" / "system").mkdir(parents=True)
    config = str(tmp_path / "homeclerk.toml")
    for verb in ("install", "status"):
        assert main(["--config", config, "systemd", verb]) == 1
        err = capsys.readouterr().err
        assert "no login session" in err
        assert "fix: sudo " in err
        assert "systemd install --system --user" in err
    assert not (tmp_path / "units" / "homeclerk.service").exists()
    assert standin.calls() == ["--user show-environment"] * 2  # nothing else attempted
