"""`feeds/power.json` as a plain function over the sample log: outages, gaps, time on battery."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

SCHEMA = "homeclerk.power/1"
OUTAGE_DAYS = 30
# Samples come every 60 s; more than this between two means the machine was off or asleep
# (or the sampler stopped): a gap, shown as such, never as an outage or as AC.
GAP_SECONDS = 180
ON_BATTERY = ("battery", "ups")
# How often the sampler has the feed rewritten when nothing changes (a change rewrites it at
# once): hourly on AC keeps an idle service idle; on battery every 3 minutes, so an outage's
# charge stays current and a stopped sampler shows within minutes.
FEED_EVERY = dt.timedelta(hours=1)
FEED_EVERY_ON_BATTERY = dt.timedelta(minutes=3)
# A refresh is a run: allow for its start and a queue ahead of it.
REFRESH_GRACE = dt.timedelta(minutes=5)


def refresh_every(source: str | None) -> dt.timedelta:
    """How often the feed is rewritten while the power source stays `source`."""
    return FEED_EVERY_ON_BATTERY if source in ON_BATTERY else FEED_EVERY


def _at(sample: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(sample["at"])


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def find_gaps(samples: Sequence[dict[str, Any]], gap_seconds: int = GAP_SECONDS) -> list[dict]:
    """Each stretch longer than `gap_seconds` between two consecutive samples."""
    gaps = []
    for before, after in itertools.pairwise(samples):
        seconds = (_at(after) - _at(before)).total_seconds()
        if seconds > gap_seconds:
            gaps.append(
                {
                    "start": before["at"],
                    "end": after["at"],
                    "duration_minutes": round(seconds / 60),
                }
            )
    return gaps


def find_outages(
    samples: Sequence[dict[str, Any]], now: dt.datetime, gap_seconds: int = GAP_SECONDS
) -> list[dict[str, Any]]:
    """Runs of consecutive on-battery samples. A run ends at the first AC sample after it
    (`end_reason` "ac"), or at its last sample when a gap or the log's end follows (`end_reason`
    "gap": what happened during the gap is unknown). The last run is ongoing (`end` null)
    while its last sample is recent."""
    outages: list[dict[str, Any]] = []
    run: list[dict[str, Any]] = []

    def close(end: dt.datetime | None, reason: str | None) -> None:
        start = _at(run[0])
        until = end or now
        charges = [s["charge_percent"] for s in run if s.get("charge_percent") is not None]
        outages.append(
            {
                "start": run[0]["at"],
                "end": _iso(end) if end else None,
                "ongoing": end is None,
                "end_reason": reason,
                "duration_minutes": round((until - start).total_seconds() / 60),
                "lowest_charge_percent": min(charges) if charges else None,
                "source": run[-1]["source"],
            }
        )

    previous: dict[str, Any] | None = None
    for sample in samples:
        gap = previous is not None and (_at(sample) - _at(previous)).total_seconds() > gap_seconds
        if run and gap:
            close(_at(run[-1]), "gap")
            run = []
        if sample["source"] in ON_BATTERY:
            run.append(sample)
        elif run and sample["source"] == "ac":
            close(_at(sample), "ac")
            run = []
        previous = sample
    if run:
        fresh = (now - _at(run[-1])).total_seconds() <= gap_seconds
        close(None if fresh else _at(run[-1]), None if fresh else "gap")
    return outages


def battery_minutes(
    samples: Sequence[dict[str, Any]], since: dt.datetime, gap_seconds: int = GAP_SECONDS
) -> float:
    """Minutes on battery since `since`: each interval between two consecutive samples counts
    when it starts on battery and is not a gap."""
    total = 0.0
    for before, after in itertools.pairwise(samples):
        start, end = max(_at(before), since), _at(after)
        if before["source"] not in ON_BATTERY or end <= start:
            continue
        if (_at(after) - _at(before)).total_seconds() > gap_seconds:
            continue
        total += (end - start).total_seconds() / 60
    return round(total, 1)


def stale_after(current: dict[str, Any]) -> dt.datetime:
    """When a feed whose newest sample is `current` is overdue for its next refresh: the sample
    + the refresh cadence for its source + REFRESH_GRACE."""
    return _at(current) + refresh_every(current.get("source")) + REFRESH_GRACE


def _stale_reason(current: dict[str, Any], tz: ZoneInfo) -> str:
    """What `message` says once the feed is overdue for its refresh."""
    since = _at(current).astimezone(tz)
    every = int(refresh_every(current.get("source")).total_seconds() // 60)
    cadence = f"every {every} min on battery" if every < 60 else "hourly on AC"
    outage = " and any ongoing outage" if current.get("source") in ON_BATTERY else ""
    return (
        f"no new sample since {since:%Y-%m-%d %H:%M} (one a minute; the feed is refreshed "
        f"{cadence}): the sampler, the service or the machine is off; `current`{outage} are "
        "as of that sample"
    )


def build_power_feed(
    samples: Sequence[dict[str, Any]],
    *,
    now: dt.datetime,
    tz: ZoneInfo,
    health: dict[str, Any] | None,
    torn_lines: int = 0,
    gap_seconds: int = GAP_SECONDS,
) -> dict[str, Any]:
    """The feed from the samples of (at least) the last OUTAGE_DAYS days, sorted by `at`.

    `status`: "no_data" without a sample, "stale" when the newest sample is older than
    `gap_seconds` (the sampler is not running, or the machine slept: `current` is then the last
    known sample, not the present), else "ok". `stale_after` is when the next refresh is
    overdue (`stale_after()`): from then on a reader takes the feed as `stale` with
    `stale_reason` (assets/common/feed_status.py), even if nothing rewrites the file.
    """
    window = now - dt.timedelta(days=OUTAGE_DAYS)
    recent = [s for s in samples if window <= _at(s) <= now]
    today = now.astimezone(tz).date()
    week_start = dt.datetime.combine(
        today - dt.timedelta(days=today.weekday()), dt.time(), tz
    ).astimezone(dt.UTC)
    current = recent[-1] if recent else None
    if current is None:
        status, message = "no_data", "no power sample in the last 30 days: is the sampler on?"
    elif (now - _at(current)).total_seconds() > gap_seconds:
        status = "stale"
        message = f"newest sample is from {current['at']}: the sampler or the machine was off"
    else:
        status, message = "ok", None
    return {
        "schema": SCHEMA,
        "generated_at": _iso(now),
        "as_of": current["at"] if current else None,
        "status": status,
        "message": message,
        "stale_after": _iso(stale_after(current)) if current else None,
        "stale_reason": _stale_reason(current, tz) if current else None,
        "current": current,
        "outages": find_outages(recent, now, gap_seconds),
        "gaps": find_gaps(recent, gap_seconds),
        "battery_minutes_this_week": battery_minutes(recent, week_start, gap_seconds),
        "week_start": week_start.astimezone(tz).date().isoformat(),
        "health": health,
        "samples_in_window": len(recent),
        "torn_lines": torn_lines,
    }
