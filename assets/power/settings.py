"""`[power]`: where power samples come from and when its checks warn."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assets.common.settings_reader import Section, SettingsReader, SharedPaths

SOURCES = ("auto", "pmset", "sysfs", "upower", "none")


@dataclass(frozen=True)
class PowerSettings:
    """`[power]`: the reader, its inputs and the warning levels of the power checks."""

    source: str = "auto"  # auto | pmset | sysfs | upower | none
    sysfs_root: Path = Path("/sys/class/power_supply")
    pmset_command: tuple[str, ...] = ("pmset", "-g", "batt")
    low_charge_percent: float = 20.0
    min_max_capacity_percent: float = 80.0


def read_power(reader: SettingsReader, shared: SharedPaths) -> PowerSettings:
    """Read `[power]`."""
    return PowerSettings(
        source=reader.choice("power.source", "auto", SOURCES),
        sysfs_root=reader.path(
            "power.sysfs_root", "/sys/class/power_supply", '"/sys/class/power_supply"'
        ),
        pmset_command=tuple(
            reader.string_list(
                "power.pmset_command", ["pmset", "-g", "batt"], '["pmset", "-g", "batt"]'
            )
        ),
        low_charge_percent=reader.number("power.low_charge_percent", 20.0, example="20"),
        min_max_capacity_percent=reader.number(
            "power.min_max_capacity_percent", 80.0, example="80"
        ),
    )


SECTION = Section("power", read_power)
