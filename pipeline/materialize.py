"""`homeclerk materialize SELECTION`: a run from a shell that waits for the warehouse, not fails.

`dagster asset materialize` opens the DuckDB warehouse beside a daemon run and fails with
WarehouseLockedError. This runs the selection in this process, on homeclerk's own instance, as
a run the queued coordinator sees: while it is in progress the daemon keeps every other
`warehouse` run queued (run-granularity pools count in-progress runs). Before it starts it waits
until no run in progress holds the pool, and a run that still lost the race to the lock (a run
the daemon launched in the same second) is retried with backoff. No daemon is needed, so it
also works when nothing else is running.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.settings import Settings

LOCKED = "WarehouseLockedError"


class SelectionError(ValueError):
    """The asset selection matches nothing or does not parse."""


def materialize(
    settings: Settings,
    selection: str,
    partition: str | None = None,
    *,
    out: Callable[[str], None] = print,
    wait_seconds: float = 3600.0,
    max_backoff: float = 10.0,
    partition_range: tuple[str, str] | None = None,
    op_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    on_success: Callable[[Any], None] | None = None,
    verbose: bool = False,
) -> int:
    """Materialize `selection` once the warehouse is free; 0 on success, 1 with the failing step's
    message otherwise, 3 when the warehouse stayed busy for `wait_seconds`.

    `partition_range` (first, last key) runs every partition between them as one run (assets
    with a single-run backfill policy, such as the weekly review). `op_config` is each asset's
    config by name, `tags` are added to the run's, and `on_success` gets the run's result. A
    failed step is told in one line (its message names the fix); `verbose` also lets Dagster
    print its stack trace."""
    from dagster import AssetSelection, DagsterInstance

    from pipeline.definitions import build_definitions
    from pipeline.service.instance import prepare_instance
    from pipeline.service.runs import fail_dead_runs, warehouse_holders

    defs = build_definitions(settings)
    try:
        keys = AssetSelection.from_string(selection).resolve(defs.resolve_asset_graph())
    except Exception as exc:  # Dagster raises several types for a bad selection string
        raise SelectionError(
            f"asset selection {selection!r} does not parse ({exc}); examples: "
            "'sms_messages+', '*expenses_feed', 'key:books'"
        ) from None
    if not keys:
        raise SelectionError(
            f"asset selection {selection!r} matches no asset; the assets are: "
            + ", ".join(
                sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())
            )
        )
    if partition is None and partition_range is None:
        keys = _without_partitioned(keys, defs.resolve_asset_graph(), out)
    names = ", ".join(sorted(k.to_user_string() for k in keys))
    job = defs.resolve_implicit_global_asset_job_def()
    if not verbose:
        job = job.with_logger_defs({"console": _console_without_failure_dumps()})
    home = prepare_instance(settings)
    deadline = time.monotonic() + wait_seconds
    backoff = 1.0
    with DagsterInstance.from_config(str(home)) as instance, _cli_turn(home, out):
        said = None
        while True:
            fail_dead_runs(instance)  # a killed run must not keep us waiting for an hour
            holders = warehouse_holders(instance)
            if holders:
                what = ", ".join(f"{h.job_name} {h.run_id[:8]}" for h in holders)
                if what != said:
                    out(f"waiting for the warehouse: run {what} holds it")
                    said = what
            else:
                out(f"materializing {names}" + _partitions_text(partition, partition_range))
                result = job.execute_in_process(
                    instance=instance,
                    asset_selection=list(keys),
                    partition_key=partition,
                    raise_on_error=False,
                    run_config={
                        "loggers": {"console": {"config": {"log_level": "INFO"}}},
                        "ops": {name: {"config": c} for name, c in (op_config or {}).items()},
                    },
                    tags={
                        "homeclerk/source": "cli",
                        **_range_tags(partition_range),
                        **(tags or {}),
                    },
                )
                failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
                if result.success:
                    out(f"materialized {names}: run {result.run_id} succeeded")
                    if on_success is not None:
                        on_success(result)
                    return 0
                if not any(LOCKED in _error_text(e) for e in failures):
                    for event in failures:
                        out(f"FAILED {event.step_key}: {_failure_text(event)}")
                    out(
                        f"run {result.run_id} failed (open it in the Dagster UI for the log, "
                        "or run again with --verbose for the stack trace)"
                    )
                    return 1
                out("the warehouse was taken in the same moment: trying again")
                said = None
            if time.monotonic() + backoff > deadline:
                out(f"gave up: the warehouse stayed busy for {int(wait_seconds)} s")
                return 3
            time.sleep(backoff)  # waiting on another process, not synchronising a test
            backoff = min(backoff * 2, max_backoff)


# Dagster logs a failed step and the failed run with the whole stack trace, and one error per
# step it then skips; this command says the failing step's own message in one line after the
# run, so the console leaves those out (`--verbose` keeps them).
_FAILURE_EVENTS = frozenset({"STEP_FAILURE", "PIPELINE_FAILURE", "RUN_FAILURE"})


def _not_a_failure_dump(record: logging.LogRecord) -> bool:
    event = getattr(record, "dagster_event", None)
    if getattr(event, "event_type_value", None) in _FAILURE_EVENTS:
        return False
    message = record.getMessage()
    return not (record.levelno >= logging.ERROR and "Dependencies for step" in message)


def _console_without_failure_dumps() -> Any:
    """Dagster's console logger, less the failure events (the run's own summary tells them)."""
    from dagster import Field, logger
    from dagster._utils.log import create_console_logger

    @logger(config_schema={"log_level": Field(str, is_required=False, default_value="INFO")})
    def console(init_context: Any) -> logging.Logger:
        level = logging.getLevelName(init_context.logger_config["log_level"].upper())
        made = create_console_logger(name="dagster", level=level)
        made.addFilter(_not_a_failure_dump)
        return made

    return console


def _without_partitioned(keys: set, graph: object, out: Callable[[str], None]) -> set:
    """`keys` less the partitioned assets (the weekly review), which a run without a partition
    cannot build; said aloud, with how to build them. Only partitioned ones: an error."""
    partitioned = {k for k in keys if graph.get(k).partitions_def is not None}  # type: ignore[attr-defined]
    if not partitioned:
        return keys
    listed = ", ".join(sorted(k.to_user_string() for k in partitioned))
    how = (
        "give --partition KEY (a week's Monday, e.g. 2026-11-23), "
        "or use `homeclerk review --week 2026-W48`"
    )
    if partitioned == keys:
        raise SelectionError(f"{listed} is built one partition at a time: {how}")
    out(f"leaving out {listed} (built one partition at a time: {how})")
    return keys - partitioned


def _partitions_text(partition: str | None, partition_range: tuple[str, str] | None) -> str:
    if partition_range:
        return f" (partitions {partition_range[0]} to {partition_range[1]}, one run)"
    return f" (partition {partition})" if partition else ""


def _range_tags(partition_range: tuple[str, str] | None) -> dict[str, str]:
    if not partition_range:
        return {}
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    return {
        ASSET_PARTITION_RANGE_START_TAG: partition_range[0],
        ASSET_PARTITION_RANGE_END_TAG: partition_range[1],
    }


def _error_text(event: object) -> str:
    data = getattr(event, "event_specific_data", None)
    error = getattr(data, "error", None)
    if error is None:
        return getattr(event, "message", "") or ""
    parts = []
    while error is not None:
        parts.append(f"{error.cls_name}: {error.message.strip()}")
        error = error.cause
    return " <- ".join(parts)


def _failure_text(event: object) -> str:
    """What the owner needs: a Failure's own description (it names the fix), else the error."""
    data = getattr(event, "event_specific_data", None)
    description = getattr(getattr(data, "user_failure_data", None), "description", None)
    if description:
        return description
    error = getattr(data, "error", None)
    if error is None:
        return getattr(event, "message", "") or ""
    # Dagster's "Error occurred while executing op …" wraps what the step raised: say that.
    while error.cls_name.startswith("Dagster") and error.cause is not None:
        error = error.cause
    return f"{error.cls_name}: {error.message.strip().rpartition(error.cls_name + ': ')[2]}"


@contextmanager
def _cli_turn(home: Path, out: Callable[[str], None]) -> Iterator[None]:
    """One shell materialize at a time (they would both see the warehouse free)."""
    fd = os.open(home / "homeclerk-materialize.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            out(f"waiting for another `homeclerk materialize` ({dt.datetime.now():%H:%M:%S})")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
