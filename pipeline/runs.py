"""Runs that can never get stuck: a run whose worker process died is failed, by its PID.

Dagster's run monitoring cannot see a dead worker here: the default run launcher (runs as
subprocesses of the code server) has no worker health check, so a run left STARTED by a killed
process tree keeps the `warehouse` pool until `max_runtime_seconds`. Every run worker records its
PID in an engine event (`EngineEventData.in_process`); a run in progress whose PID is gone is
failed, which frees its pool at once.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from dagster import DagsterInstance, DagsterRun

# The pool every asset that opens the DuckDB warehouse declares.
WAREHOUSE_POOL = "warehouse"
# How often `homeclerk ui` looks for runs whose worker died.
REAP_INTERVAL_SECONDS = 30.0


class RunState(NamedTuple):
    """A run that has not finished, with what is known about its worker."""

    run_id: str
    job_name: str
    status: str
    pid: int | None  # the worker's PID, once it recorded one
    worker_alive: bool | None  # None: no PID recorded yet
    since: dt.datetime | None  # started (in progress) or created (queued)
    pools: tuple[str, ...]


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists on this machine (signal 0 probes, sends nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    # A killed child not yet reaped by its parent still answers signal 0.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True  # no /proc (macOS): trust signal 0


def worker_pid(instance: DagsterInstance, run_id: str) -> int | None:
    """The PID the run's worker recorded last (the process that executes its steps)."""
    from dagster import DagsterEventType

    events = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ENGINE_EVENT, ascending=False, limit=50
    ).records
    for record in events:
        event = record.event_log_entry.dagster_event
        data = getattr(event, "event_specific_data", None) if event else None
        metadata = getattr(data, "metadata", None) or {}
        value = metadata.get("pid")
        if value is not None:
            try:
                return int(getattr(value, "value", value))
            except (TypeError, ValueError):
                continue
    return None


def unfinished_runs(instance: DagsterInstance) -> list[RunState]:
    """Every run queued, starting, started or canceling, with its worker's PID and liveness."""
    from dagster import DagsterRunStatus, RunsFilter

    statuses = [
        DagsterRunStatus.QUEUED,
        DagsterRunStatus.NOT_STARTED,
        DagsterRunStatus.STARTING,
        DagsterRunStatus.STARTED,
        DagsterRunStatus.CANCELING,
    ]
    states = []
    for record in instance.get_run_records(RunsFilter(statuses=statuses)):
        run = record.dagster_run
        queued = run.status in (DagsterRunStatus.QUEUED, DagsterRunStatus.NOT_STARTED)
        pid = None if queued else worker_pid(instance, run.run_id)
        stamp = record.create_timestamp.timestamp() if queued else record.start_time
        if stamp is None:
            stamp = record.create_timestamp.timestamp()
        states.append(
            RunState(
                run_id=run.run_id,
                job_name=run.job_name,
                status=run.status.value,
                pid=pid,
                worker_alive=None if pid is None else pid_alive(pid),
                since=dt.datetime.fromtimestamp(stamp, dt.UTC),
                pools=_pools(run),
            )
        )
    return states


def _pools(run: DagsterRun) -> tuple[str, ...]:
    info = run.run_op_concurrency
    return tuple(sorted(info.all_pools or ())) if info else ()


def fail_dead_runs(instance: DagsterInstance) -> list[str]:
    """Fail every run in progress whose worker process is gone; return their run ids.

    A run that recorded no PID yet is left to Dagster's own start timeout.
    """
    failed = []
    for state in unfinished_runs(instance):
        if (
            state.status not in ("STARTING", "STARTED", "CANCELING")
            or state.worker_alive is not False
        ):
            continue
        run = instance.get_run_by_id(state.run_id)
        if run is None or run.is_finished:
            continue
        message = (
            f"homeclerk: the run worker (pid {state.pid}) is gone (killed or crashed); "
            "the run is marked failed so it stops holding its pool. Re-run it if needed."
        )
        instance.report_engine_event(message, run)
        instance.report_run_failed(run, message)
        failed.append(state.run_id)
    return failed


def warehouse_holders(instance: DagsterInstance, exclude: Sequence[str] = ()) -> list[RunState]:
    """Runs in progress that hold the warehouse pool (with a live or unknown worker)."""
    return [
        s
        for s in unfinished_runs(instance)
        if s.status in ("STARTING", "STARTED", "CANCELING")
        and WAREHOUSE_POOL in s.pools
        and s.run_id not in exclude
        and s.worker_alive is not False
    ]


class RunReaper:
    """A background thread that fails dead runs every `interval` seconds (and once at start)."""

    def __init__(self, instance: DagsterInstance, interval: float = REAP_INTERVAL_SECONDS) -> None:
        self.instance = instance
        self.interval = interval
        self.reaped: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="homeclerk-run-reaper", daemon=True)

    def _loop(self) -> None:
        while True:
            try:
                self.reaped.extend(fail_dead_runs(self.instance))
            except Exception as exc:  # a busy SQLite file must not end the UI
                print(f"homeclerk: run check failed ({exc}); trying again", flush=True)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> RunReaper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
