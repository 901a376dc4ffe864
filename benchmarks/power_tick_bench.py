"""What one tick of the power sampler sensor costs (it runs every 30 s while `serve` runs).

    .venv/bin/python benchmarks/power_tick_bench.py [--ticks N]

A temporary folder reads power through `cat` of a recorded pmset output (so the command's own
cost is a fork of `cat`), on a real Dagster instance. Times, per tick, over N ticks 30 s apart:
  (a) the sensor's evaluation alone (the code server holds the definitions between ticks);
  (b) the same with the definitions built again first (an upper bound: a reload per tick).
Results go to stdout; tests/power/test_definitions.py pins down what keeps (a) small.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from dagster import DagsterInstance, build_sensor_context

from assets.common.resources import Clock
from assets.power.definitions import build_power_sensor
from pipeline.definitions import build_definitions
from pipeline.service.instance import prepare_instance
from pipeline.settings import load_settings

DATA = Path(__file__).parent.parent / "tests" / "power" / "data"
T0 = dt.datetime(2027, 8, 9, 10, 0, tzinfo=dt.UTC)


def _ticks(folder: Path, ticks: int, rebuild: bool) -> list[float]:
    reading = folder / "pmset.txt"
    shutil.copy(DATA / "pmset-ac-charged.txt", reading)
    shutil.copy(DATA / "system-profiler-power.json", folder / "health.json")
    config = folder / "homeclerk.toml"
    config.write_text(
        '[paths]\ndata_dir = "data"\n[messages]\nchat_db = "chat.db"\n'
        f'[power]\nsource = "pmset"\npmset_command = ["cat", {json.dumps(str(reading))}]\n'
    )
    settings = load_settings(config)
    times: list[float] = []
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        defs = build_definitions(settings)
        cursor = None
        for n in range(ticks):
            started = time.perf_counter()
            if rebuild:
                defs = build_definitions(settings)
            power = defs.resources["power"]
            health = ["cat", str(folder / "health.json")]
            power = type(power)(**{**power.model_dump(), "health_command": health})
            at = T0 + dt.timedelta(seconds=30 * n)
            sensor = build_power_sensor(
                defs.resolve_job_def("power_job"), power, Clock(frozen_at=at.isoformat())
            )
            context = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
            sensor(context)
            cursor = context.cursor
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    for label, rebuild in (("sensor tick", False), ("tick + definitions built", True)):
        with tempfile.TemporaryDirectory() as tmp:
            times = _ticks(Path(tmp), args.ticks, rebuild)
        print(
            f"{label}: median {statistics.median(times) * 1000:.1f} ms, "
            f"max {max(times) * 1000:.1f} ms over {len(times)} ticks"
        )


if __name__ == "__main__":
    main()
