"""The review's power section: a week of stored power samples → outages, gaps, battery time.

Only samples stored in the warehouse before the week's end are read, and "now" is the newest of
them, so a late backfill writes the same bytes an on-time run wrote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from assets.common.warehouse import has_table
from assets.power.feed import GAP_SECONDS, ON_BATTERY, battery_minutes, find_gaps, find_outages
from assets.power.store import TABLE

from .week import Week

if TYPE_CHECKING:
    import duckdb

# How far before the week to look for the start of an outage still running at its Monday.
LOOKBACK = dt.timedelta(days=7)


class PowerWeek(NamedTuple):
    """A week's samples (plus those since the last AC sample before it) and the battery health
    when a check was recorded during the week (the power domain keeps only its latest check)."""

    samples: tuple[dict[str, Any], ...]
    health: dict[str, Any] | None = None


def read_power_week(con: duckdb.DuckDBPyConnection, week: Week, tz: ZoneInfo) -> PowerWeek | None:
    """The week's stored samples, oldest first; None when `power_samples` does not exist."""
    if not has_table(con, TABLE):
        return None
    start, end = week.bounds(tz)
    on_battery = ", ".join(f"'{s}'" for s in ON_BATTERY)
    # From the last sample off battery before the week: an outage running at Monday 00:00 is
    # shown from its real start.
    [(since,)] = con.execute(
        f"SELECT coalesce(max(sampled_at), ?) FROM {TABLE} "
        f"WHERE sampled_at < ? AND sampled_at >= ? AND source NOT IN ({on_battery})",
        [start - LOOKBACK, start, start - LOOKBACK],
    ).fetchall()
    rows = con.execute(
        f"SELECT sampled_at, source, charge_percent, state FROM {TABLE} "
        "WHERE sampled_at >= ? AND sampled_at < ? ORDER BY sampled_at",
        [since, end],
    ).fetchall()
    return PowerWeek(
        tuple(
            {
                "at": _aware(r[0]).astimezone(dt.UTC).isoformat(timespec="seconds"),
                "source": r[1],
                "charge_percent": r[2],
                "state": r[3],
            }
            for r in rows
        )
    )


def health_in_week(
    cached: dict[str, Any] | None, week: Week, tz: ZoneInfo
) -> dict[str, Any] | None:
    """The cached health check (`health.json`) when it was made during the week, else None:
    a later check says nothing about this week, and would change a backfill's bytes."""
    if not cached or not cached.get("health"):
        return None
    start, end = week.bounds(tz)
    checked = dt.datetime.fromisoformat(cached["checked_at"])
    return dict(cached["health"]) if start <= checked < end else None


def power_section(power: PowerWeek | None, week: Week, tz: ZoneInfo) -> dict[str, Any]:
    """Outages overlapping the week, gaps, minutes on battery, the lowest charge and health."""
    title = "Power"
    if power is None:
        return {"title": title, "note": "power: not configured"}
    start, end = week.bounds(tz)
    in_week = [s for s in power.samples if start <= _at(s) < end]
    if not in_week:
        return {
            "title": title,
            "note": f"no power samples from {_span(week.start, week.end)}: "
            "the sampler was not running",
        }
    newest = _at(power.samples[-1])
    outages = [
        o
        for o in find_outages(power.samples, newest)
        if _at(o) < end and (o["end"] is None or dt.datetime.fromisoformat(o["end"]) > start)
    ]
    gaps = [
        g
        for g in find_gaps(power.samples)
        if _at(g) < end and dt.datetime.fromisoformat(g["end"]) > start
    ]
    charged = [s for s in in_week if s.get("charge_percent") is not None]
    lowest = min(charged, key=lambda s: (s["charge_percent"], s["at"])) if charged else None
    first, last = _at(in_week[0]), _at(in_week[-1])
    coverage = []
    if (first - start).total_seconds() > GAP_SECONDS and _at(power.samples[0]) >= start:
        coverage.append(f"samples begin at {_minute(first, tz)}")
    if (end - last).total_seconds() > GAP_SECONDS:
        coverage.append(f"samples end at {_minute(last, tz)}")
    return {
        "title": title,
        "samples": len(in_week),
        "outages": [
            {
                "start": _minute(_at(o), tz),
                "end": _minute(dt.datetime.fromisoformat(o["end"]), tz) if o["end"] else None,
                "ongoing": o["ongoing"],
                "end_reason": o["end_reason"],
                "duration_minutes": o["duration_minutes"],
                "lowest_charge_percent": o["lowest_charge_percent"],
                "source": o["source"],
            }
            for o in outages
        ],
        "gaps": [
            {
                "start": _minute(_at(g), tz),
                "end": _minute(dt.datetime.fromisoformat(g["end"]), tz),
                "duration_minutes": g["duration_minutes"],
            }
            for g in gaps
        ],
        "battery_minutes": battery_minutes(power.samples, start),
        "lowest_charge": None
        if lowest is None
        else {"percent": lowest["charge_percent"], "at": _minute(_at(lowest), tz)},
        "health": power.health,
        "coverage": coverage,
        "timeline": timeline(in_week, start),
    }


def timeline(samples: Sequence[dict[str, Any]], start: dt.datetime) -> list[list[Any]]:
    """Charge over the week for the chart: [hours since Monday 00:00, charge, on battery] at
    the first sample of each half hour, and None rows where a gap breaks the line."""
    points: list[list[Any]] = []
    seen: set[int] = set()
    previous: dt.datetime | None = None
    for s in samples:
        at = _at(s)
        if previous is not None and (at - previous).total_seconds() > GAP_SECONDS:
            points.append([None, None, None])
        previous = at
        hours = (at - start).total_seconds() / 3600
        slot = int(hours * 2)
        if slot in seen or s.get("charge_percent") is None:
            continue
        seen.add(slot)
        points.append([round(hours, 2), s["charge_percent"], s["source"] in ON_BATTERY])
    return points


def _at(item: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(item["at"] if "at" in item else item["start"])


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _minute(at: dt.datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _span(first: dt.date, last: dt.date) -> str:
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day} to {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b} to {last.day} {last:%b %Y}"
