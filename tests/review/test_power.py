"""The review's power section from `power_samples` loaded by the power domain's own loader."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from assets.common.atomic import write_text_atomic
from assets.common.warehouse import connect
from assets.power.log import log_path
from assets.power.store import load_samples
from assets.review.compose import PipelineHealth, ReviewInputs, build_review
from assets.review.power import health_in_week
from assets.review.reader import read_transactions_for, read_week
from assets.review.render import render_html, render_markdown
from assets.review.week import parse_iso_week
from tests.review.helpers import IST

WEEK = parse_iso_week("2025-W44")  # Mon 27 Oct to Sun 2 Nov 2025
MONDAY = dt.datetime.combine(WEEK.start, dt.time(), IST)
# (start, minutes) on battery: one from Sunday 23:00 before the week, one on Wednesday, and one
# in the week after (not this week's).
OUTAGES = [
    (MONDAY - dt.timedelta(hours=1), 120),
    (MONDAY + dt.timedelta(days=2, hours=10), 90),
    (MONDAY + dt.timedelta(days=7, hours=9), 30),
]
GAP = (MONDAY + dt.timedelta(days=3, hours=2), MONDAY + dt.timedelta(days=3, hours=8))
FULL_CHARGE, DRAIN = 90.0, 0.5  # percent, percent a minute on battery


def plan(until: dt.datetime) -> list[dict]:
    """A sample a minute from Saturday before the week to `until`, except during GAP."""
    samples, at = [], MONDAY - dt.timedelta(days=2)
    while at < until:
        if not GAP[0] <= at < GAP[1]:
            on = [at - s for s, n in OUTAGES if s <= at < s + dt.timedelta(minutes=n)]
            minutes = on[0].total_seconds() / 60 if on else 0
            samples.append(
                {
                    "at": at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                    "source": "battery" if on else "ac",
                    "charge_percent": FULL_CHARGE - DRAIN * minutes,
                    "state": "discharging" if on else "charged",
                }
            )
        at += dt.timedelta(minutes=1)
    return samples


def load(warehouse: Path, folder: Path, samples: list[dict]) -> None:
    """Write the samples as the sampler's month logs, then load them with `load_samples`."""
    months: dict[Path, list[str]] = defaultdict(list)
    for s in samples:
        months[log_path(folder, dt.datetime.fromisoformat(s["at"]))].append(json.dumps(s))
    for path, lines in months.items():
        write_text_atomic(path, "\n".join(lines) + "\n")
    with connect(warehouse) as con:
        load_samples(con, folder)


def review(warehouse: Path, iso: str, health: dict | None = None) -> dict:
    week = parse_iso_week(iso)
    with connect(warehouse, read_only=True) as con:
        data = read_week(con, week, IST, read_transactions_for(con, [week]))
    data.pop("unrecognized")
    if health is not None and data["power"] is not None:
        data["power"] = data["power"]._replace(health=health_in_week(health, week, IST))
    return build_review(ReviewInputs(**data, books=None, health=PipelineHealth()))


def local(at: dt.datetime) -> str:
    return at.astimezone(IST).strftime("%Y-%m-%d %H:%M")


def test_a_week_with_an_outage_and_a_gap(tmp_path: Path) -> None:
    warehouse, folder = tmp_path / "warehouse.duckdb", tmp_path / "power"
    sunday_end = MONDAY + dt.timedelta(days=7)
    load(warehouse, folder, plan(sunday_end))
    checked = {
        "checked_at": (MONDAY + dt.timedelta(days=4)).isoformat(),
        "health": {"condition": "Normal", "maximum_capacity_percent": 87.0, "cycle_count": 412},
    }
    power = review(warehouse, WEEK.iso, checked)["power"]

    # The outage running at Monday 00:00 is shown from its real start; the next week's is not.
    assert [o["start"] for o in power["outages"]] == [local(s) for s, _ in OUTAGES[:2]]
    assert [o["end"] for o in power["outages"]] == [
        local(s + dt.timedelta(minutes=n)) for s, n in OUTAGES[:2]
    ]
    assert [o["duration_minutes"] for o in power["outages"]] == [n for _, n in OUTAGES[:2]]
    assert [o["lowest_charge_percent"] for o in power["outages"]] == [
        FULL_CHARGE - DRAIN * (n - 1) for _, n in OUTAGES[:2]
    ]
    assert not any(o["ongoing"] for o in power["outages"])
    # The gap is a gap: not battery time, not an outage.
    gap_minutes = round((GAP[1] - GAP[0]).total_seconds() / 60) + 1
    assert power["gaps"] == [
        {
            "start": local(GAP[0] - dt.timedelta(minutes=1)),
            "end": local(GAP[1]),
            "duration_minutes": gap_minutes,
        }
    ]
    # In the week: the first outage's last hour, and all of the second.
    assert power["battery_minutes"] == 60 + OUTAGES[1][1]
    first_end = OUTAGES[0][0] + dt.timedelta(minutes=OUTAGES[0][1] - 1)
    assert power["lowest_charge"] == {
        "percent": FULL_CHARGE - DRAIN * (OUTAGES[0][1] - 1),
        "at": local(first_end),
    }
    assert power["health"]["maximum_capacity_percent"] == 87.0
    markdown = render_markdown(review(warehouse, WEEK.iso, checked))
    assert f"- outage from {local(OUTAGES[1][0])}, AC back" in markdown
    assert f"- gap {local(GAP[0] - dt.timedelta(minutes=1))} to {local(GAP[1])}" in markdown
    assert "- time on battery: 150 min" in markdown
    assert "battery health: condition Normal, maximum capacity 87.0%, cycles 412" in markdown
    html = render_html(review(warehouse, WEEK.iso, checked))
    assert (
        '<section id="power">' in html
        and "<polyline" in html
        and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    )

    # A late backfill, after the next week's samples (and a newer health check) arrived:
    # the same bytes.
    before = (markdown, html)
    load(warehouse, folder, plan(sunday_end + dt.timedelta(days=2)))
    later = {**checked, "checked_at": (sunday_end + dt.timedelta(days=1)).isoformat()}
    again = review(warehouse, WEEK.iso, checked)
    assert (render_markdown(again), render_html(again)) == before
    assert review(warehouse, WEEK.iso, later)["power"]["health"] is None


def test_a_week_without_samples_says_the_sampler_was_not_running(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    load(warehouse, tmp_path / "power", plan(MONDAY + dt.timedelta(days=7)))
    later = WEEK.shifted(2)
    power = review(warehouse, later.iso)["power"]
    assert power == {
        "title": "Power",
        "note": "no power samples from 10 to 16 Nov 2025: the sampler was not running",
    }
    assert power["note"] in render_markdown(review(warehouse, later.iso))


def test_no_power_table_means_not_configured(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with connect(warehouse) as con:
        con.execute("CREATE TABLE unrelated (x INTEGER)")
    assert review(warehouse, WEEK.iso)["power"] == {
        "title": "Power",
        "note": "power: not configured",
    }
