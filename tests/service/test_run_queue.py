"""The instance homeclerk writes puts a run that could not reach its code server back in the
queue (`homeclerk serve` restarts the code server when homeclerk.toml changes, just as the
Categorize page or `homeclerk categorize` asks for a run after writing a rule)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
from dagster._core.storage.dagster_run import RunOpConcurrency

from assets.common.warehouse import WAREHOUSE_POOL
from pipeline.service.runs import declare_pools
from pipeline.service.webserver import DaemonThread
from tests.support import homeclerk_instance


def test_a_run_the_code_server_missed_is_queued_again_not_failed(tmp_path: Path) -> None:
    with homeclerk_instance(tmp_path / "home") as instance:
        queue = instance.get_concurrency_config().run_queue_config
    assert queue is not None
    assert queue.max_user_code_failure_retries == 3
    assert queue.user_code_failure_retry_delay == 10
    # The pool and the run limit stay as they were.
    assert queue.max_concurrent_runs == 2


def _queued(run_id: str, pools: set[str]) -> DagsterRun:
    # What the daemon reads of a queued run: its pools (`remote_job_origin` aside, which only a
    # run in QUEUED status must carry).
    return DagsterRun(
        job_name=f"job_{run_id}",
        run_id=run_id,
        status=DagsterRunStatus.NOT_STARTED,
        run_op_concurrency=RunOpConcurrency(
            root_key_counts=dict.fromkeys(pools, 1),
            has_unconstrained_root_nodes=False,
            all_pools=pools,
        ),
    )


def _one_pass(instance: DagsterInstance, queued: list[DagsterRun]) -> list[str]:
    """The runs one pass of the daemon's run queue starts, as its dequeue loop decides it."""
    from dagster._core.op_concurrency_limits_counter import GlobalOpConcurrencyLimitsCounter

    pools = instance.get_concurrency_config().pool_config
    counter = GlobalOpConcurrencyLimitsCounter(
        instance,
        queued,
        [],
        concurrency_keys=instance.event_log_storage.get_concurrency_keys(),
        pool_limits=instance.event_log_storage.get_pool_limits(),
        pool_granularity=pools.pool_granularity,
    )
    started = []
    for run in queued:
        if not counter.is_blocked(run):
            started.append(run.run_id)
            counter.update_counters_with_launched_item(run)
    return started


def test_two_warehouse_runs_queued_together_on_a_new_instance_start_one_at_a_time(
    tmp_path: Path,
) -> None:
    # A sensor's run and one launched from the UI in the same pass: without the pool declared
    # first, Dagster creates its limit only during that pass, after reading the limits, and
    # both runs start (one then fails on the warehouse's lock).
    runs = [_queued("sensor", {WAREHOUSE_POOL}), _queued("ui", {WAREHOUSE_POOL})]
    with homeclerk_instance(tmp_path / "home") as instance:
        declare_pools(instance)
        assert _one_pass(instance, runs) == ["sensor"]
        limits = {p.name: p.limit for p in instance.event_log_storage.get_pool_limits()}
    assert limits[WAREHOUSE_POOL] == 1


def test_a_pool_limit_the_owner_set_is_kept(tmp_path: Path) -> None:
    with homeclerk_instance(tmp_path / "home") as instance:
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 2)
        declare_pools(instance)
        limits = {p.name: p.limit for p in instance.event_log_storage.get_pool_limits()}
    assert limits[WAREHOUSE_POOL] == 2


def test_the_daemon_declares_the_pools_before_its_first_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with homeclerk_instance(home):
        pass
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    failed = threading.Event()
    # A workspace that does not exist: the controller never starts, the pools are there anyway.
    with DaemonThread(tmp_path / "no-workspace.yaml", failed.set):
        assert failed.wait(60), "the daemon did not stop"
    with DagsterInstance.from_config(str(home)) as instance:
        assert WAREHOUSE_POOL in instance.event_log_storage.get_concurrency_keys()
