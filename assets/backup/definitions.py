"""Dagster wrappers for backups: the nightly `backup` asset and its `backup_fresh` check.

`backup` holds the warehouse pool: the warehouse is copied under the one read-write connection,
so no run writes it during the copy. An off-box copy that fails leaves the asset green (the local
snapshot is good) with the failure in plain words in its metadata and the run's log.
"""

# No `from __future__ import annotations` here: Dagster compares the `context` annotation by
# identity, and a postponed (string) annotation fails that check.

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetSelection,
    Config,
    DefaultScheduleStatus,
    Definitions,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    asset_check,
    define_asset_job,
)

from assets.backup.freshness import MAX_AGE, backup_problems, freshness
from assets.backup.remote import push
from assets.backup.resources import BackupResource
from assets.backup.retention import prune
from assets.backup.snapshot import TRIGGER_MANUAL, TRIGGER_SCHEDULED, take_snapshot
from assets.common.resources import Clock
from assets.common.warehouse import WAREHOUSE_POOL
from assets.notify.sensors import IncidentSource, incident_source

NIGHTLY_CRON = "30 3 * * *"


class BackupRequest(Config):
    """How this snapshot was asked for: by the schedule, or by hand (`homeclerk backup`)."""

    trigger: str = TRIGGER_SCHEDULED
    # Another backup folder than [backup] dir (`homeclerk backup --to DIR`); "" for the setting's.
    to: str = ""
    # `--prune`: retention may delete snapshots taken by hand too (a --to folder is pruned only
    # then).
    prune: bool = False


@asset(
    pool=WAREHOUSE_POOL,
    group_name="backup",
    kinds={"duckdb", "sqlite"},
    description="A dated snapshot of the warehouse, the instance, books, feeds and settings, "
    "with a SHA-256 manifest; old snapshots pruned; copied off the box when configured.",
)
def backup(
    context: AssetExecutionContext,
    config: BackupRequest,
    backup_config: BackupResource,
    clock: Clock,
) -> MaterializeResult:
    now = clock.now()
    folder = Path(config.to or backup_config.backup_dir)
    trigger = TRIGGER_MANUAL if config.trigger == TRIGGER_MANUAL else TRIGGER_SCHEDULED
    result = take_snapshot(backup_config.sources(), folder, now, trigger=trigger)
    lines = [
        f"snapshot {result.path}: {result.files} files, {result.bytes} bytes, "
        f"{result.seconds:.2f} s"
    ]
    removed = 0
    if config.to and not config.prune:
        lines.append(f"kept every snapshot in {folder}: a --to folder is pruned only with --prune")
    else:
        pruned = prune(
            folder,
            backup_config.retention(),
            backup_config.timezone,
            now,
            prune_manual=config.prune,
        )
        lines += pruned.lines()
        removed = len(pruned.removed)
    for line in lines:
        context.log.info(line)
    metadata: dict[str, Any] = {
        "snapshot": MetadataValue.path(str(result.path)),
        "files": result.files,
        "bytes": result.bytes,
        "seconds": round(result.seconds, 2),
        "warehouse_rows": sum(result.warehouse_tables.values()),
        "pruned": removed,
        "report": MetadataValue.text("\n".join(lines)),
    }
    if backup_config.remote:
        pushed = push(result.path, backup_config.remote, backup_config.remote_tool)
        metadata["remote"] = pushed.message
        metadata["remote_ok"] = pushed.ok
        (context.log.info if pushed.ok else context.log.warning)(pushed.message)
    return MaterializeResult(metadata=metadata)


@asset_check(
    asset=backup,
    description=f"The newest good snapshot is under {MAX_AGE.total_seconds() / 3600:.0f} h old.",
)
def backup_fresh(backup_config: BackupResource, clock: Clock) -> AssetCheckResult:
    ok, description = freshness(Path(backup_config.backup_dir), clock.now())
    return AssetCheckResult(passed=ok, severity=AssetCheckSeverity.WARN, description=description)


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The backup slice: the asset, its check, `backup_job` and the nightly schedule."""
    backup_job = define_asset_job(
        "backup_job",
        selection=AssetSelection.assets(backup),
        description="One snapshot now (what the nightly schedule runs).",
    )
    nightly = ScheduleDefinition(
        name="backup_nightly",
        job=backup_job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone=resources["backup_config"].timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description="A snapshot every night at 03:30.",
    )
    return Definitions(
        assets=[backup],
        asset_checks=[backup_fresh],
        jobs=[backup_job],
        schedules=[nightly],
    )


def notify_sources(resources: Mapping[str, Any]) -> list[IncidentSource]:
    """A message when no good snapshot is under MAX_AGE old, one when a new one is taken."""
    folder = Path(resources["backup_config"].backup_dir)
    return [
        incident_source(
            "backup_missing",
            "backup:",
            lambda now, context: backup_problems(folder, now),
            interval=15 * 60,
        )
    ]
