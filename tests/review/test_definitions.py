"""The weekly review as Dagster runs it: partitions, the schedule, one run for a range of weeks
from the shell, byte-identical files from a late backfill, and what the instance tells it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from dagster import DagsterInstance, build_schedule_context, materialize

from assets.books.resources import BooksResource
from assets.common.resources import Clock, Feeds, Warehouse
from assets.power.resources import PowerSource
from assets.review.definitions import build_weekly_review, review_schedule, week_for_tick
from assets.review.resources import Reviews
from assets.review.week import parse_iso_week
from pipeline.settings import load_settings
from tests.books.helpers import SAVINGS, alert, mapping, store_alerts, write_main
from tests.review.helpers import IST, build_warehouse

BACKFILL_LIMIT_S = 60.0
# The partitions' first week in these tests (the definitions read it from the data).
FIRST = parse_iso_week("2025-W02")


def _resources(tmp_path: Path, now: dt.datetime) -> dict[str, object]:
    return {
        "clock": Clock(frozen_at=now.isoformat()),
        "warehouse": Warehouse(path=str(tmp_path / "warehouse.duckdb")),
        "feeds": Feeds(folder=str(tmp_path / "feeds")),
        "reviews": Reviews(folder=str(tmp_path / "reviews")),
        "power": PowerSource(folder=str(tmp_path / "power")),
        "books_config": BooksResource(
            books_dir=str(tmp_path / "books"),
            account_mapping=mapping().as_config(),
            timezone="Asia/Kolkata",
        ),
    }


def test_partitions_are_monday_weeks_in_the_owner_zone_with_the_week_in_progress() -> None:
    asset = build_weekly_review("Asia/Kolkata", FIRST)
    partitions = asset.partitions_def
    keys = partitions.get_partition_keys(current_time=dt.datetime(2025, 11, 19, 12, tzinfo=IST))
    assert keys[-1] == "2025-11-17"  # Wednesday: the week in progress (end_offset=1) exists
    assert keys[-2] == "2025-11-10" and keys[0] == "2025-01-06"
    assert all(dt.date.fromisoformat(k).weekday() == 0 for k in keys)


@pytest.mark.parametrize(
    ("local", "week"),
    [
        (dt.datetime(2025, 11, 23, 20, 0), "2025-11-17"),  # Sunday evening: this week
        (dt.datetime(2025, 11, 24, 5, 30), "2025-11-17"),  # Monday morning: the week just ended
    ],
)
def test_the_schedule_reviews_the_right_week(local: dt.datetime, week: str) -> None:
    assert week_for_tick(local.replace(tzinfo=IST), "Asia/Kolkata") == week
    schedule = review_schedule(job=_job(), timezone="Asia/Kolkata")
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=local.replace(tzinfo=IST)
        )
        request = schedule(context)
    assert request.partition_key == week


def _job():  # type: ignore[no-untyped-def]
    from dagster import AssetSelection, define_asset_job

    asset = build_weekly_review("Asia/Kolkata", FIRST)
    return define_asset_job("weekly_review_job", AssetSelection.assets(asset))


def test_a_late_materialization_writes_the_same_bytes(tmp_path: Path) -> None:
    build_warehouse(tmp_path / "warehouse.duckdb")
    asset = build_weekly_review("Asia/Kolkata", FIRST)
    week = parse_iso_week("2025-W44")
    files = [tmp_path / "reviews" / "2025-W44.md", tmp_path / "reviews" / "2025-W44.html"]
    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        on_time = dt.datetime(2025, 11, 3, 5, 30, tzinfo=IST)
        first = materialize(
            [asset],
            resources=_resources(tmp_path, on_time),
            instance=instance,
            partition_key=week.key,
        )
        assert first.success
        before = [f.read_bytes() for f in files]
        for f in files:
            f.unlink()
        late = dt.datetime(2026, 2, 1, 9, 0, tzinfo=IST)
        second = materialize(
            [asset],
            resources=_resources(tmp_path, late),
            instance=instance,
            partition_key=week.key,
        )
        assert second.success
    assert [f.read_bytes() for f in files] == before
    (mat_1,) = first.asset_materializations_for_node("weekly_review")
    (mat_2,) = second.asset_materializations_for_node("weekly_review")
    assert mat_1.metadata["generated_at"].value != mat_2.metadata["generated_at"].value
    assert "## Spending" in mat_1.metadata["review"].value  # readable in the UI
    assert b"generated" not in before[0] and b"generated" not in before[1]


def _a_failed_run_and_a_failed_freshness_check(
    tmp_path: Path, instance: DagsterInstance
) -> tuple[dt.datetime, dt.datetime]:
    """Record a failed run and a failed feed-freshness check; return when the instance stamped
    them (its own clock: SQLite's CURRENT_TIMESTAMP, not one a test can set)."""
    from dagster import AssetSelection, DagsterRunStatus
    from dagster._core.test_utils import create_run_for_test

    from assets.books.resources import BooksResource
    from assets.common.interrupted import INTERRUPTED_TAG
    from assets.expenses.definitions import expenses_feed, expenses_feed_fresh

    run = create_run_for_test(instance, job_name="bank_sms_job", status=DagsterRunStatus.FAILURE)
    # A run a stop of the service interrupted (retried at the next start) is no failed run.
    stopped = create_run_for_test(
        instance, job_name="bank_sms_job", status=DagsterRunStatus.FAILURE
    )
    instance.add_run_tags(stopped.run_id, {INTERRUPTED_TAG: stopped.run_id})
    # The freshness check with no feed written: it fails (a dashboard would read nothing).
    check_run = materialize(
        [expenses_feed, expenses_feed_fresh],
        selection=AssetSelection.checks(expenses_feed_fresh),
        resources={
            **_resources(tmp_path, dt.datetime.now(IST)),
            "books_config": BooksResource(books_dir=str(tmp_path / "books"), account_mapping=[]),
        },
        instance=instance,
        raise_on_error=False,
    )
    (evaluation,) = check_run.get_asset_check_evaluations()
    assert not evaluation.passed
    record = instance.get_run_record_by_id(run.run_id)
    (check,) = instance.event_log_storage.get_asset_check_execution_history(
        evaluation.asset_check_key, limit=1
    )
    assert record is not None
    return record.create_timestamp, dt.datetime.fromtimestamp(check.create_timestamp, dt.UTC)


def test_a_failed_run_and_a_stale_feed_in_the_week_show_in_pipeline_health(
    tmp_path: Path,
) -> None:
    build_warehouse(tmp_path / "warehouse.duckdb")
    asset = build_weekly_review("Asia/Kolkata", FIRST)
    # The week is the one the instance stamped both records in. Should the two straddle a week
    # boundary (a test started seconds before Monday 00:00), record them again in a fresh
    # instance: weeks are long, so the second pair shares one.
    for attempt in range(2):
        home = tmp_path / f"instance-{attempt}"
        home.mkdir()
        with DagsterInstance.local_temp(str(home)) as instance:
            stamps = _a_failed_run_and_a_failed_freshness_check(tmp_path, instance)
            weeks = {s.astimezone(IST).strftime("%G-W%V") for s in stamps}
            if len(weeks) > 1:
                continue
            week = parse_iso_week(weeks.pop())
            now = dt.datetime.combine(week.end, dt.time(20), IST)
            earlier = week.shifted(-1)
            for key in (week.key, earlier.key):
                assert materialize(
                    [asset],
                    resources=_resources(tmp_path, now),
                    instance=instance,
                    partition_key=key,
                ).success
            break
    else:
        pytest.fail(f"the failed run and the check straddled a week boundary twice: {weeks}")
    text = (tmp_path / "reviews" / f"{week.iso}.md").read_text()
    assert "- failed runs: 1" in text and "bank_sms_job" in text
    assert "- stale feeds: 1\n  - `expenses_feed_fresh` failed 1 time(s)" in text
    before = (tmp_path / "reviews" / f"{earlier.iso}.md").read_text()
    assert "- failed runs: 0" in before and "- stale feeds: 0" in before
    # The dashboard summary keeps the latest week even after an earlier one ran.
    assert json.loads((tmp_path / "feeds" / "review.json").read_text())["week"] == week.iso


def test_a_52_week_backfill_from_the_shell_is_one_run(tmp_path: Path) -> None:
    (tmp_path / "homeclerk.toml").write_text('[paths]\ndata_dir = "data"\n')
    settings = load_settings(tmp_path / "homeclerk.toml")
    build_warehouse(settings.warehouse)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}

    def review(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "--config",
                str(settings.config_file),
                "review",
                *args,
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=300,
        )

    started = time.monotonic()
    # 52 weeks from the first week with data (2025-W42), where the partitions start.
    done = review("--from", "2025-W42", "--to", "2026-W41")
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    assert "partitions 2025-10-13 to 2026-10-05, one run" in done.stdout
    assert "review 52/52: 2026-W41" in done.stdout + done.stderr  # progress in the log
    folder = settings.data_dir / "reviews"
    assert len(list(folder.glob("202?-W*.md"))) == 52
    assert len(list(folder.glob("202?-W*.html"))) == 52
    assert elapsed <= BACKFILL_LIMIT_S, f"52-week backfill took {elapsed:.1f} s"
    with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        assert len(instance.get_runs()) == 1
    feed = json.loads((settings.feeds_dir / "review.json").read_text())
    assert feed["week"] == "2026-W41" and feed["note"].endswith("the source was quiet")

    # One week again, alone: the same bytes as in the range run.
    ranged = (folder / "2025-W45.html").read_bytes()
    (folder / "2025-W45.html").unlink()
    one = review("--week", "2025-W45")
    assert one.returncode == 0, one.stdout + one.stderr
    assert (folder / "2025-W45.html").read_bytes() == ranged

    bad = review("--week", "2025-45")
    assert bad.returncode == 2 and "YYYY-Www" in bad.stderr
    assert review("--from", "2025-W03").returncode == 2


def test_a_check_only_planned_counts_neither_as_stale_nor_as_a_books_verdict(
    tmp_path: Path,
) -> None:
    """A run killed (or still running) between planning a check and evaluating it leaves a
    record that holds the plan, not a verdict; the review read `.passed` off it and crashed."""
    from dagster import AssetCheckKey, AssetKey, DagsterEvent, DagsterEventType
    from dagster._core.definitions.asset_checks.asset_check_evaluation import (
        AssetCheckEvaluationPlanned,
    )
    from dagster._core.test_utils import create_run_for_test

    from assets.review.definitions import _stale_feeds, books_outcomes

    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        run = create_run_for_test(instance, job_name="bank_sms_job")
        planned = [
            (AssetKey("expenses_feed"), "expenses_feed_fresh"),
            (AssetKey("books"), "ledger_loads_clean"),
        ]
        for key, name in planned:
            instance.report_dagster_event(
                DagsterEvent(
                    DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED.value,
                    "bank_sms_job",
                    event_specific_data=AssetCheckEvaluationPlanned(asset_key=key, check_name=name),
                ),
                run.run_id,
            )
        history = instance.event_log_storage.get_asset_check_execution_history(
            AssetCheckKey(*planned[0]), limit=10
        )
        assert len(history) == 1  # the planned record is there for the review to meet
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        end = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
        assert _stale_feeds(instance, start, end) == ()
        assert books_outcomes(instance, end) is None


@pytest.mark.parametrize(
    "local",
    [
        dt.datetime(2026, 12, 31, 12, 0),  # Thursday: 2027-W01 starts Monday 4 January
        dt.datetime(2027, 1, 3, 23, 59),  # Sunday night, the minute before it starts
        dt.datetime(2027, 1, 4, 0, 0),  # Monday 00:00 IST: it exists
    ],
)
def test_the_weeks_that_exist_are_the_partitions(local: dt.datetime) -> None:
    from assets.review.week import outside_partitions, week_of_key

    now = local.replace(tzinfo=IST)
    partitions = build_weekly_review("Asia/Kolkata", FIRST).partitions_def
    keys = partitions.get_partition_keys(current_time=now)
    for text in ("2027-W01", "1990-W23", "2025-W01", "2025-W02"):
        week = parse_iso_week(text)
        error = outside_partitions([week], FIRST, now, IST)
        assert (error is None) == (week.key in keys), (text, error)
        if error:
            last = week_of_key(keys[-1]).iso
            assert f"for {text}: reviews exist from 2025-W02 to {last} (the week in" in error


@pytest.mark.parametrize(
    "args",
    [["--week", "2999-W01"], ["--week", "2025-W41"], ["--from", "2025-W40", "--to", "2025-W43"]],
)
def test_review_of_a_week_with_no_partition_says_which_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    from pipeline.cli import main

    (tmp_path / "homeclerk.toml").write_text('[paths]\ndata_dir = "data"\n')
    # Bank SMS stored from Monday 13 Oct 2025 (2025-W42): the reviews start there.
    build_warehouse(tmp_path / "data" / "warehouse.duckdb")
    code = main(["--config", str(tmp_path / "homeclerk.toml"), "review", *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err and "Dagster" not in err
    assert err.startswith(f"homeclerk: no weekly review can exist for {args[1]}")
    assert "reviews exist from 2025-W42 to " in err
    assert not (tmp_path / "data" / "dagster").exists()  # refused before any run


def test_the_review_says_each_gap_of_its_week_in_words(tmp_path: Path) -> None:
    # 2,340 left XX1276 between the alerts of Tue 3 and Thu 5 Nov 2026 (week 45); the gap
    # revealed by the alert of Mon 9 Nov belongs to week 46.
    store_alerts(
        tmp_path / "warehouse.duckdb",
        [
            alert(1, dt.date(2026, 11, 3), "100.00", balance="9900.00", hour=14),
            alert(2, dt.date(2026, 11, 5), "60.00", balance="7500.00", hour=9),
            alert(3, dt.date(2026, 11, 9), "10.00", balance="7000.00", hour=9),
        ],
    )
    asset = build_weekly_review("Asia/Kolkata", FIRST)

    def review(week: str) -> str:
        with DagsterInstance.ephemeral() as instance:
            assert materialize(
                [asset],
                resources=_resources(tmp_path, dt.datetime(2026, 11, 20, tzinfo=IST)),
                instance=instance,
                partition_key=parse_iso_week(week).key,
            ).success
        return (tmp_path / "reviews" / f"{week}.md").read_text()

    text = review("2026-W45")
    assert "## Gaps in the balance chain" in text
    assert "- ₹2,340 left HDFC XX1276 between 3 Nov 14:01 and 5 Nov 09:02 with no alert\n" in text
    assert "₹490" not in text
    assert "- ₹490 left HDFC XX1276 between 5 Nov 09:02 and 9 Nov 09:03" in review("2026-W46")
    # The owner's entry explains the first one: the review says so instead of leaving it open.
    write_main(tmp_path / "books", f'2026-11-04 * "Cash"\n  {SAVINGS}  -2340.00 INR\n  X:Y\n')
    assert "with no alert (explained by your entry of 2026-11-04)" in review("2026-W45")
    html = (tmp_path / "reviews" / "2026-W45.html").read_text()
    assert "<li>₹2,340 left HDFC XX1276 between 3 Nov 14:01 and 5 Nov 09:02" in html


def test_a_failed_run_counts_in_a_window_given_in_another_zone(tmp_path: Path) -> None:
    # Dagster compares run filters without their zone: an IST window must still mean its instant.
    from dagster import DagsterRunStatus
    from dagster._core.test_utils import create_run_for_test

    from assets.review.definitions import pipeline_health

    with DagsterInstance.local_temp(str(tmp_path)) as instance:
        run = create_run_for_test(
            instance, job_name="bank_sms_job", status=DagsterRunStatus.FAILURE
        )
        record = instance.get_run_record_by_id(run.run_id)
        assert record is not None
        made = record.create_timestamp.astimezone(IST)
        hour = dt.timedelta(hours=1)
        health = pipeline_health(instance, made - hour, made + hour, 0)
        assert [f.run_id for f in health.failed_runs] == [run.run_id]
        assert pipeline_health(instance, made + hour, made + 2 * hour, 0).failed_runs == ()


def test_the_materialization_links_to_the_review_the_feed_server_serves(tmp_path: Path) -> None:
    from assets.review.resources import resources_from_settings

    (tmp_path / "homeclerk.toml").write_text(
        '[paths]\ndata_dir = "data"\n[service]\nfeeds_port = 5999\nfava_port = 5998\n'
    )
    reviews = resources_from_settings(load_settings(tmp_path / "homeclerk.toml"))["reviews"]
    assert reviews.served_url == "http://127.0.0.1:5999/reviews/"
    assert reviews.fava_url == "http://127.0.0.1:5998"
    build_warehouse(tmp_path / "warehouse.duckdb")
    resources = _resources(tmp_path, dt.datetime(2025, 11, 20, tzinfo=IST))
    resources["reviews"] = Reviews(folder=str(tmp_path / "reviews"), served_url=reviews.served_url)
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [build_weekly_review("Asia/Kolkata", FIRST)],
            resources=resources,
            instance=instance,
            partition_key=parse_iso_week("2025-W45").key,
        )
    (done,) = result.asset_materializations_for_node("weekly_review")
    assert done.metadata["served_at"].value == "http://127.0.0.1:5999/reviews/2025-W45.html"
