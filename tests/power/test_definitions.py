"""The power slice in a real Dagster instance: the sampler sensor records and skips, requests a
run only on a change, and power_job turns the log into the warehouse table and the feed."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context

from assets.common.resources import Clock
from assets.power.definitions import build_power_sensor
from pipeline.definitions import build_definitions
from pipeline.service.instance import prepare_instance
from pipeline.settings import load_settings

DATA = Path(__file__).parent / "data"
T0 = dt.datetime(2027, 8, 9, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def setup(tmp_path: Path):
    reading = tmp_path / "pmset.txt"
    shutil.copy(DATA / "pmset-ac-charged.txt", reading)
    shutil.copy(DATA / "system-profiler-power.json", tmp_path / "health.json")
    config = tmp_path / "homeclerk.toml"
    config.write_text(
        '[paths]\ndata_dir = "data"\n[messages]\nchat_db = "chat.db"\n'
        '[power]\nsource = "pmset"\n'
        f'pmset_command = ["cat", {json.dumps(str(reading))}]\n'
        "low_charge_percent = 90\n"
    )
    settings = load_settings(config)
    home = prepare_instance(settings)
    with DagsterInstance.from_config(str(home)) as instance:
        yield settings, instance, reading


def tick(settings, instance, cursor, at: dt.datetime, health_command: list[str] | None = None):
    defs = build_definitions(settings)
    # Health is read by a command too: point it at the recorded system_profiler output.
    power = defs.resources["power"]
    health = health_command or ["cat", str(settings.base_dir / "health.json")]
    power = type(power)(**{**power.model_dump(), "health_command": health})
    # The sensor holds its resources (no resource parameters), so the frozen clock and the
    # recorded health go in where the definitions wire them.
    sensor = build_power_sensor(
        defs.resolve_job_def("power_job"), power, Clock(frozen_at=at.isoformat())
    )
    context = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    return sensor(context), context.cursor


def log_lines(settings) -> list[dict]:
    return [
        json.loads(line)
        for path in sorted((settings.data_dir / "power").glob("samples-*.jsonl"))
        for line in path.read_text().splitlines()
    ]


def run_power_job(settings, instance, at: dt.datetime):
    defs = build_definitions(settings)
    result = defs.resolve_job_def("power_job").execute_in_process(
        run_config={"resources": {"clock": {"config": {"frozen_at": at.isoformat()}}}},
        instance=instance,
        raise_on_error=False,
    )
    assert result.success
    checks = {
        e.asset_check_evaluation_data.asset_check_key.name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    return json.loads((settings.feeds_dir / "power.json").read_text()), checks


def test_sensor_records_and_skips_and_runs_only_on_a_change(setup) -> None:
    settings, instance, reading = setup
    first, cursor = tick(settings, instance, None, T0)
    assert isinstance(first, RunRequest)  # no feed yet: the hourly refresh is due
    second, cursor = tick(settings, instance, cursor, T0 + dt.timedelta(seconds=30))
    assert isinstance(second, SkipReason) and second.skip_message.startswith("SKIPPED:")
    third, cursor = tick(settings, instance, cursor, T0 + dt.timedelta(seconds=60))
    assert isinstance(third, SkipReason)
    assert [s["at"] for s in log_lines(settings)] == [
        T0.isoformat(),
        (T0 + dt.timedelta(seconds=60)).isoformat(),
    ]
    assert (settings.data_dir / "power" / "health.json").exists()
    shutil.copy(DATA / "pmset-battery-discharging.txt", reading)
    switch, cursor = tick(settings, instance, cursor, T0 + dt.timedelta(seconds=90))
    assert isinstance(switch, RunRequest)
    assert "battery/discharging" in switch.tags["homeclerk/power_reason"]
    assert log_lines(settings)[-1]["source"] == "battery"
    assert instance.get_runs_count() == 0  # the sensor itself launches nothing


def test_power_job_feed_shows_the_outage_and_checks_warn(setup) -> None:
    settings, instance, reading = setup
    cursor = None
    for second in range(0, 600, 30):
        if second == 300:
            shutil.copy(DATA / "pmset-battery-discharging.txt", reading)
        _, cursor = tick(settings, instance, cursor, T0 + dt.timedelta(seconds=second))
    now = T0 + dt.timedelta(seconds=600)
    feed, checks = run_power_job(settings, instance, now)
    assert feed["status"] == "ok" and feed["current"]["source"] == "battery"
    [outage] = feed["outages"]
    assert outage["ongoing"] and outage["start"] == (T0 + dt.timedelta(seconds=300)).isoformat()
    assert feed["health"]["cycle_count"] == 412
    assert checks["power_sampler_alive"].passed
    assert not checks["power_charge_ok"].passed  # on battery at 83 %, below the 90 % set
    assert "83.0% (below 90.0%)" in checks["power_charge_ok"].description
    assert checks["power_battery_health"].passed  # 87 % ≥ 80 %
    assert checks["power_reader_understood"].passed
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT count(*), count(*) FILTER (source = 'battery') FROM power_samples"
        ).fetchone()
    assert rows == (len(log_lines(settings)), 5)
    # Idempotent: a second run adds nothing.
    run_power_job(settings, instance, now)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM power_samples").fetchone()[0] == rows[0]


def test_checks_flag_a_stopped_sampler_and_unknown_output(setup) -> None:
    settings, instance, reading = setup
    reading.write_text("Now drawing from 'Fusion Power'\n")
    tick(settings, instance, None, T0)
    feed, checks = run_power_job(settings, instance, T0 + dt.timedelta(minutes=10))
    assert feed["status"] == "stale"
    assert not checks["power_sampler_alive"].passed
    assert not checks["power_reader_understood"].passed
    assert "Fusion Power" in checks["power_reader_understood"].description


def test_a_sensor_tick_reads_the_source_once_and_opens_nothing_else(tmp_path: Path) -> None:
    # What keeps a tick every 30 s cheap (the time it takes is benchmarks/power_tick_bench.py's
    # job): no resource parameters (with them Dagster builds a whole instance per tick), one
    # run of the reading command, the slow health command once a day, a log line a minute,
    # and no warehouse or run touched.
    calls = tmp_path / "calls"
    reading = tmp_path / "pmset.txt"
    shutil.copy(DATA / "pmset-ac-charged.txt", reading)
    shutil.copy(DATA / "system-profiler-power.json", tmp_path / "health.json")

    def counted(name: str, path: Path) -> list[str]:
        return [
            "sh",
            "-c",
            f"echo {name} >> {shlex.quote(str(calls))}; cat {shlex.quote(str(path))}",
        ]

    config = tmp_path / "homeclerk.toml"
    config.write_text(
        '[paths]\ndata_dir = "data"\n[messages]\nchat_db = "chat.db"\n'
        f'[power]\nsource = "pmset"\npmset_command = {json.dumps(counted("pmset", reading))}\n'
    )
    settings = load_settings(config)
    sensor = build_definitions(settings).resolve_sensor_def("power_sampler")
    assert sensor.required_resource_keys == set()
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        cursor = None
        for second in range(0, 20 * 30, 30):
            at = T0 + dt.timedelta(seconds=second)
            _, cursor = tick(
                settings, instance, cursor, at, counted("health", tmp_path / "health.json")
            )
        assert instance.get_runs_count() == 0
    assert calls.read_text().splitlines() == ["pmset", "health"] + ["pmset"] * 19
    assert len(log_lines(settings)) == 10  # one a minute over ten minutes
    assert not settings.warehouse.exists()
    assert sorted(p.name for p in (settings.data_dir / "power").iterdir()) == [
        "health.json",
        f"samples-{T0:%Y-%m}.jsonl",
    ]
