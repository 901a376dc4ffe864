"""`homeclerk launchd`: the plist, the launchctl sequences (against a recording stand-in: Linux
has no launchctl), `launchctl print` parsed, error codes in words, and the launcher built with the
system C compiler and exec'd."""

from __future__ import annotations

import os
import plistlib
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.deadlines import RUN_STOP_GRACE_SECONDS, STOP_GRACE_SECONDS
from pipeline.platform import launchd
from pipeline.platform.plist_lint import lint_plist
from pipeline.platform.service_spec import service_spec
from tests.pipeline.service_support import StandIn, service_settings

UID = os.getuid()
PRINT_RUNNING = """gui/{uid}/io.homeclerk.test = {{
\tactive count = 1
\tpath = /Users/me/Library/LaunchAgents/io.homeclerk.test.plist
\ttype = LaunchAgent
\tstate = running

\tprogram = /Users/me/homeclerk-data/bin/homeclerk-launcher
\tenvironment = {{
\t\tstate = not-the-job-state
\t\tKITE_API_SECRET = hunter2
\t}}

\truns = 3
\tpid = 17611
\tlast exit code = 78: EX_CONFIG
}}
"""
NOT_FOUND = 'Could not find service "io.homeclerk.test" in domain for user gui: 501\n'


def _target_script(tmp_path: Path) -> Path:
    script = tmp_path / "venv" / "bin" / "homeclerk"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(0o755)
    return script


def test_rendered_plist_round_trips_and_passes_lint(tmp_path: Path) -> None:
    settings = service_settings(tmp_path)
    script = _target_script(tmp_path)
    spec = service_spec(settings, script=script)
    data = plistlib.loads(launchd.plist_bytes(spec))
    assert data == launchd.plist_dict(spec)
    assert data["Label"] == "io.homeclerk.test"
    assert data["ProgramArguments"] == [str(script), "serve"]
    assert data["KeepAlive"] is True and data["RunAtLoad"] is True
    # A stop waits for a run in flight, then for the children: launchd must not kill it sooner.
    assert data["ExitTimeOut"] > RUN_STOP_GRACE_SECONDS + STOP_GRACE_SECONDS + 5
    assert data["ThrottleInterval"] == 10
    env = data["EnvironmentVariables"]
    assert env["DAGSTER_HOME"] == str(tmp_path / "data" / "dagster")
    assert env["HOMECLERK_CONFIG"] == str(tmp_path / "homeclerk.toml")
    assert env["PATH"].split(":")[0] == str(script.parent)
    assert data["StandardOutPath"] == str(tmp_path / "data" / "logs" / "service.out.log")
    assert data["WorkingDirectory"] == str(tmp_path)
    written = tmp_path / "job.plist"
    written.write_bytes(launchd.plist_bytes(spec))
    written.chmod(0o644)
    assert lint_plist(written) == []


def test_render_command_prints_the_plist_with_the_launcher(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service_settings(tmp_path)
    assert main(["--config", str(tmp_path / "homeclerk.toml"), "launchd", "render"]) == 0
    data = plistlib.loads(capsys.readouterr().out.encode())
    assert data["ProgramArguments"] == [
        str(tmp_path / "data" / "bin" / "homeclerk-launcher"),
        "serve",
    ]


def test_install_writes_0644_and_runs_bootout_bootstrap_kickstart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    # Not loaded before: bootout says 3 (older macOS), print says 113.
    standin.canned("bootout", rc=3, err="Boot-out failed: 3: No such process\n")
    standin.canned("print", rc=113, out=NOT_FOUND)
    spec = service_spec(settings, script=_target_script(tmp_path))
    done = launchd.install(spec, settings.service.launch_agents_dir, UID)
    plist = tmp_path / "agents" / "io.homeclerk.test.plist"
    assert plist.stat().st_mode & 0o777 == 0o644
    assert plistlib.loads(plist.read_bytes())["Label"] == "io.homeclerk.test"
    assert (tmp_path / "data" / "logs").is_dir()  # launchd creates no folder for its logs
    assert standin.calls() == [
        f"bootout gui/{UID}/io.homeclerk.test",
        f"print gui/{UID}/io.homeclerk.test",
        f"bootstrap gui/{UID} {plist}",
        f"kickstart -k gui/{UID}/io.homeclerk.test",
    ]
    assert "was not loaded" in done[1]


def test_install_waits_for_a_booted_out_job_to_drain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    standin.canned("print", rc=113, out=NOT_FOUND)
    standin.canned_nth("print", 1, 0)  # still loaded on the first look, gone on the second
    spec = service_spec(settings, script=_target_script(tmp_path))
    launchd.install(spec, settings.service.launch_agents_dir, UID)
    assert [c.split()[0] for c in standin.calls()] == [
        "bootout",
        "print",
        "print",
        "bootstrap",
        "kickstart",
    ]


def test_bootout_not_permitted_is_not_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    standin.canned("bootout", rc=1, err="Boot-out failed: 1: Operation not permitted\n")
    spec = service_spec(settings, script=_target_script(tmp_path))
    with pytest.raises(launchd.LaunchdError, match="Operation not permitted") as error:
        launchd.install(spec, settings.service.launch_agents_dir, UID)
    assert "bootout" in str(error.value)
    assert not any(c.startswith("bootstrap") for c in standin.calls())


def test_bootstrap_error_5_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    standin.canned("print", rc=113, out=NOT_FOUND)
    standin.canned("bootstrap", rc=5, err="Bootstrap failed: 5: Input/output error\n")
    launcher = _target_script(tmp_path)
    code = main(
        [
            "--config",
            str(tmp_path / "homeclerk.toml"),
            "launchd",
            "install",
            "--launcher",
            str(launcher),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "bootstrap" in err and "still loaded" in err and "lint" in err
    assert not any(c.startswith("kickstart") for c in standin.calls())


def test_install_refuses_a_plist_whose_program_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    spec = service_spec(settings, launcher=tmp_path / "data" / "bin" / "homeclerk-launcher")
    with pytest.raises(launchd.LaunchdError, match="build-launcher"):
        launchd.install(spec, settings.service.launch_agents_dir, UID)
    assert standin.calls() == []


def test_status_parses_print_and_never_reads_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    service_settings(tmp_path)
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    standin.canned("print", out=PRINT_RUNNING.format(uid=UID))
    job = launchd.status(tmp_path / "agents", "io.homeclerk.test", UID)
    assert (job.installed, job.loaded, job.state, job.pid, job.runs) == (
        False,
        True,
        "running",
        17611,
        3,
    )
    assert job.running and job.has_run
    assert launchd.exit_code_words(job.last_exit_code).startswith("78 (EX_CONFIG")
    assert main(["--config", str(tmp_path / "homeclerk.toml"), "launchd", "status"]) == 0
    out = capsys.readouterr().out
    assert "pid 17611" in out and "runs:      3" in out
    assert "hunter2" not in out and "not-the-job-state" not in out


def test_status_of_a_job_that_is_not_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    standin.canned("print", rc=113, out=NOT_FOUND)
    job = launchd.status(tmp_path, "io.homeclerk.test", UID)
    assert not job.loaded and not job.running
    assert "loaded:    no" in job.lines()


def test_loaded_but_never_run_is_said() -> None:
    job = launchd.JobStatus(installed=True, loaded=True, state="not running", runs=0)
    assert not job.has_run
    assert any("never run" in line for line in job.lines())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("(never exited)", "never exited"),
        ("0", "0 (success)"),
        ("-9", "-9 (killed by signal 9)"),
        ("127", "127 (the launcher's target is missing"),
        ("SIGKILL", "SIGKILL (killed by a signal)"),
    ],
)
def test_exit_codes_in_words(text: str, words: str) -> None:
    assert launchd.exit_code_words(text).startswith(words)


def test_uninstall_boots_out_and_removes_the_plist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    standin = StandIn(tmp_path, "launchctl", monkeypatch)
    standin.canned("bootout", rc=5, err="Boot-out failed: 5: Input/output error\n")
    standin.canned("print", rc=113, out=NOT_FOUND)
    plist = tmp_path / "io.homeclerk.test.plist"
    plist.write_bytes(b"x")
    done = launchd.uninstall(tmp_path, "io.homeclerk.test", UID)
    assert not plist.exists()
    assert standin.calls()[0] == f"bootout gui/{UID}/io.homeclerk.test"
    assert "was not loaded" in done[0]


def test_without_launchctl_the_error_says_where_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(launchd.LaunchdError, match="macOS"):
        launchd.run_launchctl(["print", "gui/1/x"])


# The launcher, built with the system C compiler and exec'd for real.

ARGV_PRINTER = f"""#!{sys.executable}
import json, sys
print(json.dumps(sys.argv))
"""


def test_launcher_execs_its_target_with_the_arguments(tmp_path: Path) -> None:
    target = tmp_path / "dir with space" / "homeclerk"
    target.parent.mkdir()
    target.write_text(ARGV_PRINTER)
    target.chmod(0o755)
    launcher = launchd.build_launcher(target, tmp_path / "bin" / "homeclerk-launcher")
    assert os.access(launcher, os.X_OK)
    done = subprocess.run(
        [launcher, "serve", "--flag", "a b"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f'["{target}", "serve", "--flag", "a b"]'


def test_launcher_with_a_missing_target_exits_127_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "gone" / "homeclerk"
    launcher = launchd.build_launcher(target, tmp_path / "homeclerk-launcher")
    done = subprocess.run([launcher, "serve"], capture_output=True, text=True, check=False)
    assert done.returncode == 127
    assert str(target) in done.stderr and "build-launcher" in done.stderr


def test_build_launcher_command_targets_the_given_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service_settings(tmp_path)
    target = tmp_path / "homeclerk"
    target.write_text(ARGV_PRINTER)
    target.chmod(0o755)
    config = str(tmp_path / "homeclerk.toml")
    assert main(["--config", config, "launchd", "build-launcher", "--target", str(target)]) == 0
    built = tmp_path / "data" / "bin" / "homeclerk-launcher"
    done = subprocess.run([built, "x"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f'["{target}", "x"]'
    assert "Full Disk Access" in capsys.readouterr().out


SIGNAL_TARGET = """#!/bin/sh
trap 'echo "got TERM" > "$1"; exit 7' TERM
echo ready
while :; do sleep 0.05; done
"""


def test_launcher_stays_the_parent_forwards_sigterm_and_exits_as_its_child(
    tmp_path: Path,
) -> None:
    # The target runs as a child (so macOS keeps attributing file access to the launcher):
    # SIGTERM to the launcher must reach it, and the launcher must exit with its code.
    target = tmp_path / "homeclerk"
    target.write_text(SIGNAL_TARGET)
    target.chmod(0o755)
    launcher = launchd.build_launcher(target, tmp_path / "homeclerk-launcher")
    marker = tmp_path / "marker"
    proc = subprocess.Popen([launcher, str(marker)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        # Still the launcher's own image (an exec would have made this process the shell)...
        assert os.readlink(f"/proc/{proc.pid}/exe") == str(launcher)
        # ...with the script running as its child.
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert len(children) == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 7
    finally:
        if proc.poll() is None:  # a SIGKILL is not forwarded: end the child first
            for pid in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
                os.kill(int(pid), signal.SIGKILL)
            proc.kill()
    assert marker.read_text().strip() == "got TERM"


def test_launcher_sets_argv0_to_its_target(tmp_path: Path) -> None:
    # A script never sees argv[0] (the kernel passes the script's path to its interpreter), so
    # the target here is a compiled program that prints its own argv[0].
    source = tmp_path / "argv0.c"
    source.write_text("#include <stdio.h>\nint main(int c, char **v) { puts(v[0]); return c; }\n")
    target = tmp_path / "argv0"
    subprocess.run(["cc", "-o", str(target), str(source)], check=True)
    launcher = launchd.build_launcher(target, tmp_path / "homeclerk-launcher")
    done = subprocess.run(
        ["whatever", "one", "two"], executable=launcher, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == str(target)
    assert done.returncode == 3  # argc came through: argv[0] plus both arguments
