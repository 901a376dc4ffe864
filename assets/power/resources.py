"""The `power` resource: which reader, where the sample log lives, the check thresholds."""

import datetime as dt
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource
from pydantic import Field

from assets.common.settings_reader import SharedSettings

from .readers import Sample
from .source import (
    DEFAULT_HEALTH_COMMAND,
    DEFAULT_PMSET_COMMAND,
    DEFAULT_SYSFS_ROOT,
    DEFAULT_UPOWER_COMMAND,
    read_health,
    read_sample,
)


class PowerSource(ConfigurableResource):
    """`[power]` settings: the reader, its inputs, the log folder and the warning levels."""

    source: str = "auto"
    folder: str  # <data_dir>/power: the month logs and health.json
    sysfs_root: str = DEFAULT_SYSFS_ROOT
    pmset_command: list[str] = Field(default_factory=lambda: list(DEFAULT_PMSET_COMMAND))
    upower_command: list[str] = Field(default_factory=lambda: list(DEFAULT_UPOWER_COMMAND))
    health_command: list[str] = Field(default_factory=lambda: list(DEFAULT_HEALTH_COMMAND))
    low_charge_percent: float = 20.0
    min_max_capacity_percent: float = 80.0

    @property
    def log_folder(self) -> Path:
        """The folder of the append-only monthly sample logs."""
        return Path(self.folder)

    def sample(self, at: dt.datetime) -> Sample:
        """One reading now; PowerReadError when nothing can be read."""
        return read_sample(
            self.source,
            at=at,
            sysfs_root=Path(self.sysfs_root),
            pmset_command=self.pmset_command,
            upower_command=self.upower_command,
        )

    def health(self) -> dict | None:
        """Battery health from the reader (slow on macOS: once a day, through the cache)."""
        return read_health(
            self.source, sysfs_root=Path(self.sysfs_root), health_command=self.health_command
        )


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`power`: `[power]` and the sample log folder under the data folder."""
    power = settings.section("power")
    return {
        "power": PowerSource(
            source=power.source,
            folder=str(settings.data_dir / "power"),
            sysfs_root=str(power.sysfs_root),
            pmset_command=list(power.pmset_command),
            low_charge_percent=power.low_charge_percent,
            min_max_capacity_percent=power.min_max_capacity_percent,
        )
    }
