"""A graceful stop lets the run in flight finish; one that outlasts the wait is no failure.

The child stands in for the code server: it starts a run worker (tests/pipeline/run_holder.py: a
real run in a real Dagster instance, its worker PID recorded as Dagster's workers record it) and
records, when its own stop signal comes, what the worker had written by then.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
from pathlib import Path

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus

from pipeline.doctor import run_checks
from pipeline.service.instance import prepare_instance
from pipeline.service.runs import fail_dead_runs, pid_alive, worker_pid
from pipeline.service.stop_runs import INTERRUPTED_TAG, RunsInFlight, interrupted_by_stop
from pipeline.service.supervisor import ChildSpec, Supervisor
from pipeline.settings import Settings
from tests.pipeline.test_runs import HOLDER, ROOT, demo_like
from tests.support import wait_for

# The stand-in code server: argv = config, worker output, go file, "seen at stop" file.
CODE_SERVER = f"""
import pathlib, signal, subprocess, sys, time
config, out, go, seen = (pathlib.Path(a) for a in sys.argv[1:5])
worker = subprocess.Popen(
    [sys.executable, {str(HOLDER)!r}, str(config)], stdin=subprocess.PIPE, stdout=out.open("w")
)

def stopped(signum, frame):
    seen.write_text(out.read_text())  # what the worker had written when the stop reached us
    sys.exit(0)

signal.signal(signal.SIGINT, stopped)
while not go.exists():
    time.sleep(0.05)
worker.stdin.write(b"\\n")  # the run finishes
worker.stdin.flush()
worker.wait()
while True:
    time.sleep(1)
"""


# The stand-in UI+daemon (it starts runs): says when its stop signal came.
UI_DAEMON = """
import pathlib, signal, sys, time
signal.signal(signal.SIGINT, lambda *_: (pathlib.Path(sys.argv[1]).touch(), sys.exit(0)))
while True:
    time.sleep(1)
"""


def _supervisor(settings: Settings, tmp: Path, run_grace: float) -> Supervisor:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    files = [str(tmp / name) for name in ("worker.out", "go", "seen")]
    spec = ChildSpec(
        "code-server",
        (sys.executable, "-c", CODE_SERVER, str(settings.config_file), *files),
        ROOT,
        {**env, "PYTHONPATH": str(ROOT)},
        stop_signal=signal.SIGINT,
        busy_marker=HOLDER.name,
        work=RunsInFlight(prepare_instance(settings)),
    )
    ui = ChildSpec(
        "ui-daemon", (sys.executable, "-c", UI_DAEMON, str(tmp / "ui-stopped")), tmp, env,
        stop_signal=signal.SIGINT,
    )  # fmt: skip
    return Supervisor([spec, ui], tmp / "logs", run_grace=run_grace, stop_grace=10.0)


def _run_id(tmp: Path) -> str:
    out = tmp / "worker.out"
    return wait_for(lambda: out.read_text().strip(), 120, "the worker to start its run")


def test_a_stop_lets_the_run_in_flight_finish_before_the_code_server_is_signalled(
    tmp_path: Path,
) -> None:
    settings = demo_like(tmp_path)
    sup = _supervisor(settings, tmp_path, run_grace=120.0)
    sup.start_all()
    run_id = _run_id(tmp_path)
    stopping = threading.Thread(target=sup.stop_all, daemon=True)
    stopping.start()
    log = tmp_path / "logs" / "serve.log"
    wait_for(
        lambda: f"s for run {run_id} (bank_sms_job) to finish" in log.read_text(),
        60,
        "the service log to say which run it waits for",
    )
    assert "waiting up to 1" in log.read_text()  # 120 s, less what naming the run took
    # What starts runs stops first, while the run goes on.
    wait_for(lambda: (tmp_path / "ui-stopped").exists(), 30, "the UI+daemon to be stopped")
    assert not (tmp_path / "seen").exists(), "the code server was signalled during the run"
    (tmp_path / "go").touch()
    stopping.join(timeout=60)
    assert not stopping.is_alive()
    # The worker had finished its run (and said so) before the code server got its signal.
    assert (tmp_path / "seen").read_text().split() == [run_id, "released"]
    text = log.read_text()
    assert f"run {run_id} (bank_sms_job): finished" in text
    assert text.index(": finished") < text.index("stopping code-server")
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run.status == DagsterRunStatus.SUCCESS and INTERRUPTED_TAG not in run.tags


def test_a_run_that_outlasts_the_wait_is_killed_marked_interrupted_and_no_failure(
    tmp_path: Path,
) -> None:
    settings = demo_like(tmp_path)
    sup = _supervisor(settings, tmp_path, run_grace=1.0)
    sup.start_all()
    run_id = _run_id(tmp_path)
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        worker = wait_for(lambda: worker_pid(instance, run_id), 30, "the worker's PID")
        sup.stop_all()  # the go file never comes: the run does not finish
        assert not pid_alive(worker)
        log = (tmp_path / "logs" / "serve.log").read_text()
        assert f"run {run_id} (bank_sms_job) did not finish in 1 s: stopped; {run_id} " in log
        assert "marked interrupted by a stop (not a failure), retried at the next start" in log
        assert instance.get_run_by_id(run_id).tags[INTERRUPTED_TAG] == run_id

        # The next start: the code server's run reaper fails the run whose worker is gone, and
        # the daemon's run retries launch it again (its tag says so).
        assert fail_dead_runs(instance) == [run_id]
        run = instance.get_run_by_id(run_id)
        assert run.status == DagsterRunStatus.FAILURE
        assert run.tags["dagster/will_retry"] == "true"

    findings = {f.check: f for f in run_checks(settings, dt.datetime.now(dt.UTC))}
    failed = findings["failed runs (24 h)"]
    assert failed.ok, failed.detail
    assert failed.detail == (
        f"none; interrupted by a stop of the service (retried): bank_sms_job {run_id[:8]}"
    )


def test_only_the_run_a_stop_interrupted_is_excused_not_a_retry_that_copied_its_tag() -> None:
    # Dagster copies a run's tags to its retry: the retry's own failure must still count.
    assert interrupted_by_stop(DagsterRun("bank_sms_job", "a1", tags={INTERRUPTED_TAG: "a1"}))
    assert not interrupted_by_stop(DagsterRun("bank_sms_job", "b2", tags={INTERRUPTED_TAG: "a1"}))
    assert not interrupted_by_stop(DagsterRun("bank_sms_job", "c3"))


class _Unanswering:
    """A run storage that does not answer (a worker stopped in the middle of a write holds it)
    until `release` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def describe(self, workers: set[int]) -> list[str]:
        self.release.wait(120)
        return ["run never (named)"]

    def interrupted(self, workers: set[int], waited: float) -> list[str]:
        self.release.wait(120)
        return ["never"]


# A stand-in code server whose one child is a busy "run worker" (the marker in its arguments).
BUSY_CODE_SERVER = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "busy-stand-in"])
while True:
    time.sleep(1)
"""


def test_a_stop_goes_on_when_the_run_storage_does_not_answer(tmp_path: Path) -> None:
    from pipeline.service.supervisor import _busy_pids

    storage = _Unanswering()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    spec = ChildSpec(
        "code-server",
        (sys.executable, "-c", BUSY_CODE_SERVER),
        tmp_path,
        env,
        stop_signal=signal.SIGINT,
        busy_marker="busy-stand-in",
        work=storage,
    )
    sup = Supervisor([spec], tmp_path / "logs", run_grace=1.0, stop_grace=5.0, storage_answer=0.5)
    sup.start_all()
    code_server = sup.children[0].proc
    assert code_server is not None
    worker = wait_for(lambda: _busy_pids(code_server.pid, "busy-stand-in"), 30, "the worker")
    stopping = threading.Thread(target=sup.stop_all, daemon=True)
    stopping.start()
    try:
        stopping.join(timeout=60)
        assert not stopping.is_alive(), "the stop waited for a run storage that never answers"
    finally:
        storage.release.set()
    log = (tmp_path / "logs" / "serve.log").read_text()
    unnamed = "the work of code-server (not named: the run storage did not answer in 0.5 s)"
    # The wait is what is left of the 1 s once naming gave up (0.5 s).
    assert f"s for {unnamed} to finish" in log
    assert (
        f"could not mark {unnamed} as interrupted (the run storage did not answer in 0.5 s)" in log
    )
    assert log.index("could not mark") < log.index("stopping code-server")
    assert not any(pid_alive(pid) for pid in worker)
