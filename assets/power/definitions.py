"""Dagster wrapper for power: the sampling sensor, `power_samples`, `power_feed`, their checks."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    DefaultSensorStatus,
    Definitions,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    asset,
    asset_check,
    define_asset_job,
    sensor,
)

from assets.common import warehouse as wh
from assets.common.atomic import write_json_atomic
from assets.common.resources import Clock, Feeds, Warehouse
from assets.notify.sensors import IncidentSource, incident_source

from .feed import GAP_SECONDS, OUTAGE_DAYS, build_power_feed
from .log import append_sample, read_samples
from .outage_alert import LOOKBACK, outage_problems
from .readers import PowerReadError
from .resources import PowerSource
from .sampler import decide
from .source import load_health, refresh_health
from .store import load_samples

FEED_NAME = "power.json"
# The sensor reads the power state every 30 s (one `pmset` call or a few sysfs reads) and
# records a line a minute; a run only on a change or hourly. A tick is a sensor evaluation in
# the code server, not a run: no run storage, no process launched.
SENSOR_INTERVAL_SECONDS = 30
ALIVE_WITHIN = dt.timedelta(minutes=3)
UNKNOWN_LOOKBACK = dt.timedelta(days=1)


@asset(
    pool=wh.WAREHOUSE_POOL,
    group_name="power",
    description="The sample log (data/power/samples-*.jsonl) in the warehouse, incrementally.",
)
def power_samples(warehouse: Warehouse, power: PowerSource) -> MaterializeResult:
    with wh.connect(warehouse.path) as con:
        added, total = load_samples(con, power.log_folder)
    return MaterializeResult(metadata={"added": added, "rows": total})


@asset(
    group_name="power",
    description="feeds/power.json: current sample, outages and gaps (30 days), battery time "
    "this week, battery health.",
)
def power_feed(
    context: AssetExecutionContext, power: PowerSource, feeds: Feeds, clock: Clock
) -> MaterializeResult:
    # Read from the log itself, not the warehouse: an outage never waits for the warehouse pool.
    now = clock.now()
    log = read_samples(power.log_folder, now - dt.timedelta(days=OUTAGE_DAYS, minutes=5))
    cached = load_health(power.log_folder)
    feed = build_power_feed(
        log.samples,
        now=now,
        tz=feeds.tz,
        health=cached.get("health") if cached else None,
        torn_lines=log.torn_lines,
    )
    path = feeds.path(FEED_NAME)
    write_json_atomic(path, feed, mode=feeds.file_mode)
    if feed["status"] != "ok":
        context.log.warning(f"power feed status {feed['status']}: {feed['message']}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path)),
            "status": feed["status"],
            "outages": len(feed["outages"]),
            "gaps": len(feed["gaps"]),
        }
    )


def _recent(power: PowerSource, now: dt.datetime, back: dt.timedelta) -> list[dict[str, Any]]:
    return read_samples(power.log_folder, now - back).samples


@asset_check(asset=power_feed, description="A sample was recorded in the last 3 minutes.")
def power_sampler_alive(power: PowerSource, clock: Clock) -> AssetCheckResult:
    now = clock.now()
    samples = [s for s in _recent(power, now, dt.timedelta(days=2)) if s["at"] <= now.isoformat()]
    if not samples:
        return AssetCheckResult(
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=f"no power sample in {power.log_folder} in 2 days: is the "
            "power_sampler sensor running (Dagster daemon on)?",
        )
    age = now - dt.datetime.fromisoformat(samples[-1]["at"])
    return AssetCheckResult(
        passed=age <= ALIVE_WITHIN,
        severity=AssetCheckSeverity.WARN,
        metadata={"age_seconds": int(age.total_seconds())},
        description=f"newest sample {int(age.total_seconds())} s old (limit "
        f"{int(ALIVE_WITHIN.total_seconds())} s)",
    )


@asset_check(asset=power_feed, description="Charge is not low while on battery.")
def power_charge_ok(power: PowerSource, clock: Clock) -> AssetCheckResult:
    now = clock.now()
    samples = _recent(power, now, dt.timedelta(seconds=GAP_SECONDS))
    last = samples[-1] if samples else None
    low = (
        last is not None
        and last["source"] in ("battery", "ups")
        and last.get("charge_percent") is not None
        and last["charge_percent"] < power.low_charge_percent
    )
    text = (
        f"on {last['source']} at {last['charge_percent']}% (below {power.low_charge_percent}%)"
        if low and last
        else "charge fine, or on AC"
    )
    return AssetCheckResult(passed=not low, severity=AssetCheckSeverity.WARN, description=text)


@asset_check(asset=power_feed, description="Battery maximum capacity above the configured level.")
def power_battery_health(power: PowerSource) -> AssetCheckResult:
    cached = load_health(power.log_folder)
    health = cached.get("health") if cached else None
    maximum = health.get("maximum_capacity_percent") if health else None
    if maximum is None:
        return AssetCheckResult(passed=True, description="battery maximum capacity unknown")
    worn = maximum < power.min_max_capacity_percent
    return AssetCheckResult(
        passed=not worn,
        severity=AssetCheckSeverity.WARN,
        metadata={"maximum_capacity_percent": maximum},
        description=f"maximum capacity {maximum}% (warn below {power.min_max_capacity_percent}%)",
    )


@asset_check(asset=power_feed, description="Every reading in the last day was understood.")
def power_reader_understood(power: PowerSource, clock: Clock) -> AssetCheckResult:
    samples = _recent(power, clock.now(), UNKNOWN_LOOKBACK)
    unknown = [s for s in samples if s.get("unparsed")]
    return AssetCheckResult(
        passed=not unknown,
        severity=AssetCheckSeverity.WARN,
        metadata={"unparsed_samples": len(unknown)},
        description=(
            f"{len(unknown)} reading(s) not understood in a day, e.g. at {unknown[-1]['at']}: "
            f"{unknown[-1]['unparsed'][:200]!r}"
            if unknown
            else "every reading understood"
        ),
    )


def build_power_sensor(job: Any, power: PowerSource, clock: Clock) -> Any:
    """The sampler: every 30 s read the power state, record a line a minute (and on a change),
    and request `job` only on a change of source/charging state or hourly.

    `power` and `clock` are the configured resource objects, held rather than declared as
    resource parameters: with those Dagster builds a whole instance on every tick."""

    @sensor(
        name="power_sampler",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Records the power state a minute; starts power_job on a change or hourly.",
    )
    def power_sampler(context: SensorEvaluationContext) -> RunRequest | SkipReason:
        now = clock.now()
        try:
            reading = power.sample(now).to_json()
        except PowerReadError as exc:
            return SkipReason(f"SKIPPED: {exc}")
        decision = decide(reading, context.cursor, now)
        if decision.record:
            append_sample(power.log_folder, reading)
            refresh_health(power.log_folder, now, power.health)
        context.update_cursor(decision.cursor)
        if decision.run_reason is None:
            return SkipReason(
                f"SKIPPED: {reading['source']}/{reading['state']} unchanged; "
                f"{'recorded' if decision.record else 'not due to record'}"
            )
        return RunRequest(
            run_key=f"power-{reading['at']}", tags={"homeclerk/power_reason": decision.run_reason}
        )

    return power_sampler


def build_defs(resources: Mapping[str, Any]) -> Definitions:
    """The power slice: samples in the warehouse, the feed, four checks, the job and sampler."""
    power_job = define_asset_job(
        "power_job",
        selection=[power_samples, power_feed],
        description="Sample log → warehouse, and feeds/power.json.",
    )
    return Definitions(
        assets=[power_samples, power_feed],
        asset_checks=[
            power_sampler_alive,
            power_charge_ok,
            power_battery_health,
            power_reader_understood,
        ],
        jobs=[power_job],
        sensors=[
            build_power_sensor(power_job, resources["power"], resources["clock"]),
        ],
    )


def notify_sources(resources: Mapping[str, Any]) -> list[IncidentSource]:
    """A message when the machine goes on battery (a power outage, read from the sample log),
    one when mains is back."""
    power, tz = resources["power"], resources["feeds"].tz

    def problems(now: dt.datetime, context: SensorEvaluationContext) -> Any:
        return outage_problems(read_samples(power.log_folder, now - LOOKBACK).samples, now, tz)

    return [
        incident_source("power_outage", "power:", problems, interval=SENSOR_INTERVAL_SECONDS * 2)
    ]
