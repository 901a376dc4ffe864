"""The notify sensors' pace, which the idle service's CPU target (2 % of a core) rests on.

With no channel configured they tick once an hour (each tick is a call into the code server);
with one, at their own pace. Every domain's incidents are looked at by one sensor,
`notify_incidents`, each source at its own interval inside it: the daemon loops over three
notify sensors instead of eight."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from dagster import SensorEvaluationContext, build_sensor_context

from assets.notify.incidents import Problem
from assets.notify.resources import Notifier
from assets.notify.sensors import (
    DELIVERY_INTERVAL_SECONDS,
    RUN_SENSOR_INTERVAL_SECONDS,
    UNCONFIGURED_INTERVAL_SECONDS,
    build_incidents_sensor,
    incident_source,
)
from pipeline.definitions import build_definitions, notify_sources
from pipeline.resources import build_resources
from pipeline.settings import load_settings

T0 = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)
CONFIGURED = '[notify]\nntfy_url = "http://127.0.0.1:9/topic"\n[sources.android]\ninbox = "phone"\n'


def _config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "homeclerk.toml"
    config.write_text('[paths]\ndata_dir = "data"\n' + text)
    return config


def _intervals(tmp_path: Path, text: str) -> dict[str, int | None]:
    defs = build_definitions(load_settings(_config(tmp_path, text)))
    return {s.name: s.minimum_interval_seconds for s in defs.sensors or ()}


def test_unconfigured_sources_tick_hourly_and_configured_ones_at_their_pace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOMECLERK_CONFIG", raising=False)
    idle = _intervals(tmp_path, "")
    notify = {name: every for name, every in idle.items() if name.startswith("notify_")}
    # One sensor for every domain's incidents and the delivery, two for runs.
    assert set(notify) == {"notify_incidents", "notify_run_failure", "notify_run_success"}
    assert set(notify.values()) == {UNCONFIGURED_INTERVAL_SECONDS}
    assert idle["android_sms_sensor"] == UNCONFIGURED_INTERVAL_SECONDS
    busy = _intervals(tmp_path, CONFIGURED)
    assert busy["notify_run_failure"] == RUN_SENSOR_INTERVAL_SECONDS
    assert busy["notify_run_success"] == RUN_SENSOR_INTERVAL_SECONDS
    assert busy["notify_incidents"] == DELIVERY_INTERVAL_SECONDS
    assert busy["android_sms_sensor"] < UNCONFIGURED_INTERVAL_SECONDS


def test_every_domains_incidents_keep_their_own_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOMECLERK_CONFIG", raising=False)
    resources = build_resources(load_settings(_config(tmp_path, CONFIGURED)))
    # docs/notifications.md lists these latencies; the sensor ticks at the fastest of them.
    assert {s.name: s.interval for s in notify_sources(resources)} == {
        "balance_gap": 10 * 60,
        "power_outage": 60,
        "weekly_review": 5 * 60,
        "backup_missing": 15 * 60,
        "stale_feeds": 120,
    }
    assert min(s.interval for s in notify_sources(resources)) >= DELIVERY_INTERVAL_SECONDS


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> dt.datetime:
        return self.at


def test_a_source_is_looked_at_only_once_its_interval_has_passed(tmp_path: Path) -> None:
    clock, looked = Clock(), {"slow": 0, "fast": 0}

    def counting(name: str) -> Any:
        def problems(moment: dt.datetime, context: SensorEvaluationContext) -> dict[str, Problem]:
            looked[name] += 1
            return {}

        return problems

    notifier = Notifier(state_file=str(tmp_path / "state.json"), ntfy_url="http://127.0.0.1:9/t")
    sensor = build_incidents_sensor(
        notifier,
        clock.now,
        [
            incident_source("slow", "slow:", counting("slow"), interval=600),
            incident_source("fast", "fast:", counting("fast"), interval=60),
        ],
    )
    seen = []
    # The daemon's ticks: at least 60 s apart, a few seconds late at times.
    for seconds in (0, 62, 125, 190, 597, 660):
        clock.at = T0 + dt.timedelta(seconds=seconds)
        sensor(build_sensor_context())
        seen.append(dict(looked))
    assert [s["fast"] for s in seen] == [1, 2, 3, 4, 5, 6]
    # 597 s is within one daemon loop (5 s) of the 600 s interval: due, not a tick later.
    assert [s["slow"] for s in seen] == [1, 1, 1, 1, 2, 2]
