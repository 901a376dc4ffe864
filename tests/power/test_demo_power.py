"""The demo's power history gives the feed two outages (one ongoing) and a gap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assets.power.feed import build_power_feed
from assets.power.log import read_samples
from assets.power.source import load_health
from pipeline.demo.power import write_demo_power


@pytest.mark.parametrize(
    "end",
    [
        dt.datetime(2026, 1, 31, 18, 29, 59, tzinfo=dt.UTC),
        dt.datetime(2030, 3, 1, 0, 1, tzinfo=dt.UTC),
    ],
)
def test_demo_history_shows_two_outages_and_a_gap(tmp_path: Path, end: dt.datetime) -> None:
    count = write_demo_power(tmp_path, end)
    log = read_samples(tmp_path)
    assert len(log.samples) == count and log.torn_lines == 0
    feed = build_power_feed(
        log.samples, now=end, tz=ZoneInfo("Asia/Kolkata"), health=load_health(tmp_path)["health"]
    )
    assert feed["status"] == "ok"
    long, short = feed["outages"]
    assert (long["duration_minutes"], long["end_reason"]) == (190, "ac")
    assert long["lowest_charge_percent"] < 50
    assert short["ongoing"] and short["duration_minutes"] <= 6
    [gap] = feed["gaps"]
    assert gap["duration_minutes"] == 9 * 60 + 1
    assert feed["health"]["maximum_capacity_percent"] == 87.0
