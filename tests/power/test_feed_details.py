"""The power feed in detail: every field, the boundaries at exactly `gap_seconds`, outages of
mixed sources and without a charge, and the owner's week on a machine in another zone (found
by mutation testing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assets.power.feed import GAP_SECONDS, battery_minutes, build_power_feed, find_outages
from tests.support import machine_timezone

IST = ZoneInfo("Asia/Kolkata")
# Monday 10:30 in Kolkata, still Sunday 22:00 in Los Angeles (the machine below).
NOW = dt.datetime(2027, 8, 9, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def machine_in_los_angeles() -> Iterator[None]:
    with machine_timezone("America/Los_Angeles"):
        yield


def s(at: dt.datetime, source: str, charge: float | None = 80.0) -> dict[str, Any]:
    return {"at": at.isoformat(), "source": source, "charge_percent": charge, "state": "x"}


def ago(seconds: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


def test_every_field_of_a_feed_in_the_owner_s_week(machine_in_los_angeles: None) -> None:
    # On battery from Monday 09:20 to 09:22 IST (this week), AC since.
    samples = [s(ago(600), "battery"), s(ago(540), "battery"), s(ago(480), "ac"), s(ago(60), "ac")]
    feed = build_power_feed(samples, now=NOW, tz=IST, health={"cycles": 3})
    assert feed["stale_after"] and "no new sample since" in feed["stale_reason"]
    assert {k: v for k, v in feed.items() if not k.startswith("stale_")} == {
        "schema": "homeclerk.power/1",
        "generated_at": "2027-08-09T05:00:00+00:00",
        "as_of": samples[-1]["at"],
        "status": "ok",
        "message": None,
        "current": samples[-1],
        "outages": [
            {
                "start": samples[0]["at"],
                "end": "2027-08-09T04:52:00+00:00",
                "ongoing": False,
                "end_reason": "ac",
                "duration_minutes": 2,
                "lowest_charge_percent": 80.0,
                "source": "battery",
            }
        ],
        "gaps": [{"start": samples[2]["at"], "end": samples[3]["at"], "duration_minutes": 7}],
        "battery_minutes_this_week": 2.0,
        "week_start": "2027-08-09",
        "health": {"cycles": 3},
        "samples_in_window": 4,
        "torn_lines": 0,
    }


def test_the_no_data_and_stale_lines() -> None:
    empty = build_power_feed([], now=NOW, tz=IST, health=None)
    assert (empty["status"], empty["message"]) == (
        "no_data",
        "no power sample in the last 30 days: is the sampler on?",
    )
    old = s(ago(GAP_SECONDS + 1), "ac")
    stale = build_power_feed([old], now=NOW, tz=IST, health=None, torn_lines=2)
    assert (stale["status"], stale["message"], stale["torn_lines"]) == (
        "stale",
        f"newest sample is from {old['at']}: the sampler or the machine was off",
        2,
    )


def test_exactly_gap_seconds_apart_is_no_gap() -> None:
    # Two battery samples GAP_SECONDS apart, and now GAP_SECONDS after the last: one ongoing
    # outage, no gap, the interval counted, the feed fresh. The window's ends are inside it.
    edge = s(NOW - dt.timedelta(days=30), "ac")
    first, second = s(ago(2 * GAP_SECONDS), "battery"), s(ago(GAP_SECONDS), "battery")
    feed = build_power_feed([edge, first, second], now=NOW, tz=IST, health=None)
    assert feed["status"] == "ok"
    assert [g["end"] for g in feed["gaps"]] == [first["at"]]  # only the month-long one
    [outage] = feed["outages"]
    assert (outage["start"], outage["ongoing"], outage["end_reason"]) == (first["at"], True, None)
    assert battery_minutes([first, second], ago(3600)) == GAP_SECONDS / 60
    assert feed["samples_in_window"] == 3
    at_now = build_power_feed([s(NOW, "ac")], now=NOW, tz=IST, health=None)
    assert at_now["samples_in_window"] == 1 and at_now["status"] == "ok"


def test_an_outage_ends_on_its_last_sample_and_names_its_last_source() -> None:
    run = [s(ago(300), "battery", 80.0), s(ago(240), "battery", None), s(ago(180), "ups", 70.0)]
    # Last sample 150 s ago: still ongoing (the one before it is 240 s old).
    [ongoing] = find_outages(run, NOW - dt.timedelta(seconds=30))
    assert (ongoing["ongoing"], ongoing["end_reason"], ongoing["end"]) == (True, None, None)
    assert (ongoing["source"], ongoing["lowest_charge_percent"]) == ("ups", 70.0)
    # Five minutes after its last sample: ended there, by a gap.
    [ended] = find_outages(run, NOW + dt.timedelta(seconds=120))
    assert (ended["ongoing"], ended["end_reason"], ended["end"]) == (
        False,
        "gap",
        "2027-08-09T04:57:00+00:00",
    )


def test_outages_split_by_a_gap_or_by_ac_and_without_a_charge() -> None:
    samples = [
        s(ago(3000), "battery", None),
        s(ago(2940), "battery", None),
        s(ago(2000), "battery"),  # after a gap: a new outage
        s(ago(1940), "ac"),
        s(ago(1880), "battery"),  # after AC: another
        s(ago(1820), "ac"),
    ]
    outages = find_outages(samples, NOW)
    assert [(o["end_reason"], o["lowest_charge_percent"]) for o in outages] == [
        ("gap", None),
        ("ac", 80.0),
        ("ac", 80.0),
    ]


def test_battery_minutes_skip_a_gap_but_count_what_follows_it() -> None:
    samples = [
        s(ago(1000), "battery"),
        s(ago(920), "battery"),  # 80 s: 1.33 minutes
        s(ago(500), "battery"),  # after a gap: not counted
        s(ago(440), "battery"),  # 60 s
        s(ago(380), "ac"),  # 60 s
    ]
    assert battery_minutes(samples, ago(3600)) == 3.3


def test_a_wednesday_s_week_starts_on_monday_and_the_gap_setting_is_used_throughout() -> None:
    wednesday = NOW + dt.timedelta(days=2)
    # Samples 300 s apart: gaps by the default, not with gap_seconds=600.
    samples = [s(wednesday - dt.timedelta(seconds=t), "battery") for t in (900, 600, 300)]
    default = build_power_feed(samples, now=wednesday, tz=IST, health=None)
    assert default["week_start"] == "2027-08-09"
    assert len(default["gaps"]) == 2 and default["battery_minutes_this_week"] == 0.0
    assert [o["end_reason"] for o in default["outages"]] == ["gap", "gap", "gap"]
    wide = build_power_feed(samples, now=wednesday, tz=IST, health=None, gap_seconds=600)
    assert wide["gaps"] == [] and wide["battery_minutes_this_week"] == 10.0
    [outage] = wide["outages"]
    assert outage["ongoing"] and outage["start"] == samples[0]["at"]
