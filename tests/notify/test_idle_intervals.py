"""With no channel configured the notify sensors tick once an hour (each tick is a call into the
code server, and the idle service's CPU target is 2 % of a core); with one, at their own pace."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.notify.sensors import (
    RUN_SENSOR_INTERVAL_SECONDS,
    UNCONFIGURED_INTERVAL_SECONDS,
)
from pipeline.definitions import build_definitions
from pipeline.settings import load_settings


def _intervals(tmp_path: Path, text: str) -> dict[str, int | None]:
    config = tmp_path / "homeclerk.toml"
    config.write_text('[paths]\ndata_dir = "data"\n' + text)
    defs = build_definitions(load_settings(config))
    return {s.name: s.minimum_interval_seconds for s in defs.sensors or ()}


def test_unconfigured_sources_tick_hourly_and_configured_ones_at_their_pace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOMECLERK_CONFIG", raising=False)
    idle = _intervals(tmp_path, "")
    notify = {name: every for name, every in idle.items() if name.startswith("notify_")}
    assert len(notify) >= 8 and set(notify.values()) == {UNCONFIGURED_INTERVAL_SECONDS}
    assert idle["android_sms_sensor"] == UNCONFIGURED_INTERVAL_SECONDS
    busy = _intervals(
        tmp_path,
        '[notify]\nntfy_url = "http://127.0.0.1:9/topic"\n[sources.android]\ninbox = "phone"\n',
    )
    assert busy["notify_run_failure"] == RUN_SENSOR_INTERVAL_SECONDS
    assert busy["android_sms_sensor"] < UNCONFIGURED_INTERVAL_SECONDS
    assert all(busy[name] < UNCONFIGURED_INTERVAL_SECONDS for name in notify)
