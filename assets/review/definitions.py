"""Dagster wrapper for the weekly review: a weekly-partitioned asset (Monday to Sunday in the
owner's zone), its schedule, and what it reads from the Dagster instance."""

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    BackfillPolicy,
    DagsterInstance,
    DagsterRunStatus,
    DefaultScheduleStatus,
    Definitions,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    RunsFilter,
    ScheduleEvaluationContext,
    WeeklyPartitionsDefinition,
    asset,
    define_asset_job,
    schedule,
)
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecord
from dagster._utils.warnings import BetaWarning

from assets.books.gaps import owner_entries, read_gaps
from assets.books.reconcile import stored_reconciliation
from assets.books.resources import BooksResource
from assets.common import tick_tally
from assets.common import warehouse as wh
from assets.common.interrupted import interrupted_by_stop
from assets.common.resources import Clock, Feeds, Warehouse
from assets.notify.sensors import IncidentSource, announcement_source
from assets.power.resources import PowerSource
from assets.power.source import load_health

from .announce import review_announcement
from .compose import TREND_WEEKS, CheckOutcome, FailedRun, PipelineHealth, ReviewInputs
from .fava import fava_links
from .first_week import first_data_week, partitions_start, write_marker
from .owed import card_accounts, read_owed
from .power import health_in_week
from .produce import SUMMARY_FEED, update_summary, write_review
from .reader import NetWorthReader, gaps_in_week, read_transactions_for, read_week
from .resources import Reviews
from .week import Week, week_containing, week_of_key, weeks_between

BOOKS_CHECKS = ("ledger_loads_clean", "holdings_match_broker")
# The feeds' freshness checks: a failure during the week means a dashboard showed old data.
FRESHNESS_CHECKS = (
    ("expenses_feed", "expenses_feed_fresh"),
    ("portfolio_feed", "portfolio_feed_fresh"),
)
ASSET_NAME = "weekly_review"


def weekly_partitions(timezone: str, first: Week) -> WeeklyPartitionsDefinition:
    """Weeks from Monday 00:00 in `timezone` starting with `first` (first_week.py: the first
    week with data); `end_offset=1` so the week in progress exists."""
    return WeeklyPartitionsDefinition(
        start_date=first.key, day_offset=1, timezone=timezone, end_offset=1
    )


def build_weekly_review(timezone: str, first: Week) -> Any:
    """The asset, partitioned in the owner's zone from `first` (resources are only known at
    build time)."""
    with warnings.catch_warnings():
        # backfill_policy is marked beta; it is what makes a range one run (DESIGN.md).
        warnings.simplefilter("ignore", BetaWarning)
        return _weekly_review_asset(timezone, first)


def _weekly_review_asset(timezone: str, first: Week) -> Any:
    @asset(
        name=ASSET_NAME,
        partitions_def=weekly_partitions(timezone, first),
        # Many weeks in one run: a 52-week backfill is one run, not 52 run start-ups.
        backfill_policy=BackfillPolicy.single_run(),
        deps=["transactions", "broker_holdings", "books", "power_samples"],
        pool=wh.WAREHOUSE_POOL,
        group_name="review",
        description="reviews/YYYY-Www.md and .html, Monday to Sunday; feeds/review.json.",
    )
    def weekly_review(
        context: AssetExecutionContext,
        warehouse: Warehouse,
        feeds: Feeds,
        reviews: Reviews,
        clock: Clock,
        power: PowerSource,
        books_config: BooksResource,
    ) -> MaterializeResult:
        tz = ZoneInfo(timezone)
        weeks = [week_of_key(k) for k in context.partition_keys]
        written = []
        cached_health = load_health(power.log_folder)
        hand = owner_entries(books_config.folder)
        names = account_names(books_config)
        # What each card owes, from the books (one ledger load for the whole range).
        # The trend of the first week reaches TREND_WEEKS - 1 weeks before it.
        ends = [w.end for w in weeks_between(weeks[0].shifted(1 - TREND_WEEKS), weeks[-1])]
        owed = read_owed(books_config.main_file, card_accounts(names), ends)
        fava = fava_links(reviews.fava_url, books_config.main_file)
        with wh.connect(warehouse.path, read_only=True) as con:
            transactions = read_transactions_for(con, weeks)
            # One read for a whole backfill: the chain up to the last week's end.
            mapping = books_config.mapping()
            statement = stored_reconciliation(con, mapping.lookup, tz)
            gaps = read_gaps(
                con,
                mapping,
                tz,
                hand,
                before=max(w.bounds(tz)[1] for w in weeks),
                statement=statement,
            )
            data_from = first_data_week(con, tz)
            worth = NetWorthReader(con, tz, names, owed)
            for n, week in enumerate(weeks, 1):
                data = read_week(con, week, tz, transactions)
                start, end = week.bounds(tz)
                if data["power"] is not None:
                    health = health_in_week(cached_health, week, tz)
                    data["power"] = data["power"]._replace(health=health)
                inputs = ReviewInputs(
                    **{k: v for k, v in data.items() if k != "unrecognized"},
                    books=books_outcomes(context.instance, end),
                    health=pipeline_health(context.instance, start, end, data["unrecognized"]),
                    gaps=gaps_in_week(gaps, week, tz),
                    not_on_statement=[
                        t
                        for t in statement.not_on_statement
                        if week.start <= t.local_date(tz) <= week.end
                    ],
                    account_names=names,
                    owed=None if owed is None else owed[week.end],
                    net_worth=worth.trend(week),
                    fava=fava,
                    budgets=books_config.budget_list(),
                )
                out = write_review(inputs, reviews.path, mode=reviews.file_mode)
                update_summary(feeds.path(SUMMARY_FEED), out.review, mode=feeds.file_mode)
                written.append(out)
                if len(weeks) > 1:
                    context.log.info(f"review {n}/{len(weeks)}: {week.iso} → {out.markdown_path}")
        if data_from is not None:
            write_marker(reviews.path, data_from, reviews.file_mode)
        if data_from is not None and data_from != first:
            context.log.warning(
                f"the stored history now begins in {data_from.iso} (reviews start at "
                f"{first.iso}): restart the service (or Reload the code location in the "
                "UI) for the weekly partitions to start there"
            )
        last = written[-1]
        return MaterializeResult(
            metadata={
                "weeks": len(written),
                "last_week": last.review["week"],
                "markdown_path": MetadataValue.path(str(last.markdown_path)),
                "html_path": MetadataValue.path(str(last.html_path)),
                # Where `homeclerk serve`'s feed server shows it (a browser on this machine).
                **(
                    {"served_at": MetadataValue.url(f"{reviews.served_url}{last.html_path.name}")}
                    if reviews.served_url
                    else {}
                ),
                # The review itself, readable in the UI (the last week of a range).
                "review": MetadataValue.md(last.markdown),
                # When it was written lives here, never in the files (they stay reproducible).
                "generated_at": clock.now().isoformat(timespec="seconds"),
            }
        )

    return weekly_review


def account_names(books_config: BooksResource) -> dict[tuple[str, str], str]:
    """(bank, tail) → ledger account, as the expenses feed reads `[books] account_mapping`."""
    return {(a["bank"], a.get("tail", "")): a["account"] for a in books_config.account_mapping}


def _finished(record: AssetCheckExecutionRecord) -> AssetCheckEvaluation | None:
    """The record's evaluation, or None while the check is only planned (its run in progress,
    or killed before the check ran): such a record carries the plan, which has no verdict."""
    evaluation = record.evaluation
    return evaluation if isinstance(evaluation, AssetCheckEvaluation) else None


def books_outcomes(instance: DagsterInstance, before: dt.datetime) -> list[CheckOutcome] | None:
    """The books' checks as last evaluated before `before`; None when never evaluated."""
    outcomes = []
    for name in BOOKS_CHECKS:
        records = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(AssetKey("books"), name), limit=200
        )
        for record in records:  # newest first
            evaluation = _finished(record)
            if evaluation is None or record.create_timestamp >= before.timestamp():
                continue
            outcomes.append(
                CheckOutcome(name, bool(evaluation.passed), evaluation.description or "")
            )
            break
    return outcomes or None


def pipeline_health(
    instance: DagsterInstance, start: dt.datetime, end: dt.datetime, unrecognized: int
) -> PipelineHealth:
    """Failed runs created during the week, skipped schedule/sensor ticks and failed feed
    freshness checks during it."""
    # Dagster drops the zone of these bounds and compares them with its naive UTC stamps: an
    # IST week given as it is would start 5.5 h late. Given in UTC they mean what they say.
    records = instance.get_run_records(
        RunsFilter(
            statuses=[DagsterRunStatus.FAILURE],
            created_after=start.astimezone(dt.UTC),
            created_before=end.astimezone(dt.UTC),
        )
    )
    failed = tuple(
        FailedRun(r.dagster_run.job_name, r.dagster_run.run_id, r.create_timestamp)
        for r in records
        # Interrupted by a stop of the service and retried at the next start: no failure.
        if not interrupted_by_stop(r.dagster_run.run_id, r.dagster_run.tags)
    )
    return PipelineHealth(
        failed,
        _skipped_ticks(instance, start, end),
        unrecognized,
        _stale_feeds(instance, start, end),
    )


def _stale_feeds(
    instance: DagsterInstance, start: dt.datetime, end: dt.datetime
) -> tuple[tuple[str, int], ...]:
    """Freshness checks that failed during the week, with how many times."""
    stale = []
    for asset_name, check in FRESHNESS_CHECKS:
        records = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(AssetKey(asset_name), check), limit=1000
        )
        failures = sum(
            1
            for r in records
            if (evaluation := _finished(r)) is not None
            and not evaluation.passed
            and start.timestamp() <= r.create_timestamp < end.timestamp()
        )
        if failures:
            stale.append((check, failures))
    return tuple(stale)


def _skipped_ticks(instance: DagsterInstance, start: dt.datetime, end: dt.datetime) -> int | None:
    """Skipped schedule and sensor ticks in the week; None when the instance keeps no ticks.

    The service deletes skipped sensor ticks after an hour and tallies them first: both count.
    """
    from dagster._core.scheduler.instigation import TickStatus  # no public path for it

    if instance.schedule_storage is None:
        return None
    total = 0
    for state in instance.all_instigator_state():
        ticks = instance.get_ticks(
            state.instigator_origin_id,
            state.selector_id,
            after=start.timestamp(),
            before=end.timestamp(),
            statuses=[TickStatus.SKIPPED],
        )
        total += len(ticks)
    key = tick_tally.TALLY_KEY
    purged = instance.run_storage.get_cursor_values({key}).get(key)
    return total + tick_tally.count_between(purged, start.timestamp(), end.timestamp())


def review_schedule(job: Any, timezone: str) -> Any:
    """Sunday 20:00 for the week in progress; Monday 05:30 again for the finished week."""

    @schedule(
        name="weekly_review_schedule",
        job=job,
        cron_schedule=["0 20 * * 0", "30 5 * * 1"],
        execution_timezone=timezone,
        default_status=DefaultScheduleStatus.RUNNING,  # the review appears with no setup
        description="The week's review on Sunday evening; the finished week early on Monday.",
    )
    def weekly_review_schedule(context: ScheduleEvaluationContext) -> RunRequest:
        return RunRequest(partition_key=week_for_tick(context.scheduled_execution_time, timezone))

    return weekly_review_schedule


def week_for_tick(scheduled: dt.datetime, timezone: str) -> str:
    """The partition a tick reviews: the week of the day before the tick (Sunday evening →
    this week; Monday morning → the week that just ended)."""
    local = scheduled.astimezone(ZoneInfo(timezone))
    return week_containing((local - dt.timedelta(days=1)).date()).key


def week_keys(weeks: Sequence[Week]) -> tuple[str, str]:
    """The partition range (first key, last key) of consecutive weeks."""
    return weeks[0].key, weeks[-1].key


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The review slice: the weekly asset, `weekly_review_job` and its schedule."""
    timezone = resources["feeds"].timezone
    reviews = resources["reviews"]
    first = partitions_start(
        reviews.path,
        resources["warehouse"].path,
        ZoneInfo(timezone),
        resources["clock"].now(),
        mode=reviews.file_mode,
    )
    weekly_review = build_weekly_review(timezone, first)
    job = define_asset_job(
        "weekly_review_job",
        selection=AssetSelection.assets(weekly_review),
        description="The weekly review of one week (or a range of weeks, as one run).",
    )
    return Definitions(
        assets=[weekly_review],
        jobs=[job],
        schedules=[review_schedule(job, timezone)],
    )


def notify_sources(resources: Mapping[str, Any]) -> list[IncidentSource]:
    """The week's review in a few lines with its link, once per week, after the weekly review
    is written."""
    feeds_dir, reviews_dir = Path(resources["feeds"].folder), resources["reviews"].path
    served = resources["reviews"].served_url
    return [
        announcement_source(
            "weekly_review",
            lambda now: review_announcement(feeds_dir, reviews_dir, now, served),
            interval=5 * 60,
        )
    ]
