"""Runs never get stuck: a run whose worker was killed is failed and frees the warehouse pool."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, DagsterRunStatus

from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.messages import generate_demo_messages
from pipeline.doctor import run_checks
from pipeline.service.instance import prepare_instance
from pipeline.service.runs import RunReaper, fail_dead_runs, warehouse_holders
from pipeline.settings import Settings, load_settings

HOLDER = Path(__file__).with_name("run_holder.py")
ROOT = Path(__file__).resolve().parents[2]


def demo_like(folder: Path) -> Settings:
    """A demo-like folder: a real chat.db with a few days of alerts and its homeclerk.toml."""
    write_chat_db(
        folder / "chat.db", generate_demo_messages(dt.date(2026, 11, 19), seed=3, days=3), 3
    )
    return load_settings(write_demo_config(folder, "http://127.0.0.1:9/none"))


def poll(predicate: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


class _Shell:
    """`homeclerk --config … ARGS` started in a child process (without this shell's settings),
    its output read line by line as it comes."""

    def __init__(self, settings: Settings, cwd: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "--config", str(settings.config_file), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=cwd,
            env={**env, "PYTHONPATH": str(ROOT)},
        )
        self._lines: queue.Queue[str] = queue.Queue()
        out = self.proc.stdout
        threading.Thread(target=lambda: [self._lines.put(x) for x in out], daemon=True).start()
        self.seen: list[str] = []

    def saw(self, text: str) -> bool:
        """Whether a line so far holds `text`."""
        with contextlib.suppress(queue.Empty):
            while True:
                self.seen.append(self._lines.get_nowait())
        return any(text in line for line in self.seen)


@pytest.fixture
def holder_factory(tmp_path: Path) -> Iterator:
    started: list[subprocess.Popen] = []

    def start(settings: Settings) -> tuple[subprocess.Popen, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
        proc = subprocess.Popen(
            [sys.executable, str(HOLDER), str(settings.config_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
        )
        started.append(proc)
        run_id = proc.stdout.readline().strip()
        assert run_id, "the holder process did not start its run"
        return proc, run_id

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_run_whose_worker_was_killed_is_failed_and_frees_the_pool(
    tmp_path: Path, holder_factory
) -> None:
    settings = demo_like(tmp_path)
    proc, run_id = holder_factory(settings)
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        assert [h.run_id for h in warehouse_holders(instance)] == [run_id]
        assert fail_dead_runs(instance) == []  # alive: left alone
        assert instance.get_run_by_id(run_id).status == DagsterRunStatus.STARTED

        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # Doctor sees it before anything fails it: stuck, with the fix.
        stuck = {f.check: f for f in run_checks(settings)}["stuck runs"]
        assert not stuck.ok and run_id[:8] in stuck.detail and "homeclerk ui" in (stuck.fix or "")

        # What `homeclerk ui` runs in the background, with a poll interval a test can lower.
        with RunReaper(instance, interval=0.5) as reaper:
            poll(lambda: run_id in reaper.reaped, 30, "the dead run is failed")
        run = instance.get_run_by_id(run_id)
        assert run.status == DagsterRunStatus.FAILURE
        assert warehouse_holders(instance) == []  # the warehouse pool is free again
    assert {f.check: f for f in run_checks(settings)}["stuck runs"].ok


def test_materialize_from_a_shell_waits_for_the_warehouse_then_succeeds(
    tmp_path: Path, holder_factory
) -> None:
    settings = demo_like(tmp_path)
    holder, holder_run = holder_factory(settings)
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    # What a daemon run does to the warehouse: holds DuckDB's single-writer lock.
    writer = duckdb.connect(str(settings.warehouse))
    shell = _Shell(settings, tmp_path, "materialize", "sms_messages+")
    proc, saw, seen = shell.proc, shell.saw, shell.seen
    try:
        poll(lambda: saw(f"waiting for the warehouse: run bank_sms_job {holder_run[:8]}"), 120, "")
        assert proc.poll() is None  # waiting, not failed

        writer.close()
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert proc.wait(timeout=180) == 0, "".join(seen)
    finally:
        if proc.poll() is None:
            proc.kill()
    poll(lambda: saw("succeeded"), 10, "the result line")
    output = "".join(seen)
    assert "WarehouseLockedError" not in output
    assert "materializing sms_messages, transactions" in output
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM transactions").fetchone()[0] > 0


def _cli(settings: Settings, cwd: Path) -> Callable[..., subprocess.CompletedProcess]:
    """`homeclerk --config … ARGS` in a child process, without this shell's settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "--config", str(settings.config_file), *args],
            capture_output=True,
            text=True,
            cwd=cwd,
            env=env,
            timeout=180,
        )

    return run


def test_materialize_names_the_failing_step_and_rejects_an_empty_selection(
    tmp_path: Path,
) -> None:
    settings = demo_like(tmp_path)
    run = _cli(settings, tmp_path)

    empty = run("materialize", "key:no_such_asset")
    assert empty.returncode == 2 and "matches no asset" in empty.stderr
    assert "sms_messages" in empty.stderr  # the assets it could have been

    (tmp_path / "chat.db").unlink()
    (tmp_path / "chat.db").mkdir()  # unreadable: the step fails with its own fix, said once
    failed = run("materialize", "sms_messages")
    assert failed.returncode == 1
    line = next(x for x in failed.stdout.splitlines() if x.startswith("FAILED sms_messages: "))
    assert "is a folder, not the Messages database" in line
    assert "check `[messages] chat_db`" in line and "Error" not in line
    # Only that reason: no stack trace, no "Dependencies for step … failed" for the checks.
    assert "Traceback" not in failed.stderr + failed.stdout
    assert "Stack Trace" not in failed.stderr and "Not executing" not in failed.stderr
    assert len((failed.stdout + failed.stderr).strip().splitlines()) == 3, failed
    # The whole story on request.
    verbose = run("materialize", "sms_messages", "--verbose")
    assert verbose.returncode == 1 and "Stack Trace" in verbose.stderr


def test_materialize_leaves_out_a_partitioned_asset_and_says_how_to_build_it(
    tmp_path: Path,
) -> None:
    settings = demo_like(tmp_path)
    run = _cli(settings, tmp_path)

    # Only the weekly review: nothing can run without a week.
    alone = run("materialize", "weekly_review")
    assert alone.returncode == 2
    assert "weekly_review is built one partition at a time" in alone.stderr
    assert "--partition" in alone.stderr and "homeclerk review --week" in alone.stderr
    # Beside an unpartitioned asset it is left out, aloud, and the rest runs (it used to fail
    # the whole run with "Cannot access partition_key for a non-partitioned run").
    mixed = run("materialize", "key:sms_messages or key:weekly_review")
    assert mixed.returncode == 0, mixed.stdout + mixed.stderr
    assert "leaving out weekly_review" in mixed.stdout
    assert "materialized sms_messages: run" in mixed.stdout


def _starting_run(instance: DagsterInstance, settings: Settings) -> str:
    """A bank_sms_job run that entered STARTING and whose worker never recorded a PID."""
    from dagster import DagsterEvent, DagsterEventType
    from dagster._core.execution.api import create_execution_plan

    from pipeline.definitions import build_definitions

    job = build_definitions(settings).resolve_job_def("bank_sms_job")
    run = instance.create_run_for_job(job, execution_plan=create_execution_plan(job))
    instance.report_dagster_event(
        DagsterEvent(DagsterEventType.RUN_STARTING.value, job_name=job.name), run.run_id
    )
    assert instance.get_run_by_id(run.run_id).status == DagsterRunStatus.STARTING
    return run.run_id


def test_a_run_left_starting_without_a_worker_is_failed(tmp_path: Path) -> None:
    from pipeline.service.runs import STARTING_GRACE, fail_orphaned_starting_runs, unfinished_runs

    settings = demo_like(tmp_path)
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        before_restart = _starting_run(instance, settings)
        [state] = unfinished_runs(instance)
        assert state.status == "STARTING" and state.pid is None and state.since is not None
        since = state.since
        # Doctor names it once it has been starting for over a minute.
        stuck = {f.check: f for f in run_checks(settings, now=since + dt.timedelta(minutes=2))}
        assert before_restart[:8] in stuck["stuck runs"].detail
        assert "no worker yet" in stuck["stuck runs"].detail
        assert {f.check: f for f in run_checks(settings, now=since)}["stuck runs"].ok

        # The service came back (a new code server, the launcher, started after it): at its
        # first look the run is failed, whatever workers the new code server has.
        restarted = since + dt.timedelta(seconds=1)
        assert fail_orphaned_starting_runs(instance, restarted, lambda: True, restarted) == [
            before_restart
        ]
        assert instance.get_run_by_id(before_restart).status == DagsterRunStatus.FAILURE

        # While it runs: a run starting under this code server is left to start...
        current = _starting_run(instance, settings)
        [state] = unfinished_runs(instance)
        launcher, since = state.since - dt.timedelta(minutes=5), state.since
        within = since + STARTING_GRACE - dt.timedelta(seconds=1)
        past = since + STARTING_GRACE + dt.timedelta(seconds=1)
        assert fail_orphaned_starting_runs(instance, launcher, lambda: False, within) == []
        # ...and past the grace too while any worker process lives (it may be this run's)...
        assert fail_orphaned_starting_runs(instance, launcher, lambda: True, past) == []
        assert instance.get_run_by_id(current).status == DagsterRunStatus.STARTING
        # ...but with no worker process at all, it has none: failed within the reaper's 30 s.
        assert fail_orphaned_starting_runs(instance, launcher, lambda: False, past) == [current]
        assert warehouse_holders(instance) == []


def test_run_workers_are_the_children_but_the_resource_tracker(tmp_path: Path) -> None:
    from pipeline.service.processes import run_workers_below

    script = (
        "import subprocess, sys, time\n"
        "a = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "b = subprocess.Popen([sys.executable, '-c',"
        " 'import time; time.sleep(60)  # multiprocessing.resource_tracker'])\n"
        "print(a.pid, b.pid, flush=True)\n"
        "sys.stdin.readline()\n"
        "a.kill(); b.kill()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        worker, tracker = (int(p) for p in parent.stdout.readline().split())
        assert run_workers_below(parent.pid) == {worker}
        assert tracker not in run_workers_below(parent.pid)
        assert run_workers_below(worker) == set()
    finally:
        parent.stdin.write("\n")
        parent.stdin.flush()
        parent.wait(timeout=30)


def test_backup_from_a_shell_waits_for_the_warehouse_pool(tmp_path: Path, holder_factory) -> None:
    from assets.backup.snapshot import list_snapshots, read_manifest

    settings = demo_like(tmp_path)
    holder, holder_run = holder_factory(settings)
    shell = _Shell(settings, tmp_path, "backup")
    proc, saw, seen = shell.proc, shell.saw, shell.seen
    try:
        # A run of the daemon's holds the pool: the backup waits its turn, as a run of its own.
        poll(lambda: saw(f"waiting for the warehouse: run bank_sms_job {holder_run[:8]}"), 120, "")
        assert proc.poll() is None
        assert list_snapshots(settings.backup.dir) == []
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert proc.wait(timeout=180) == 0, "".join(seen)
    finally:
        if proc.poll() is None:
            proc.kill()
    poll(lambda: saw("by the retention rule"), 10, "the retention report")
    [snapshot] = list_snapshots(settings.backup.dir)
    assert snapshot.good and read_manifest(snapshot.path)["trigger"] == "manual"
    assert saw(f"snapshot {snapshot.path}")
