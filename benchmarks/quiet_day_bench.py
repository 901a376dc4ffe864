"""Runs, ticks and instance growth of one quiet day: schedules at their cron times, no new SMS.

Builds a demo folder and a real Dagster instance in a temp folder, catches the SMS sensor up once
(not counted), then for each simulated day (a market day and an exchange holiday by default):
- evaluates every schedule at each of its cron times over the 24 h, and executes in process one
  run per schedule that requested any (its bytes scale by the number it requested that day);
- evaluates the SMS sensor on a sample of its ticks (no new SMS: each must skip) and stores the
  day's ticks as the daemon would (started, then skipped), measuring their bytes on a sample.
Prints runs, ticks and bytes added under DAGSTER_HOME (SQLite files and compute logs) against
the targets: ≤ 100 runs and ≤ 20 MB a day.

Usage: python benchmarks/quiet_day_bench.py [--day 2026-12-02 --day 2026-01-26] [--tick-sample 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--day", action="append", type=dt.date.fromisoformat)
    parser.add_argument("--tick-sample", type=int, default=500)
    args = parser.parse_args()
    days = args.day or [dt.date(2026, 12, 2), dt.date(2026, 1, 26)]  # a Wednesday; Republic Day

    folder = Path(tempfile.mkdtemp(prefix="homeclerk-quiet-day-"))
    for key in [k for k in os.environ if k.startswith(("HOMECLERK_", "DAGSTER_"))]:
        del os.environ[key]

    from dagster import (
        DagsterInstance,
        RunRequest,
        build_schedule_context,
        build_sensor_context,
    )
    from dagster._core.scheduler.instigation import InstigatorType as IType
    from dagster._core.scheduler.instigation import TickData, TickStatus

    from pipeline.definitions import build_definitions
    from pipeline.demo.build import write_chat_db, write_demo_config
    from pipeline.demo.messages import IST, generate_demo_messages
    from pipeline.instance import prepare_instance
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
        sensor = next(iter(defs.sensors))
        with build_sensor_context(instance=instance, resources=resources) as ctx:
            first = sensor.evaluate_tick(ctx)
        cursor = first.cursor
        for request in first.run_requests or []:
            execute(request.job_name or sensor.job_name, request)
        print(f"instance after catch-up: {folder_bytes(home) / MB:.2f} MB, cursor {cursor!r}")

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
                        instance=instance, scheduled_execution_time=t, resources=resources
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

            # The sensor: every tick of the day skips (no new SMS); ticks are stored as the
            # daemon stores them, on a sample, and scaled.
            interval = sensor.minimum_interval_seconds or 30
            sensor_ticks = 24 * 3600 // interval
            sample = min(args.tick_sample, sensor_ticks)
            skips = 0
            size0 = folder_bytes(home)
            start = dt.datetime.combine(day, dt.time(), IST).timestamp()
            for i in range(sample):
                with build_sensor_context(
                    instance=instance, cursor=cursor, resources=resources
                ) as ctx:
                    data = sensor.evaluate_tick(ctx)
                skipped = not data.run_requests
                skips += skipped
                tick = instance.create_tick(
                    TickData(
                        instigator_origin_id="0" * 40,
                        instigator_name=sensor.name,
                        instigator_type=IType.SENSOR,
                        status=TickStatus.STARTED,
                        timestamp=start + i * interval,
                        selector_id="1" * 40,
                    )
                )
                instance.update_tick(
                    tick.with_status(
                        TickStatus.SKIPPED if skipped else TickStatus.SUCCESS,
                        skip_reason=getattr(data, "skip_message", None),
                        cursor=data.cursor,
                    )
                )
            tick_bytes = (folder_bytes(home) - size0) * sensor_ticks / sample
            if skips != sample:
                print(f"  WARNING: {sample - skips} of {sample} sensor ticks requested a run")
            growth = run_bytes + tick_bytes
            measured = folder_bytes(home) - before
            print(
                f"{day} ({day:%A}): {runs_requested} runs (target ≤ {TARGET_RUNS}), "
                f"{schedule_ticks} schedule ticks, {sensor_ticks} sensor ticks "
                f"({skips}/{sample} sampled skipped); growth ≈ {growth / MB:.2f} MB "
                f"(runs {run_bytes / MB:.2f} MB + ticks {tick_bytes / MB:.2f} MB; target ≤ "
                f"{TARGET_BYTES / MB:.0f} MB) — measured on the sample {measured / MB:.2f} MB"
            )


if __name__ == "__main__":
    main()
