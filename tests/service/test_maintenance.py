"""The maintenance job on a real SQLite Dagster instance: old runs go, latest builds stay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterInstance, asset, materialize, op
from dagster import job as dagster_job

from pipeline.service.maintenance import MAINTENANCE_CRON, build_maintenance, prune_runs
from pipeline.settings import load_settings
from tests.support import homeclerk_instance


@asset
def apples() -> int:
    print("apples built")  # something for the compute log
    return 1


@asset
def pears() -> int:
    return 2


@op
def noop() -> None:
    print("nothing materialized")


@dagster_job
def plain_job() -> None:
    noop()


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    with homeclerk_instance(tmp_path / "dagster") as inst:
        yield inst


def _run_files(instance: DagsterInstance, run_id: str) -> list[Path]:
    storage = Path(instance.root_directory) / "storage"
    return [p for p in storage.rglob("*") if run_id in str(p)]


def test_prune_deletes_old_runs_and_their_files_but_keeps_latest_materializations(
    instance: DagsterInstance,
) -> None:
    old_apples = materialize([apples], instance=instance).run_id
    latest_apples = materialize([apples], instance=instance).run_id
    latest_pears = materialize([pears], instance=instance).run_id
    plain = plain_job.execute_in_process(instance=instance).run_id
    assert _run_files(instance, old_apples), "the run should have left files to delete"
    assert _run_files(instance, plain)

    now = dt.datetime.now(dt.UTC)
    # Nothing is older than 30 days yet.
    assert prune_runs(instance, now, 30).deleted == ()
    assert instance.get_runs_count() == 4

    lines: list[str] = []
    report = prune_runs(instance, now + dt.timedelta(days=31), 30, log=lines.append)

    assert set(report.deleted) == {old_apples, plain}
    assert set(report.kept_latest) == {latest_apples, latest_pears}
    assert {r.run_id for r in instance.get_runs()} == {latest_apples, latest_pears}
    assert _run_files(instance, old_apples) == []
    assert _run_files(instance, plain) == []
    assert _run_files(instance, latest_apples), "a kept run keeps its files"
    assert report.freed_bytes > 0
    assert "deleted 2 runs" in lines[0]
    # The latest materializations are still known after the prune.
    assert instance.get_latest_materialization_event(apples.key).run_id == latest_apples


def test_prune_respects_the_retention_age(instance: DagsterInstance) -> None:
    plain = plain_job.execute_in_process(instance=instance).run_id
    now = dt.datetime.now(dt.UTC)
    assert prune_runs(instance, now + dt.timedelta(days=6), 7).deleted == ()
    assert prune_runs(instance, now + dt.timedelta(days=8), 7).deleted == (plain,)


def test_the_daily_schedule_runs_the_job_that_prunes(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text('timezone = "Asia/Kolkata"\n[service]\nrun_retention_days = 9\n')
    defs = build_maintenance(load_settings(config))
    schedule = defs.resolve_schedule_def("maintenance_daily")
    assert schedule.cron_schedule == MAINTENANCE_CRON
    assert schedule.execution_timezone == "Asia/Kolkata"
    job = defs.resolve_job_def("maintenance_job")
    assert "9 days" in job.graph.node_defs[0].description
    with DagsterInstance.ephemeral() as instance:
        assert job.execute_in_process(instance=instance).success


def test_the_instance_runs_only_the_daemons_homeclerk_uses(instance: DagsterInstance) -> None:
    # Every daemon thread polls storage even when it has nothing to do; homeclerk has no
    # automation conditions or freshness policies, so those two daemons only cost idle CPU.
    assert sorted(instance.get_required_daemon_types()) == [
        "BACKFILL",
        "EVENT_LOG_CONSUMER",
        "MONITORING",
        "QUEUED_RUN_COORDINATOR",
        "SCHEDULER",
        "SENSOR",
    ]
