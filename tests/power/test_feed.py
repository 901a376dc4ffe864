"""The power feed: outages, gaps (never outages, never AC), battery time this week."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

from assets.common.atomic import write_json_atomic
from assets.power.feed import SCHEMA, build_power_feed, find_outages
from assets.power.sampler import decide
from tests.support import pinned_feed_server

TZ = ZoneInfo("Asia/Kolkata")
T0 = dt.datetime(2027, 5, 3, 0, 0, tzinfo=dt.UTC)  # a Monday (05:30 IST)


def minutes(start: int, end: int, source: str, charge: float = 90.0, step: int = 1) -> list[dict]:
    return [
        {
            "at": (T0 + dt.timedelta(minutes=m)).isoformat(),
            "source": source,
            "charge_percent": charge - (m - start if source != "ac" else 0) * 0.5,
            "state": "discharging" if source != "ac" else "charged",
            "minutes_remaining": None,
            "device": "BAT0",
        }
        for m in range(start, end, step)
    ]


def test_outage_start_end_duration_lowest_charge() -> None:
    samples = minutes(0, 10, "ac") + minutes(10, 40, "battery") + minutes(40, 50, "ac")
    feed = build_power_feed(samples, now=T0 + dt.timedelta(minutes=49), tz=TZ, health=None)
    assert feed["schema"] == SCHEMA and feed["status"] == "ok"
    [outage] = feed["outages"]
    assert outage["start"] == (T0 + dt.timedelta(minutes=10)).isoformat()
    assert outage["end"] == (T0 + dt.timedelta(minutes=40)).isoformat()
    assert (outage["duration_minutes"], outage["ongoing"], outage["end_reason"]) == (
        30,
        False,
        "ac",
    )
    assert outage["lowest_charge_percent"] == 90.0 - 29 * 0.5
    assert feed["battery_minutes_this_week"] == 30.0
    assert feed["gaps"] == []


def test_ongoing_outage_shows_as_ongoing() -> None:
    samples = minutes(0, 10, "ac") + minutes(10, 12, "battery")
    feed = build_power_feed(samples, now=T0 + dt.timedelta(minutes=12), tz=TZ, health=None)
    [outage] = feed["outages"]
    assert outage["ongoing"] is True and outage["end"] is None
    assert feed["current"]["source"] == "battery"


def test_a_gap_is_a_gap_not_an_outage_nor_ac() -> None:
    # AC, then the machine sleeps 3 hours, then AC again: a gap and no outage.
    samples = minutes(0, 10, "ac") + minutes(190, 200, "ac")
    feed = build_power_feed(samples, now=T0 + dt.timedelta(minutes=199), tz=TZ, health=None)
    assert feed["outages"] == []
    assert [g["duration_minutes"] for g in feed["gaps"]] == [181]
    # On battery into the gap: the outage ends at the last battery sample, marked "gap",
    # and the gap's hours are not counted as time on battery.
    samples = minutes(0, 10, "battery") + minutes(190, 200, "ac")
    feed = build_power_feed(samples, now=T0 + dt.timedelta(minutes=199), tz=TZ, health=None)
    [outage] = feed["outages"]
    assert (outage["end_reason"], outage["duration_minutes"]) == ("gap", 9)
    assert feed["battery_minutes_this_week"] == 9.0


def test_stale_and_empty_status() -> None:
    samples = minutes(0, 10, "ac")
    feed = build_power_feed(samples, now=T0 + dt.timedelta(minutes=30), tz=TZ, health=None)
    assert feed["status"] == "stale" and feed["as_of"] == samples[-1]["at"]
    assert build_power_feed([], now=T0, tz=TZ, health=None)["status"] == "no_data"


def test_stale_battery_run_is_not_ongoing() -> None:
    samples = minutes(0, 10, "battery")
    [outage] = find_outages(samples, T0 + dt.timedelta(hours=2))
    assert (outage["ongoing"], outage["end_reason"]) == (False, "gap")


def test_battery_time_this_week_starts_monday_in_the_owner_zone() -> None:
    # Sunday 23:30-23:50 IST (18:00 UTC) is last week; Monday's 10 minutes count.
    sunday = minutes(-360, -340, "battery") + minutes(-340, 0, "ac")
    monday = minutes(0, 10, "battery") + minutes(10, 11, "ac")
    feed = build_power_feed(sunday + monday, now=T0 + dt.timedelta(minutes=11), tz=TZ, health=None)
    assert feed["week_start"] == "2027-05-03"
    assert feed["battery_minutes_this_week"] == 10.0


def test_samples_older_than_30_days_are_left_out() -> None:
    old = minutes(-31 * 1440, -31 * 1440 + 5, "battery")
    feed = build_power_feed(
        old + minutes(0, 3, "ac"),
        now=T0 + dt.timedelta(minutes=2),
        tz=TZ,
        health={"cycle_count": 3},
    )
    assert feed["outages"] == [] and feed["health"] == {"cycle_count": 3}


def reading(source: str, state: str) -> dict:
    return {"source": source, "state": state}


def test_sampler_records_a_minute_and_runs_only_on_change_or_hourly() -> None:
    first = decide(reading("ac", "charged"), None, T0)
    assert first.record and first.run_reason == "hourly feed refresh"
    tick = decide(reading("ac", "charged"), first.cursor, T0 + dt.timedelta(seconds=30))
    assert (tick.record, tick.run_reason) == (False, None)
    tick = decide(reading("ac", "charged"), tick.cursor, T0 + dt.timedelta(seconds=60))
    assert (tick.record, tick.run_reason) == (True, None)
    switch = decide(reading("battery", "discharging"), tick.cursor, T0 + dt.timedelta(seconds=90))
    assert switch.record and switch.run_reason == "power changed: ac/charged → battery/discharging"
    later = switch
    for second in range(120, 3600 + 91, 30):
        later = decide(
            reading("battery", "discharging"), later.cursor, T0 + dt.timedelta(seconds=second)
        )
        if later.run_reason:
            break
    # On battery the feed is refreshed every 3 minutes: an outage's charge stays current.
    assert later.run_reason == "feed refresh on battery" and second == 90 + 180
    back = decide(reading("ac", "charging"), later.cursor, T0 + dt.timedelta(seconds=300))
    assert back.run_reason == "power changed: battery/discharging → ac/charging"
    for second in range(330, 7200, 30):
        back = decide(reading("ac", "charging"), back.cursor, T0 + dt.timedelta(seconds=second))
        if back.run_reason:
            break
    assert back.run_reason == "hourly feed refresh" and second == 300 + 3600


def test_the_feed_server_serves_it_stale_once_samples_stop(tmp_path: Path) -> None:
    # An outage ongoing at the last sample (06:02 IST), written "ok"; then the service stops
    # and nothing rewrites the file. On battery a refresh is due every 3 min (+ 5 min grace).
    samples = minutes(0, 10, "ac") + minutes(10, 33, "battery")
    written_at = T0 + dt.timedelta(minutes=32, seconds=30)
    feed = build_power_feed(samples, now=written_at, tz=TZ, health=None)
    assert feed["status"] == "ok" and feed["outages"][-1]["ongoing"]
    assert feed["stale_after"] == (T0 + dt.timedelta(minutes=32 + 8)).isoformat()
    path = tmp_path / "power.json"
    write_json_atomic(path, feed)
    on_disk = path.read_bytes()
    with pinned_feed_server(tmp_path, T0 + dt.timedelta(minutes=40)) as server:
        assert server.get("power.json") == (200, on_disk)  # not overdue yet: the file as is
        server.now = T0 + dt.timedelta(minutes=40, seconds=1)
        status, body = server.get("power.json")
        served = json.loads(body)
    assert status == 200
    assert served["status"] == "stale"
    assert served["message"].startswith(
        "no new sample since 2027-05-03 06:02 (one a minute; the feed is refreshed every 3 min"
    )
    assert "ongoing outage" in served["message"]
    assert {k: v for k, v in served.items() if k not in ("status", "message")} == {
        k: v for k, v in feed.items() if k not in ("status", "message")
    }
    assert path.read_bytes() == on_disk  # the file on disk is unchanged


def test_on_ac_the_feed_is_overdue_after_its_hourly_refresh() -> None:
    samples = minutes(0, 10, "ac")
    feed = build_power_feed(samples, now=T0 + dt.timedelta(minutes=9), tz=TZ, health=None)
    last = T0 + dt.timedelta(minutes=9)
    assert feed["stale_after"] == (last + dt.timedelta(hours=1, minutes=5)).isoformat()
    assert "refreshed hourly on AC" in feed["stale_reason"]
    # The sampler asks for that refresh before it is overdue.
    tick = decide(reading("ac", "charged"), None, last)
    later = decide(reading("ac", "charged"), tick.cursor, last + dt.timedelta(hours=1))
    assert later.run_reason == "hourly feed refresh"
