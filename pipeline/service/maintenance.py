"""Upkeep: a daily job deleting old runs, so a home server's instance does not grow forever.

Dagster never deletes runs by itself. `prune_runs` deletes finished runs older than
`[service] run_retention_days`, except a run that holds some asset's latest materialization
(the UI and `doctor` show when and how each asset was last built), and the files SQLite storage
leaves behind: `instance.delete_run` deletes the rows but not the run's own event-log database
(`storage/history/runs/<run_id>.db`) nor its compute logs (`storage/<run_id>/`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import (
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    job,
    op,
)

from pipeline.settings import Settings

if TYPE_CHECKING:
    from dagster import DagsterInstance

# 03:15: after the books (00:30), before the owner wakes.
MAINTENANCE_CRON = "15 3 * * *"


@dataclass(frozen=True)
class PruneReport:
    """What `prune_runs` deleted and kept."""

    deleted: tuple[str, ...]
    kept_latest: tuple[str, ...]  # old runs kept because they hold a latest materialization
    freed_bytes: int


def latest_materialization_runs(instance: DagsterInstance) -> set[str]:
    """The run id of each asset's latest materialization."""
    keep = set()
    for key in instance.get_asset_keys():
        event = instance.get_latest_materialization_event(key)
        if event is not None and event.run_id:
            keep.add(event.run_id)
    return keep


def prune_runs(
    instance: DagsterInstance,
    now: dt.datetime,
    retention_days: int,
    log: Callable[[str], None] = lambda line: None,
) -> PruneReport:
    """Delete finished runs created before `now - retention_days`, and their leftover files."""
    from dagster import DagsterRunStatus, RunsFilter

    cutoff = now - dt.timedelta(days=retention_days)
    finished = [
        DagsterRunStatus.SUCCESS,
        DagsterRunStatus.FAILURE,
        DagsterRunStatus.CANCELED,
    ]
    # Dagster drops the bound's zone and compares it with its naive UTC stamps: give it in UTC.
    old = instance.get_run_records(
        RunsFilter(created_before=cutoff.astimezone(dt.UTC), statuses=finished)
    )
    keep = latest_materialization_runs(instance)
    deleted, kept, freed = [], [], 0
    for record in old:
        run_id = record.dagster_run.run_id
        if run_id in keep:
            kept.append(run_id)
            continue
        instance.delete_run(run_id)
        freed += _delete_run_files(instance, run_id)
        deleted.append(run_id)
    log(
        f"deleted {len(deleted)} runs created before {cutoff:%Y-%m-%d %H:%M %Z} "
        f"({freed / 1e6:.1f} MB of files); kept {len(kept)} old runs that hold an asset's "
        "latest materialization"
    )
    return PruneReport(tuple(deleted), tuple(kept), freed)


def _delete_run_files(instance: DagsterInstance, run_id: str) -> int:
    freed = 0
    paths: list[Path] = []
    shard = getattr(instance.event_log_storage, "path_for_shard", None)
    if callable(shard):
        paths.append(Path(shard(run_id)))
    base = getattr(instance.compute_log_manager, "_base_dir", None)
    if base:
        paths.append(Path(base) / run_id)
    for path in paths:
        if path.is_dir():
            freed += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file():
            freed += path.stat().st_size
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
    return freed


def build_maintenance(settings: Settings) -> Definitions:
    """The maintenance job and its daily schedule, as their own Definitions (merged at the root)."""
    retention = settings.service.run_retention_days

    @op(description=f"Delete finished runs older than {retention} days (keeps latest builds).")
    def prune_old_runs(context) -> None:  # type: ignore[no-untyped-def]  # Dagster reads the hint
        prune_runs(context.instance, dt.datetime.now(dt.UTC), retention, log=context.log.info)

    @job(description="Daily upkeep of the Dagster instance (old runs and their files).")
    def maintenance_job() -> None:
        prune_old_runs()

    schedule = ScheduleDefinition(
        name="maintenance_daily",
        cron_schedule=MAINTENANCE_CRON,
        execution_timezone=settings.timezone,
        job=maintenance_job,
        default_status=DefaultScheduleStatus.RUNNING,
        description="03:15 every night: delete runs older than [service] run_retention_days.",
    )
    return Definitions(jobs=[maintenance_job], schedules=[schedule])
