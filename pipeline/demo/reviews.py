"""The demo's weekly reviews: its last 8 weeks, materialized as one run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from dagster import DagsterEvent, DagsterInstance, Definitions

from assets.review.week import Week, week_containing
from pipeline.demo.messages import IST

DEMO_WEEKS = 8


def demo_review_range(
    as_of: dt.datetime, data_from: Week, weeks: int = DEMO_WEEKS
) -> tuple[str, str]:
    """(first, last) partition keys: the week holding `as_of` (IST) and the ones before it,
    from `data_from` (the partitions' first week) at the earliest."""
    last = week_containing(as_of.astimezone(IST).date())
    first = max(last.shifted(-(weeks - 1)).start, data_from.start)
    return first.isoformat(), last.key


def materialize_demo_reviews(
    defs: Definitions, instance: DagsterInstance, run_config: dict[str, Any], as_of: dt.datetime
) -> tuple[list[DagsterEvent], str]:
    """Run `weekly_review_job` over the demo's last weeks; (the run's events, the last week's
    partition key)."""
    from dagster._core.storage.tags import (
        ASSET_PARTITION_RANGE_END_TAG,
        ASSET_PARTITION_RANGE_START_TAG,
    )

    partitions = defs.resolve_assets_def("weekly_review").partitions_def
    data_from = week_containing(partitions.start.date())  # type: ignore[union-attr]
    first, last = demo_review_range(as_of, data_from)
    result = defs.resolve_job_def("weekly_review_job").execute_in_process(
        run_config=run_config,
        instance=instance,
        raise_on_error=False,
        tags={
            "homeclerk/demo": "true",
            ASSET_PARTITION_RANGE_START_TAG: first,
            ASSET_PARTITION_RANGE_END_TAG: last,
        },
    )
    return list(result.all_events), last


def latest_review(reviews_dir: Path, last_key: str) -> Path:
    """The HTML review of the week `last_key` starts."""
    year, week, _ = dt.date.fromisoformat(last_key).isocalendar()
    return reviews_dir / f"{year}-W{week:02d}.html"
