"""The demo's power history: 30 days of one-minute samples with a gap and two outages."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from assets.common.atomic import write_json_atomic, write_text_atomic
from assets.power.log import log_path
from assets.power.source import HEALTH_FILE

DEMO_DAYS = 30
# (start before the end, length) of each stretch; the gap is the machine asleep overnight.
GAP = (dt.timedelta(days=20, hours=2), dt.timedelta(hours=9))
LONG_OUTAGE = (dt.timedelta(days=9, hours=5), dt.timedelta(hours=3, minutes=10))
# Still on battery at the demo's end: the feed shows it as ongoing.
SHORT_OUTAGE_MINUTES = 6
DEMO_HEALTH = {
    "device": "InternalBattery-0",
    "cycle_count": 412,
    "condition": "Normal",
    "maximum_capacity_percent": 87.0,
}


def demo_power_samples(end: dt.datetime) -> list[dict[str, Any]]:
    """A sample a minute for DEMO_DAYS days up to `end`, as the sampler would have logged."""
    end = end.astimezone(dt.UTC).replace(second=0, microsecond=0)
    start = end - dt.timedelta(days=DEMO_DAYS)
    gap_from, gap_to = end - GAP[0], end - GAP[0] + GAP[1]
    long_from, long_to = end - LONG_OUTAGE[0], end - LONG_OUTAGE[0] + LONG_OUTAGE[1]
    short_from = end - dt.timedelta(minutes=SHORT_OUTAGE_MINUTES - 1)
    samples, charge, moment = [], 100.0, start
    while moment <= end:
        if gap_from <= moment < gap_to:
            moment += dt.timedelta(minutes=1)
            continue
        on_battery = long_from <= moment < long_to or moment >= short_from
        if on_battery:
            charge = max(5.0, charge - 0.33)
            state, minutes = "discharging", int(charge * 3)
        else:
            charge = min(100.0, charge + 1.0)
            state, minutes = ("charged" if charge >= 100 else "charging"), None
        samples.append(
            {
                "at": moment.isoformat(timespec="seconds"),
                "source": "battery" if on_battery else "ac",
                "charge_percent": round(charge, 1),
                "state": state,
                "minutes_remaining": minutes,
                "device": "InternalBattery-0",
            }
        )
        moment += dt.timedelta(minutes=1)
    return samples


def write_demo_power(folder: Path, end: dt.datetime) -> int:
    """Write the history as the month logs and a health file in `folder`; returns the count."""
    samples = demo_power_samples(end)
    months: dict[Path, list[str]] = defaultdict(list)
    for sample in samples:
        at = dt.datetime.fromisoformat(sample["at"])
        months[log_path(folder, at)].append(json.dumps(sample, separators=(",", ":")))
    for path, lines in months.items():
        write_text_atomic(path, "\n".join(lines) + "\n")
    write_json_atomic(
        folder / HEALTH_FILE,
        {"checked_at": end.astimezone(dt.UTC).isoformat(), "health": DEMO_HEALTH, "error": None},
    )
    return len(samples)
