"""The sampler's decision, as a plain function: record a sample, and ask for a feed run only on
a change of source or charging state, or when the feed is due (an hour old on AC, 3 minutes on
battery: `feed.refresh_every`)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NamedTuple

from .feed import ON_BATTERY, refresh_every

SAMPLE_EVERY = dt.timedelta(seconds=60)


class Decision(NamedTuple):
    """What the sampler does with a reading: record it, and whether to ask for a feed run."""

    record: bool  # append this reading to the log
    run_reason: str | None  # why a feed run is wanted, or None (skip)
    cursor: str  # the sensor's new cursor


def decide(reading: dict[str, Any], cursor: str | None, now: dt.datetime) -> Decision:
    """What to do with a reading taken at `now`, given the cursor the last tick left.

    The sensor ticks more often than it records (every 30 s), so a switch to battery is seen
    and fed within a minute while the log keeps one line a minute (plus one per change).
    """
    last = json.loads(cursor) if cursor else {}
    key = f"{reading['source']}/{reading['state']}"
    last_recorded = _instant(last.get("recorded_at"))
    last_feed = _instant(last.get("feed_at"))
    changed = bool(last) and last.get("key") != key
    record = changed or last_recorded is None or now - last_recorded >= SAMPLE_EVERY
    reason = None
    if changed:
        reason = f"power changed: {last.get('key')} → {key}"
    elif last_feed is None or now - last_feed >= refresh_every(reading["source"]):
        on_battery = reading["source"] in ON_BATTERY
        reason = "feed refresh on battery" if on_battery else "hourly feed refresh"
    new = {
        "key": key,
        "recorded_at": now.isoformat() if record else last.get("recorded_at"),
        "feed_at": now.isoformat() if reason else last.get("feed_at"),
    }
    return Decision(record, reason, json.dumps(new, sort_keys=True))


def _instant(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None
