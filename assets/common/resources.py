"""Resources shared by several domains: the warehouse, where feeds go, the owner's timezone."""

from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import ConfigurableResource


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

    def path(self, name: str) -> Path:
        return Path(self.folder) / name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
