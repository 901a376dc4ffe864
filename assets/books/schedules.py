"""When the books are written: once a night, just after the day they cover has ended."""

from __future__ import annotations

from typing import Any

from dagster import DefaultScheduleStatus, ScheduleDefinition

# Balance assertions need complete days, so the books are written just after midnight.
BOOKS_CRON = "30 0 * * *"


def books_nightly(job: Any, timezone: str) -> ScheduleDefinition:
    """00:30 every night in `timezone` (the owner's, from the books resource): runs `job`."""
    return ScheduleDefinition(
        name="books_nightly",
        cron_schedule=BOOKS_CRON,
        execution_timezone=timezone,
        job=job,
        default_status=DefaultScheduleStatus.RUNNING,
        description="00:30 every night: the ledger for the days that just completed.",
    )
