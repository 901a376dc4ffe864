"""Skipped sensor ticks are purged after an hour and tallied, so the instance stops growing by
tens of MB a day and the weekly review still counts every skipped tick of its week."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from dagster import DagsterInstance
from dagster._core.remote_origin import (
    RegisteredCodeLocationOrigin,
    RemoteInstigatorOrigin,
    RemoteRepositoryOrigin,
)
from dagster._core.scheduler.instigation import (
    InstigatorState,
    InstigatorStatus,
    InstigatorType,
    ScheduleInstigatorData,
    SensorInstigatorData,
    TickData,
    TickStatus,
)
from dagster._utils.error import SerializableErrorInfo

from assets.common import tick_tally
from assets.review.definitions import pipeline_health
from pipeline.service.runs import RunReaper, purge_sensor_ticks, purge_skipped_sensor_ticks
from tests.support import homeclerk_instance

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[DagsterInstance]:
    # The instance homeclerk writes (its dagster.yaml, its schedule storage).
    with homeclerk_instance(tmp_path / "dagster") as inst:
        yield inst


def _state(instance: DagsterInstance, name: str, kind: InstigatorType) -> InstigatorState:
    repo = RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("homeclerk"), "__repository__")
    data = (
        SensorInstigatorData(min_interval=4)
        if kind == InstigatorType.SENSOR
        else ScheduleInstigatorData(cron_schedule="0 9 * * *")
    )
    state = InstigatorState(
        RemoteInstigatorOrigin(repo, name), kind, InstigatorStatus.RUNNING, data
    )
    instance.add_instigator_state(state)
    return state


def _tick(
    instance: DagsterInstance,
    state: InstigatorState,
    at: dt.datetime,
    status: TickStatus,
    reason: str | None = None,
) -> None:
    tick = instance.create_tick(
        TickData(
            instigator_origin_id=state.instigator_origin_id,
            instigator_name=state.instigator_name,
            instigator_type=state.instigator_type,
            status=TickStatus.STARTED,
            timestamp=at.timestamp(),
            selector_id=state.selector_id,
        )
    )
    if status == TickStatus.FAILURE:
        error = SerializableErrorInfo("chat.db unreadable", [], "ChatDbUnreadableError")
        instance.update_tick(tick.with_status(status, error=error))
    else:
        instance.update_tick(tick.with_status(status, skip_reason=reason))


def _statuses(instance: DagsterInstance, state: InstigatorState) -> list[tuple[float, str]]:
    ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id)
    return sorted((t.timestamp, t.status.value) for t in ticks)


def test_skipped_sensor_ticks_older_than_an_hour_are_purged_and_the_rest_kept(
    instance: DagsterInstance,
) -> None:
    sms = _state(instance, "bank_sms_sensor", InstigatorType.SENSOR)
    power = _state(instance, "power_sampler", InstigatorType.SENSOR)
    daily = _state(instance, "daily_schedule", InstigatorType.SCHEDULE)
    old = [NOW - dt.timedelta(hours=3, seconds=4 * i) for i in range(5)]
    for at in old:
        _tick(instance, sms, at, TickStatus.SKIPPED, "SKIPPED: no bank SMS newer than ROWID 9")
    _tick(instance, power, NOW - dt.timedelta(hours=2), TickStatus.SKIPPED, "SKIPPED: unchanged")
    # Kept: a recent skip, an old failure and success, an old skipped schedule tick.
    recent = NOW - dt.timedelta(minutes=59)
    _tick(instance, sms, recent, TickStatus.SKIPPED, "SKIPPED: no bank SMS newer than ROWID 9")
    _tick(instance, sms, NOW - dt.timedelta(hours=5), TickStatus.FAILURE)
    _tick(instance, sms, NOW - dt.timedelta(hours=6), TickStatus.SUCCESS)
    _tick(instance, daily, NOW - dt.timedelta(hours=4), TickStatus.SKIPPED, "SKIPPED: holiday")

    assert purge_sensor_ticks(instance, NOW) == 6

    assert _statuses(instance, sms) == [
        ((NOW - dt.timedelta(hours=6)).timestamp(), "SUCCESS"),
        ((NOW - dt.timedelta(hours=5)).timestamp(), "FAILURE"),
        (recent.timestamp(), "SKIPPED"),
    ]
    assert _statuses(instance, power) == []
    assert len(_statuses(instance, daily)) == 1
    # The latest tick keeps its reason (doctor shows it).
    latest = instance.get_ticks(sms.instigator_origin_id, sms.selector_id, limit=1)[0]
    assert latest.skip_reason == "SKIPPED: no bank SMS newer than ROWID 9"
    # A second purge finds nothing more and does not count twice.
    assert purge_skipped_sensor_ticks(instance, NOW) == 0
    raw = instance.run_storage.get_cursor_values({tick_tally.TALLY_KEY})[tick_tally.TALLY_KEY]
    assert tick_tally.count_between(raw, 0, NOW.timestamp()) == 6


def test_a_backlog_larger_than_a_batch_is_counted_whole(
    instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipeline.service.runs._PURGE_BATCH", 3)
    sms = _state(instance, "bank_sms_sensor", InstigatorType.SENSOR)
    for i in range(10):
        _tick(
            instance, sms, NOW - dt.timedelta(hours=2, seconds=i), TickStatus.SKIPPED, "SKIPPED: x"
        )
    assert purge_skipped_sensor_ticks(instance, NOW) == 10
    assert _statuses(instance, sms) == []


def test_the_weekly_review_counts_purged_and_stored_skipped_ticks_of_its_week(
    instance: DagsterInstance,
) -> None:
    sms = _state(instance, "bank_sms_sensor", InstigatorType.SENSOR)
    daily = _state(instance, "daily_schedule", InstigatorType.SCHEDULE)
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    start = dt.datetime(2026, 11, 16, tzinfo=ist)  # Monday 00:00 in the owner's zone
    end = start + dt.timedelta(days=7)
    inside = [start + dt.timedelta(seconds=1), end - dt.timedelta(seconds=1)]
    outside = [start - dt.timedelta(seconds=1), end]
    for at in inside + outside:
        _tick(instance, sms, at, TickStatus.SKIPPED, "SKIPPED: no bank SMS newer than ROWID 9")
    _tick(instance, daily, start + dt.timedelta(days=2), TickStatus.SKIPPED, "SKIPPED: holiday")
    before = pipeline_health(instance, start, end, unrecognized=0).skipped_ticks
    assert before == 3

    purged = purge_skipped_sensor_ticks(instance, end + dt.timedelta(hours=2))
    assert purged == 4
    assert pipeline_health(instance, start, end, unrecognized=0).skipped_ticks == 3


def test_the_reaper_thread_purges_at_start(instance: DagsterInstance) -> None:
    sms = _state(instance, "bank_sms_sensor", InstigatorType.SENSOR)
    _tick(instance, sms, NOW - dt.timedelta(hours=2), TickStatus.SKIPPED, "SKIPPED: x")
    with RunReaper(instance, interval=60, now=lambda: NOW) as reaper:
        deadline = time.monotonic() + 30
        while reaper.purged == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert reaper.purged == 1
    assert _statuses(instance, sms) == []


def test_the_tally_buckets_by_quarter_hour_and_forgets_after_fifteen_days() -> None:
    day = 86400.0
    now = 100 * day
    raw = tick_tally.add_ticks(None, [now - 1, now - 899, now - 901, now - 16 * day], now)
    assert tick_tally.count_between(raw, now - 900, now) == 2
    assert tick_tally.count_between(raw, now - 1800, now - 900) == 1
    assert tick_tally.count_between(raw, 0, now) == 3  # the 16-day-old one is dropped
    raw = tick_tally.add_ticks(raw, [now - 5], now)
    assert tick_tally.count_between(raw, now - 900, now) == 3
    # A damaged tally restarts at zero instead of stopping the purge.
    assert tick_tally.count_between(tick_tally.add_ticks("{oops", [now], now), 0, now + 1) == 1


def test_success_and_failure_sensor_ticks_keep_the_ages_the_daemon_used(
    instance: DagsterInstance,
) -> None:
    sms = _state(instance, "bank_sms_sensor", InstigatorType.SENSOR)
    day = dt.timedelta(days=1)
    for age, status in [
        (6 * day, TickStatus.SUCCESS),
        (8 * day, TickStatus.SUCCESS),
        (13 * day, TickStatus.FAILURE),
        (15 * day, TickStatus.FAILURE),
    ]:
        _tick(instance, sms, NOW - age, status)
    assert purge_sensor_ticks(instance, NOW) == 0  # no skipped tick went
    assert _statuses(instance, sms) == [
        ((NOW - 13 * day).timestamp(), "FAILURE"),
        ((NOW - 6 * day).timestamp(), "SUCCESS"),
    ]


def test_the_daemon_itself_purges_no_sensor_tick(tmp_path: Path) -> None:
    # Dagster's sensor daemon purges after every tick unless every sensor retention is -1.
    with homeclerk_instance(tmp_path / "dagster") as inst:
        sensor = inst.get_tick_retention_settings(InstigatorType.SENSOR)
        schedule = inst.get_tick_retention_settings(InstigatorType.SCHEDULE)
    assert sensor and all(days <= 0 for days in sensor.values())
    assert schedule[TickStatus.SKIPPED] == 14


def test_the_schedule_storage_checks_its_schema_once(
    instance: DagsterInstance, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stock SQLite schedule storage reflects the tables on each call, several times a tick.
    assert type(instance.schedule_storage).__name__ == "CheckedOnceSqliteScheduleStorage"
    assert type(instance.run_storage).__name__ == "KeptEngineSqliteRunStorage"
    sms = _state(instance, "bank_sms_sensor", InstigatorType.SENSOR)
    _tick(instance, sms, NOW, TickStatus.SKIPPED, "SKIPPED: x")  # every check answered once
    inspected = []
    real = sqlalchemy.inspect
    monkeypatch.setattr(sqlalchemy, "inspect", lambda *a: inspected.append(a) or real(*a))
    for i in range(3):
        _tick(instance, sms, NOW + dt.timedelta(seconds=5 * (i + 1)), TickStatus.SKIPPED, "x")
        instance.update_instigator_state(sms)
        assert instance.get_instigator_state(sms.instigator_origin_id, sms.selector_id)
    assert inspected == []
    assert len(_statuses(instance, sms)) == 4
    # One engine per storage, so SQLAlchemy's compiled statements are reused between calls.
    for storage in (instance.run_storage, instance.schedule_storage):
        with storage.connect() as first, storage.connect() as second:  # type: ignore[attr-defined]
            assert first.engine is second.engine and first is not second
