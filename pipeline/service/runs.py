"""Runs that can never get stuck: a run whose worker process died is failed, by its PID.

Dagster's run monitoring cannot see a dead worker here: the default run launcher (runs as
subprocesses of the code server) has no worker health check, so a run left STARTED by a killed
process tree keeps the `warehouse` pool until `max_runtime_seconds`. Every run worker records its
PID in an engine event (`EngineEventData.in_process`); a run in progress whose PID is gone is
failed, which frees its pool at once.

The same thread purges old sensor ticks (skipped ones after an hour, see `purge_sensor_ticks`).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from assets.common import tick_tally
from assets.common.warehouse import WAREHOUSE_POOL

if TYPE_CHECKING:
    from dagster import DagsterInstance, DagsterRun

# How often `homeclerk ui` looks for runs whose worker died.
REAP_INTERVAL_SECONDS = 30.0
# Sensor ticks are purged here, not by the daemon (dagster.yaml sets the sensors' retention to
# -1): the daemon purges after every tick, three DELETEs on a fresh SQLite connection each ~4 s.
# Skipped ticks (one every few seconds, ~1.3 kB each; a day of them was ~30 MB of instance
# growth) are kept an hour: `doctor` and the UI show the latest. Each purged skipped tick is
# counted first (`assets.common.tick_tally`), so the weekly review's count of skipped ticks stays
# whole. Successful and failed ticks keep the ages the daemon used.
SKIPPED_TICK_KEEP = dt.timedelta(hours=1)
SUCCESS_TICK_KEEP = dt.timedelta(days=7)
FAILURE_TICK_KEEP = dt.timedelta(days=14)
PURGE_INTERVAL = dt.timedelta(minutes=10)
# A worker records its PID within seconds of its run entering STARTING (2–6 s on a loaded
# 2-core machine); past this with no worker process at all, the run has none.
STARTING_GRACE = dt.timedelta(seconds=30)
# Ticks read per query while counting (only their timestamps are kept).
_PURGE_BATCH = 1000


def declare_pools(instance: DagsterInstance) -> None:
    """Give every pool homeclerk's assets use its limit (dagster.yaml's default, one slot) now.

    Dagster creates a pool's limit the first time the run queue sees a run that needs it, after
    that pass has read which pools have limits: on a new instance, two warehouse runs queued in
    the same pass (a sensor's and one launched from the UI) both start and one fails on the
    warehouse's lock. Called before the daemon's first pass; a pool already there is left as is.
    """
    storage = instance.event_log_storage
    if WAREHOUSE_POOL not in storage.get_concurrency_keys():
        storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)


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
        if run.status == DagsterRunStatus.STARTING:
            stamp = _starting_since(instance, run.run_id) or stamp
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


def _starting_since(instance: DagsterInstance, run_id: str) -> float | None:
    """When the run entered STARTING (a run queued for an hour has an old creation time)."""
    from dagster import DagsterEventType

    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.RUN_STARTING, ascending=False, limit=1
    ).records
    return records[0].timestamp if records else None


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


def fail_orphaned_starting_runs(
    instance: DagsterInstance,
    launcher_since: dt.datetime,
    has_workers: Callable[[], bool],
    now: dt.datetime,
) -> list[str]:
    """Fail runs left STARTING with no worker PID that can have no worker; return their ids.

    The run launcher is the code server: it starts each worker as its own child. A run that
    entered STARTING before this code server started was launched by one that is gone (a power
    loss, a killed service): its worker never recorded a PID and never will. A run STARTING for
    longer than `STARTING_GRACE` while this code server has no worker process at all lost its
    worker before it could say so. Either held the one-slot warehouse pool until Dagster's start
    timeout (180 s, plus its poll), and every new SMS waited behind it.
    """
    orphans = [
        s
        for s in unfinished_runs(instance)
        if s.status == "STARTING"
        and s.pid is None
        and s.since is not None
        and (s.since < launcher_since or now - s.since > STARTING_GRACE)
    ]
    if not orphans:
        return []
    workers = None
    failed = []
    for state in orphans:
        assert state.since is not None
        if state.since >= launcher_since:
            workers = has_workers() if workers is None else workers
            if workers:
                continue  # a worker may be this run's, still importing: Dagster's timeout decides
        run = instance.get_run_by_id(state.run_id)
        if run is None or run.is_finished:
            continue
        message = (
            "homeclerk: the run never got a worker (the service stopped or the worker died while "
            "it was starting); it is marked failed so it stops holding its pool, and retried."
        )
        instance.report_engine_event(message, run)
        instance.report_run_failed(run, message)
        failed.append(state.run_id)
    return failed


def close_restored_runs(instance: DagsterInstance) -> list[str]:
    """Cancel every run a restored instance shows as queued or in progress; return their ids.

    A snapshot is taken while runs may be in flight (the backup's own run always is): in the
    restored folder their workers never existed, and a PID recorded there may belong to any
    process of this machine, so they must not hold the warehouse pool. Their outcome is in the
    original folder's history.
    """
    closed = []
    for state in unfinished_runs(instance):
        run = instance.get_run_by_id(state.run_id)
        if run is None or run.is_finished:
            continue
        instance.report_run_canceled(
            run,
            "homeclerk: restored from a snapshot taken while this run was in progress; it "
            "finished (or not) in the original folder",
        )
        closed.append(state.run_id)
    return closed


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


def purge_sensor_ticks(instance: DagsterInstance, now: dt.datetime) -> int:
    """Delete sensor ticks past their age (skipped 1 h, success 7 d, failure 14 d).

    Returns how many skipped ticks went (those are tallied, see `purge_skipped_sensor_ticks`).
    Schedule ticks are left to the instance's retention (the scheduler purges them itself, at
    most once per schedule tick).
    """
    from dagster._core.scheduler.instigation import InstigatorType, TickStatus

    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        for status, keep in (
            (TickStatus.SUCCESS, SUCCESS_TICK_KEEP),
            (TickStatus.FAILURE, FAILURE_TICK_KEEP),
        ):
            instance.purge_ticks(
                state.instigator_origin_id,
                state.selector_id,
                before=(now - keep).timestamp(),
                tick_statuses=[status],
            )
    return purge_skipped_sensor_ticks(instance, now)


def purge_skipped_sensor_ticks(
    instance: DagsterInstance, now: dt.datetime, keep: dt.timedelta = SKIPPED_TICK_KEEP
) -> int:
    """Delete every sensor's SKIPPED ticks older than `now - keep`; return how many.

    They are added to the tally in the instance's key-value store (by quarter hour) once deleted.
    """
    from dagster._core.scheduler.instigation import InstigatorType, TickStatus

    cutoff = (now - keep).timestamp()
    stamps: list[float] = []
    for state in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR):
        origin, selector = state.instigator_origin_id, state.selector_id
        before = cutoff
        while True:  # newest first, in batches, so a long backlog never sits in memory
            batch = instance.get_ticks(
                origin, selector, before=before, limit=_PURGE_BATCH, statuses=[TickStatus.SKIPPED]
            )
            stamps += [t.timestamp for t in batch]
            if len(batch) < _PURGE_BATCH:
                break
            before = min(t.timestamp for t in batch)
        instance.purge_ticks(origin, selector, before=cutoff, tick_statuses=[TickStatus.SKIPPED])
    if stamps:
        kv = instance.run_storage
        raw = kv.get_cursor_values({tick_tally.TALLY_KEY}).get(tick_tally.TALLY_KEY)
        updated = tick_tally.add_ticks(raw, stamps, now.timestamp())
        kv.set_cursor_values({tick_tally.TALLY_KEY: updated})
    return len(stamps)


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RunReaper:
    """A background thread that fails dead runs every `interval` seconds (and once at start), and
    purges old sensor ticks every `purge_interval` (and once at start)."""

    def __init__(
        self,
        instance: DagsterInstance,
        interval: float = REAP_INTERVAL_SECONDS,
        purge_interval: dt.timedelta = PURGE_INTERVAL,
        now: Callable[[], dt.datetime] = _utc_now,
        launcher_since: dt.datetime | None = None,
        has_workers: Callable[[], bool] | None = None,
    ) -> None:
        self.instance = instance
        # Set where the reaper runs inside the run launcher (the code server): it then also
        # fails runs left STARTING without a worker.
        self.launcher_since, self.has_workers = launcher_since, has_workers
        self.interval = interval
        self.purge_interval = purge_interval
        self.now = now
        self.reaped: list[str] = []
        self.purged = 0
        self._last_purge: dt.datetime | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="homeclerk-run-reaper", daemon=True)

    def _loop(self) -> None:
        while True:
            try:
                self.reaped.extend(fail_dead_runs(self.instance))
                if self.launcher_since is not None and self.has_workers is not None:
                    self.reaped.extend(
                        fail_orphaned_starting_runs(
                            self.instance, self.launcher_since, self.has_workers, self.now()
                        )
                    )
            except Exception as exc:  # a busy SQLite file must not end the UI
                print(f"homeclerk: run check failed ({exc}); trying again", flush=True)
            moment = self.now()
            if self._last_purge is None or moment - self._last_purge >= self.purge_interval:
                try:
                    self.purged += purge_sensor_ticks(self.instance, moment)
                    self._last_purge = moment
                except Exception as exc:
                    print(f"homeclerk: tick purge failed ({exc}); trying again", flush=True)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> RunReaper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
