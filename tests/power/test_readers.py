"""The readers over every recorded pmset shape, fake sysfs trees, upower and health output."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assets.power.readers import (
    NO_BATTERY,
    PowerReadError,
    parse_pmset,
    parse_system_profiler,
    parse_upower,
    read_sysfs,
    sysfs_health,
)
from assets.power.source import read_sample

DATA = Path(__file__).parent / "data"
AT = dt.datetime(2027, 3, 4, 5, 6, 7, tzinfo=dt.UTC)


def pmset(name: str) -> str:
    return (DATA / f"pmset-{name}.txt").read_text("utf-8")


@pytest.mark.parametrize(
    ("name", "source", "charge", "state", "minutes", "device"),
    [
        ("ac-charged", "ac", 100.0, "charged", None, "InternalBattery-0"),
        ("battery-discharging", "battery", 83.0, "discharging", 305, "InternalBattery-0"),
        ("battery-no-estimate", "battery", 97.0, "discharging", None, "InternalBattery-0"),
        ("ac-charging", "ac", 64.0, "charging", None, "InternalBattery-0"),
        ("ac-finishing-charge", "ac", 98.0, "charging", None, "InternalBattery-0"),
        ("ac-not-charging", "ac", 80.0, "charged", None, "InternalBattery-0"),
        ("ups-discharging", "ups", 87.0, "discharging", None, "Back-UPS ES 700"),
    ],
)
def test_every_recorded_pmset_shape(name, source, charge, state, minutes, device) -> None:
    sample = parse_pmset(pmset(name), AT)
    assert (sample.source, sample.charge_percent, sample.state) == (source, charge, state)
    assert (sample.minutes_remaining, sample.device) == (minutes, device)
    assert sample.unparsed is None and sample.at == "2027-03-04T05:06:07+00:00"


def test_pmset_desktop_without_battery_is_no_battery_not_an_error() -> None:
    sample = parse_pmset(pmset("desktop-no-battery"), AT)
    assert (sample.source, sample.charge_percent, sample.note) == ("ac", None, NO_BATTERY)


def test_pmset_source_comes_from_line_one_not_the_word_charging() -> None:
    text = pmset("ac-charging").replace("'AC Power'", "'Battery Power'")
    assert parse_pmset(text, AT).source == "battery"


def test_pmset_internal_battery_and_ups_reports_the_one_drawn_from() -> None:
    ups_line = " -Back-UPS ES 700 (id=2)\t55%; discharging; (no estimate)\n"
    both = pmset("ac-charged").replace("'AC Power'", "'UPS Power'") + ups_line
    sample = parse_pmset(both, AT)
    assert (sample.source, sample.charge_percent, sample.device) == ("ups", 55.0, "Back-UPS ES 700")
    on_ac = parse_pmset(pmset("ac-charged") + ups_line, AT)
    assert (on_ac.source, on_ac.device) == ("ac", "InternalBattery-0")


@pytest.mark.parametrize(
    "text",
    [
        "Now drawing from 'Solar Power'\n",
        "Now drawing from 'AC Power'\n -InternalBattery-0 (id=1)\t80%; recalibrating; x\n",
        "Now drawing from 'AC Power'\n something new\n",
        "",
    ],
)
def test_pmset_output_not_understood_is_kept_raw_never_guessed(text: str) -> None:
    sample = parse_pmset(text, AT)
    assert sample.state == "unknown" and sample.charge_percent is None
    assert sample.unparsed == text
    assert sample.source != "battery"


def supply(root: Path, name: str, **files: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for key, value in files.items():
        (folder / key).write_text(value + "\n")
    return folder


def test_sysfs_battery_only_with_capacity(tmp_path: Path) -> None:
    supply(tmp_path, "BAT0", type="Battery", status="Discharging", capacity="41")
    sample = read_sysfs(tmp_path, AT)
    assert (sample.source, sample.charge_percent, sample.state) == ("battery", 41.0, "discharging")
    assert sample.device == "BAT0"


def test_sysfs_ups_and_mains(tmp_path: Path) -> None:
    supply(tmp_path, "ACAD", type="Mains", online="0")
    supply(tmp_path, "ups0", type="UPS", status="Discharging", capacity="76")
    sample = read_sysfs(tmp_path, AT)
    assert (sample.source, sample.charge_percent) == ("ups", 76.0)
    (tmp_path / "ACAD" / "online").write_text("1\n")
    (tmp_path / "ups0" / "status").write_text("Charging\n")
    assert read_sysfs(tmp_path, AT).source == "ac"


def test_sysfs_two_batteries_combine_by_energy(tmp_path: Path) -> None:
    supply(tmp_path, "AC", type="Mains", online="0")
    supply(
        tmp_path,
        "BAT0",
        type="Battery",
        status="Discharging",
        energy_now="10000000",
        energy_full="40000000",
        power_now="5000000",
    )
    supply(
        tmp_path,
        "BAT1",
        type="Battery",
        status="Unknown",
        energy_now="20000000",
        energy_full="20000000",
        power_now="0",
    )
    sample = read_sysfs(tmp_path, AT)
    assert sample.charge_percent == 50.0  # 30 of 60 Wh, not the mean of 25 % and 100 %
    assert sample.minutes_remaining == 360  # 30 Wh at 5 W
    assert (sample.device, sample.source) == ("BAT0+BAT1", "battery")


def test_sysfs_charge_units(tmp_path: Path) -> None:
    supply(
        tmp_path,
        "BAT1",
        type="Battery",
        status="Charging",
        charge_now="3000000",
        charge_full="4000000",
        current_now="1000000",
    )
    supply(tmp_path, "ADP1", type="Mains", online="1")
    sample = read_sysfs(tmp_path, AT)
    assert (sample.source, sample.charge_percent, sample.state) == ("ac", 75.0, "charging")
    assert sample.minutes_remaining is None  # charging: no time to empty


def test_sysfs_no_battery_and_missing_files(tmp_path: Path) -> None:
    supply(tmp_path, "AC", type="Mains", online="1")
    assert read_sysfs(tmp_path, AT).note == NO_BATTERY
    supply(tmp_path, "BAT0", type="Battery")  # no status, no capacity, no energy
    sample = read_sysfs(tmp_path, AT)
    assert (sample.source, sample.charge_percent, sample.state) == ("ac", None, "unknown")


def test_sysfs_unknown_status_is_kept_raw(tmp_path: Path) -> None:
    supply(tmp_path, "BAT0", type="Battery", status="Levitating", capacity="50")
    sample = read_sysfs(tmp_path, AT)
    assert sample.unparsed is not None and "Levitating" in sample.unparsed


def test_sysfs_missing_root_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(PowerReadError, match="sysfs_root"):
        read_sysfs(tmp_path / "nope", AT)


def test_sysfs_health_from_full_vs_design(tmp_path: Path) -> None:
    supply(
        tmp_path,
        "BAT0",
        type="Battery",
        cycle_count="300",
        charge_full="3400000",
        charge_full_design="4000000",
    )
    assert sysfs_health(tmp_path) == {
        "device": "BAT0",
        "cycle_count": 300,
        "condition": None,
        "maximum_capacity_percent": 85.0,
    }


UPOWER = """Device: /org/freedesktop/UPower/devices/line_power_AC
  native-path:          AC
  power supply:         yes
    online:             no

Device: /org/freedesktop/UPower/devices/battery_BAT0
  native-path:          BAT0
  power supply:         yes
  battery
    state:               discharging
    time to empty:       2.5 hours
    percentage:          61%

Daemon:
  daemon-version:  0.99.11
  on-battery:      yes
"""


def test_upower_fallback() -> None:
    sample = parse_upower(UPOWER, AT)
    assert (sample.source, sample.charge_percent, sample.state) == ("battery", 61.0, "discharging")
    assert (sample.minutes_remaining, sample.device) == (150, "BAT0")
    assert parse_upower("garbage", AT).unparsed == "garbage"


def test_system_profiler_health() -> None:
    text = (DATA / "system-profiler-power.json").read_text("utf-8")
    assert parse_system_profiler(text) == {
        "device": "InternalBattery-0",
        "cycle_count": 412,
        "condition": "Normal",
        "maximum_capacity_percent": 87.0,
    }
    assert parse_system_profiler('{"SPPowerDataType": [{}]}') is None
    with pytest.raises(ValueError, match="SPPowerDataType"):
        parse_system_profiler("not json")


def test_read_sample_runs_the_pmset_command(tmp_path: Path) -> None:
    command = ["cat", str(DATA / "pmset-battery-discharging.txt")]
    sample = read_sample("pmset", at=AT, pmset_command=command)
    assert (sample.source, sample.charge_percent) == ("battery", 83.0)
    with pytest.raises(PowerReadError, match="exited"):
        read_sample("pmset", at=AT, pmset_command=["cat", str(tmp_path / "missing")])
    with pytest.raises(PowerReadError, match="source"):
        read_sample("none", at=AT)
