"""A full disk under the service's logs: "disk full" once, records dropped, and back by itself.

/dev/full is a real device whose every write fails with ENOSPC ("No space left on device"): a log
file that is a link to it is a log on a full disk, without root and without filling one.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline.service.log_files import RETRY_SECONDS, SpaceAwareFileHandler
from pipeline.service.supervisor import rotating_logger

ROOT = Path(__file__).resolve().parents[2]


def test_a_log_on_a_full_disk_says_disk_full_once_and_recovers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "serve.log"
    path.symlink_to("/dev/full")
    log = rotating_logger("full", path, "%(message)s")
    [handler] = log.handlers
    assert isinstance(handler, SpaceAwareFileHandler)
    now = [100.0]
    handler.clock = lambda: now[0]

    for i in range(500):
        log.info("record %d", i)
        now[0] += 0.1  # 50 s: tried again every RETRY_SECONDS, and failing every time
    err = capsys.readouterr().err
    assert err.count("disk full") == 1, err
    assert f"cannot write {path}" in err and "No space left on device" in err
    assert "Logging error" not in err and "Traceback" not in err

    path.unlink()  # space is back: the same name, now a plain file
    path.touch()
    log.info("dropped: the next try is not due yet")
    now[0] += RETRY_SECONDS
    log.info("written")
    text = path.read_text()
    assert "written" in text and "dropped" not in text
    assert "disk space is back (" in text
    assert "disk space is back" in capsys.readouterr().err


def test_the_service_log_on_a_full_disk_does_not_grow_stderr(tmp_path: Path) -> None:
    """A service whose every log file is on a full disk: one line on stderr, not a traceback per
    record (it was 44 MB in 80 s)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    for name in ("serve.log", "noisy.log"):
        (logs / name).symlink_to("/dev/full")
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from pipeline.service.supervisor import ChildSpec, Supervisor
        noisy = ChildSpec("noisy", (sys.executable, "-c", "for i in range(3000): print(i)"),
                          Path({str(tmp_path)!r}))
        sup = Supervisor([noisy], Path({str(logs)!r}))
        sup.start_all()
        sup.children[0].proc.wait()
        sup.children[0].pump.join(timeout=30)
        for i in range(2000):
            sup.log.info("line %d", i)
        print("done", file=sys.stderr)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("done\n"), done.stderr
    assert "Logging error" not in done.stderr and "Traceback" not in done.stderr
    disk_full = [line for line in done.stderr.splitlines() if "disk full" in line]
    assert len(disk_full) == 2, done.stderr  # one per file: the service's and the child's
    assert len(done.stderr) < 2000, len(done.stderr)

    # stderr on the full disk too (launchd's log file): the service goes on, saying nothing.
    with open("/dev/full", "w") as full_stderr:
        quiet = subprocess.run(
            [sys.executable, "-c", script.replace("print", "open('finished', 'w').close() #")],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=full_stderr,
            timeout=120,
        )
    assert quiet.returncode == 0 and (tmp_path / "finished").exists()
