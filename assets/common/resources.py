"""Resources shared by several domains: the warehouse, where feeds go, the owner's timezone."""

from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import ConfigurableResource

from assets.common.atomic import DEFAULT_FEED_MODE


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file; open it with `assets.common.warehouse.connect`."""

    path: str

    @property
    def file(self) -> Path:
        return Path(self.path)


class Feeds(ConfigurableResource):
    """The folder the dashboard reads, and the timezone 'today' and 'this week' are counted in."""

    folder: str
    timezone: str = "Asia/Kolkata"
    # Mode of the feed files (settings' `[feeds] mode`); secrets files never take it.
    file_mode: int = DEFAULT_FEED_MODE

    def path(self, name: str) -> Path:
        return Path(self.folder) / name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
