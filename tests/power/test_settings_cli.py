"""`[power]` settings and `homeclerk power sample` as a script runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import SettingsError, load_settings

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[2]


def config(tmp_path: Path, power: str) -> Path:
    path = tmp_path / "homeclerk.toml"
    path.write_text(f"[power]\n{power}\n")
    return path


def test_power_settings_defaults_and_values(tmp_path: Path) -> None:
    default = load_settings(config(tmp_path, "")).power
    assert (default.source, str(default.sysfs_root)) == ("auto", "/sys/class/power_supply")
    assert (default.low_charge_percent, default.min_max_capacity_percent) == (20.0, 80.0)
    power = load_settings(
        config(tmp_path, 'source = "sysfs"\nsysfs_root = "fake"\nlow_charge_percent = 35')
    ).power
    assert (power.source, power.sysfs_root, power.low_charge_percent) == (
        "sysfs",
        tmp_path.resolve() / "fake",
        35.0,
    )


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('source = "battery"', "power.source"),
        ("low_charge_percent = -3", "power.low_charge_percent"),
        ('sysfs_rot = "x"', "power.sysfs_rot"),
    ],
)
def test_bad_power_settings_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(config(tmp_path, text))
    assert caught.value.key == key


def homeclerk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def test_power_sample_prints_one_json_line_from_pmset(tmp_path: Path) -> None:
    fixture = DATA / "pmset-battery-discharging.txt"
    config(tmp_path, f'source = "pmset"\npmset_command = ["cat", {json.dumps(str(fixture))}]')
    result = homeclerk("power", "sample", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    sample = json.loads(line)
    assert {k: sample[k] for k in ("source", "charge_percent", "state", "minutes_remaining")} == {
        "source": "battery",
        "charge_percent": 83.0,
        "state": "discharging",
        "minutes_remaining": 305,
    }
    assert sample["at"].endswith("+00:00") and sample["device"] == "InternalBattery-0"


def test_power_sample_from_sysfs_without_battery_and_when_unreadable(tmp_path: Path) -> None:
    (tmp_path / "sys" / "AC").mkdir(parents=True)
    (tmp_path / "sys" / "AC" / "type").write_text("Mains\n")
    config(tmp_path, 'source = "sysfs"\nsysfs_root = "sys"')
    result = homeclerk("power", "sample", cwd=tmp_path)
    assert result.returncode == 0 and json.loads(result.stdout)["note"] == "no battery"
    config(tmp_path, 'source = "sysfs"\nsysfs_root = "missing"')
    result = homeclerk("power", "sample", cwd=tmp_path)
    assert result.returncode == 1 and "sysfs_root" in result.stderr and result.stdout == ""
