"""The statements inbox sensor: a books run when a statement is dropped into `[statements]
inbox` (the run's `ledger_entries` imports it, moves it to the documents folder, and the books
are written with its lines)."""

import hashlib

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from assets.books.inbox import pending_files
from assets.books.resources import BooksResource

INBOX_SENSOR_INTERVAL_SECONDS = 120  # statements arrive monthly: two minutes is prompt


def build_statement_inbox_sensor(job: object, books_config: BooksResource) -> SensorDefinition:
    """The sensor on the inbox folder, starting `job` once per set of waiting files (its run
    key is their names, sizes and times: a file refused and changed is asked for again).

    The resource object is held, not declared as a resource parameter, as the SMS sensor does
    (a sensor with resource parameters builds a Dagster instance on every tick)."""

    @sensor(
        name="statement_inbox_sensor",
        job=job,
        minimum_interval_seconds=INBOX_SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts the books run when a bank statement waits in [statements] inbox.",
    )
    def statement_inbox_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        inbox = books_config.inbox
        if inbox is None:
            return SkipReason("SKIPPED: no [statements] inbox configured")
        waiting = pending_files(inbox)
        if not waiting:
            return SkipReason(f"SKIPPED: no statement waits in {inbox}")
        stamp = hashlib.sha256(
            "|".join(
                f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in waiting
            ).encode()
        ).hexdigest()[:16]
        context.log.info(f"{len(waiting)} statement(s) wait in {inbox}")
        return RunRequest(run_key=f"inbox-{stamp}")

    return statement_inbox_sensor
