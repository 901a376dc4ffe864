"""Runs, ticks and instance growth of one quiet day: schedules at their cron times, no new SMS.

Builds a demo folder and a real Dagster instance in a temp folder, catches the SMS sensor up once
(not counted), then for each simulated day (a market day and an exchange holiday by default):
- evaluates every schedule at each of its cron times over the 24 h, and executes in process one
  run per schedule that requested any (its bytes scale by the number it requested that day);
- runs both sensors as the daemon does: `bank_sms_sensor` (no new SMS: every tick skips) and
  `power_sampler` on a Mac on AC power (a recorded `pmset` output; it requests `power_job`
  hourly), each tick evaluated and stored (started, then skipped or success) at the daemon's
  cadence (its loop is 5 s, so a 4 s sensor ticks every 5 s and a 30 s one every 30 s), with the
  service's purge (`pipeline.service.runs.purge_sensor_ticks`) every 10 simulated minutes;
  `--sim-hours` of each day are simulated tick by tick (default 3) and the rest extrapolated at
  the last simulated hour's rate (the purge holds the tick tables level after its first hour);
- executes one `power_job` run and scales its bytes by the runs the sampler requested.
Prints runs, ticks and bytes added under DAGSTER_HOME (SQLite files and compute logs) against
the targets: ≤ 100 runs and ≤ 20 MB a day.

`--no-purge` stores every tick (the instance before the purge, whose daemon kept skipped ticks
a day): the comparison.

Usage: python benchmarks/quiet_day_bench.py [--day 2026-12-02 --day 2026-01-26] [--sim-hours 3]
       [--no-purge] [--sms-watch]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_RUNS = 100
MB = 1024 * 1024
TARGET_BYTES = 20 * MB


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def cron_times(cron: str | list[str], tz: str, day: dt.date) -> list[dt.datetime]:
    """Every time in `day` (in `tz`) that the cron string(s) fire."""
    from dagster._utils.schedules import cron_string_iterator

    start = dt.datetime.combine(day, dt.time(), ZoneInfo(tz))
    end = start + dt.timedelta(days=1)
    times: set[dt.datetime] = set()
    for one in [cron] if isinstance(cron, str) else cron:
        for t in cron_string_iterator(start.timestamp(), one, tz):
            if t >= end:
                break
            times.add(t)
    return sorted(times)


DAEMON_LOOP_SECONDS = 5  # Dagster's sensor daemon evaluates due sensors every 5 s
PURGE_EVERY = dt.timedelta(minutes=10)  # pipeline.service.runs.PURGE_INTERVAL


def tick_period(interval: int) -> int:
    """Seconds between a sensor's ticks under the daemon's 5 s loop."""
    return max(DAEMON_LOOP_SECONDS, -(-interval // DAEMON_LOOP_SECONDS) * DAEMON_LOOP_SECONDS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--day", action="append", type=dt.date.fromisoformat)
    parser.add_argument("--sim-hours", type=float, default=3.0)
    parser.add_argument(
        "--no-purge", action="store_true", help="store every tick, as before the service purged"
    )
    parser.add_argument(
        "--sms-watch",
        action="store_true",
        help="as under `homeclerk serve` (its chat.db watcher on: the SMS sensor ticks every 60 s)",
    )
    args = parser.parse_args()
    days = args.day or [dt.date(2026, 12, 2), dt.date(2026, 1, 26)]  # a Wednesday; Republic Day
    sim_seconds = min(24.0, max(2.0, args.sim_hours)) * 3600

    folder = Path(tempfile.mkdtemp(prefix="homeclerk-quiet-day-"))
    for key in [k for k in os.environ if k.startswith(("HOMECLERK_", "DAGSTER_"))]:
        del os.environ[key]
    if args.sms_watch:
        os.environ["HOMECLERK_SMS_WATCH"] = "1"

    from dagster import (
        DagsterInstance,
        RunRequest,
        build_schedule_context,
        build_sensor_context,
    )
    from dagster._core.scheduler.instigation import InstigatorType as IType
    from dagster._core.scheduler.instigation import TickData, TickStatus

    from assets.common.resources import Clock
    from assets.power.definitions import build_power_sensor
    from pipeline.definitions import build_definitions
    from pipeline.demo.build import write_chat_db, write_demo_config
    from pipeline.demo.messages import IST, generate_demo_messages
    from pipeline.service.instance import prepare_instance
    from pipeline.service.runs import purge_sensor_ticks
    from pipeline.settings import load_settings

    now = dt.datetime.now(IST)
    write_chat_db(
        folder / "chat.db", generate_demo_messages(now.date(), seed=3, days=5, until=now), seed=3
    )
    settings = load_settings(write_demo_config(folder, broker_base_url="http://127.0.0.1:9/none"))
    home = prepare_instance(settings)
    os.environ["DAGSTER_HOME"] = str(home)
    defs = build_definitions(settings)
    resources = defs.resources or {}
    # A Mac on AC power, as recorded; the demo's own setting ("none") would skip every tick.
    data = ROOT / "tests" / "power" / "data"
    power = type(resources["power"])(
        **{
            **resources["power"].model_dump(),
            "source": "pmset",
            "pmset_command": ["cat", str(data / "pmset-ac-charged.txt")],
            "health_command": ["cat", str(data / "system-profiler-power.json")],
        }
    )
    power_job = defs.resolve_job_def("power_job")
    repository = defs.get_repository_def()
    with DagsterInstance.get() as instance:

        def execute(job_name: str, request: RunRequest) -> bool:
            job = defs.resolve_job_def(job_name)
            result = job.execute_in_process(
                instance=instance,
                run_config=request.run_config,
                tags=request.tags,
                raise_on_error=False,
            )
            return result.success

        # Catch-up: the sensor's first tick ingests the demo history; a quiet day starts after it.
        sms = defs.resolve_sensor_def("bank_sms_sensor")
        with build_sensor_context(instance=instance) as ctx:
            first = sms.evaluate_tick(ctx)
        cursors: dict[str, str | None] = {sms.name: first.cursor, "power_sampler": None}
        for request in first.run_requests or []:
            execute(request.job_name or sms.job_name, request)
        print(f"instance after catch-up: {folder_bytes(home) / MB:.2f} MB, cursor {first.cursor!r}")

        def store_tick(name: str, at: float, status: TickStatus, reason: str | None) -> None:
            # As the daemon does: a STARTED tick, then its outcome.
            origin, selector = ids[name]
            tick = instance.create_tick(
                TickData(
                    instigator_origin_id=origin,
                    instigator_name=name,
                    instigator_type=IType.SENSOR,
                    status=TickStatus.STARTED,
                    timestamp=at,
                    selector_id=selector,
                )
            )
            instance.update_tick(tick.with_status(status, skip_reason=reason))

        ids = _register_states(instance)
        for day in days:
            before = folder_bytes(home)
            runs_requested = 0
            schedule_ticks = 0
            run_bytes = 0.0
            for schedule in defs.schedules:
                requested: list[RunRequest] = []
                for t in cron_times(schedule.cron_schedule, schedule.execution_timezone, day):
                    schedule_ticks += 1
                    with build_schedule_context(
                        instance=instance,
                        scheduled_execution_time=t,
                        resources=resources,
                        repository_def=repository,  # a partitioned job's request needs it
                    ) as ctx:
                        data = schedule.evaluate_tick(ctx)
                    requested += list(data.run_requests or [])
                runs_requested += len(requested)
                if requested:
                    size0 = folder_bytes(home)
                    t0 = time.monotonic()
                    ok = execute(requested[0].job_name or schedule.job_name, requested[0])
                    one = folder_bytes(home) - size0
                    run_bytes += one * len(requested)
                    print(
                        f"  {day} {schedule.name:28} {len(requested):3} runs; one run "
                        f"{'ok' if ok else 'FAILED'} in {time.monotonic() - t0:.1f} s, "
                        f"+{one / 1e3:.0f} kB"
                    )
                else:
                    print(f"  {day} {schedule.name:28}   0 runs")

            # The sensors, tick by tick, as the daemon runs them, with the service's purge.
            day_start = dt.datetime.combine(day, dt.time(), IST).timestamp()
            periods = {
                sms.name: tick_period(sms.minimum_interval_seconds or 30),
                "power_sampler": tick_period(
                    defs.resolve_sensor_def("power_sampler").minimum_interval_seconds or 30
                ),
            }
            counts = {name: {"ticks": 0, "skipped": 0, "runs": 0} for name in periods}
            # Days are simulated out of calendar order: a power cursor from a later day would
            # make this one's hourly refresh look not yet due.
            cursors["power_sampler"] = None
            power_runs: list[RunRequest] = []
            next_tick = dict.fromkeys(periods, day_start)
            next_purge = day_start + PURGE_EVERY.total_seconds()
            sizes: list[tuple[float, int]] = []  # (simulated seconds, tick bytes so far)
            size0 = folder_bytes(home)
            clock = day_start
            t0 = time.monotonic()
            while clock < day_start + sim_seconds:
                clock = min(*next_tick.values(), next_purge)
                if clock == next_purge:
                    if not args.no_purge:
                        purge_sensor_ticks(instance, dt.datetime.fromtimestamp(clock, dt.UTC))
                    next_purge += PURGE_EVERY.total_seconds()
                    if (clock - day_start) % 3600 == 0:
                        sizes.append((clock - day_start, folder_bytes(home) - size0))
                    continue
                name = min(next_tick, key=lambda n: next_tick[n])
                next_tick[name] += periods[name]
                if name == sms.name:
                    with build_sensor_context(instance=instance, cursor=cursors[name]) as ctx:
                        result = sms.evaluate_tick(ctx)
                else:
                    at = dt.datetime.fromtimestamp(clock, dt.UTC).isoformat()
                    sampler = build_power_sensor(power_job, power, Clock(frozen_at=at))
                    with build_sensor_context(instance=instance, cursor=cursors[name]) as ctx:
                        result = sampler.evaluate_tick(ctx)
                    power_runs += list(result.run_requests or [])
                cursors[name] = result.cursor or cursors[name]
                skipped = not result.run_requests
                counts[name]["ticks"] += 1
                counts[name]["skipped"] += skipped
                counts[name]["runs"] += len(result.run_requests or [])
                store_tick(
                    name,
                    clock,
                    TickStatus.SKIPPED if skipped else TickStatus.SUCCESS,
                    getattr(result, "skip_message", None),
                )
            print(
                f"  {day} sensors: {sim_seconds / 3600:.0f} h simulated in "
                f"{time.monotonic() - t0:.0f} s; tick bytes by hour: "
                + ", ".join(f"{h / 3600:.0f} h {b / MB:.2f} MB" for h, b in sizes)
            )
            # The rest of the day at the last simulated hour's rate.
            scale = 24 * 3600 / sim_seconds
            (h1, b1), (h0, b0) = sizes[-1], sizes[-2]
            rate = (b1 - b0) / (h1 - h0)
            tick_bytes = b1 + rate * (24 * 3600 - h1)
            sensor_runs = round(len(power_runs) * scale)
            if power_runs:
                size0 = folder_bytes(home)
                ok = execute("power_job", power_runs[0])
                one = folder_bytes(home) - size0
                run_bytes += one * sensor_runs
                print(
                    f"  {day} power_sampler {sensor_runs:3} runs a day; one power_job run "
                    f"{'ok' if ok else 'FAILED'}, +{one / 1e3:.0f} kB"
                )
            if counts[sms.name]["runs"]:
                print(f"  WARNING: {counts[sms.name]['runs']} SMS sensor ticks requested a run")
            runs = runs_requested + sensor_runs
            ticks = {n: round(c["ticks"] * scale) for n, c in counts.items()}
            growth = run_bytes + tick_bytes
            print(
                f"{day} ({day:%A}): {runs} runs (target ≤ {TARGET_RUNS}; schedules "
                f"{runs_requested}, power_sampler {sensor_runs}), {schedule_ticks} schedule "
                f"ticks, sensor ticks {ticks}; growth ≈ {growth / MB:.2f} MB (runs "
                f"{run_bytes / MB:.2f} MB + ticks {tick_bytes / MB:.2f} MB; target ≤ "
                f"{TARGET_BYTES / MB:.0f} MB); measured in the simulated part "
                f"{(folder_bytes(home) - before) / MB:.2f} MB"
            )


def _register_states(instance: Any) -> dict[str, tuple[str, str]]:
    """Instigator states for the two sensors, so the purge finds their ticks as in the service;
    their (origin id, selector id) by name."""
    from dagster._core.remote_origin import (
        RegisteredCodeLocationOrigin,
        RemoteInstigatorOrigin,
        RemoteRepositoryOrigin,
    )
    from dagster._core.scheduler.instigation import (
        InstigatorState,
        InstigatorStatus,
        InstigatorType,
        SensorInstigatorData,
    )

    repo = RemoteRepositoryOrigin(RegisteredCodeLocationOrigin("homeclerk"), "__repository__")
    ids = {}
    for name in ("bank_sms_sensor", "power_sampler"):
        state = InstigatorState(
            RemoteInstigatorOrigin(repo, name),
            InstigatorType.SENSOR,
            InstigatorStatus.RUNNING,
            SensorInstigatorData(min_interval=4),
        )
        instance.add_instigator_state(state)
        ids[name] = (state.instigator_origin_id, state.selector_id)
    return ids


if __name__ == "__main__":
    main()
