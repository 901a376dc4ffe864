"""Resources shared by several domains: where feeds go and the owner's timezone."""

from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import ConfigurableResource


class Feeds(ConfigurableResource):
    """The folder the dashboard reads, and the timezone 'today' and 'this week' are counted in."""

    folder: str
    timezone: str = "Asia/Kolkata"

    def path(self, name: str) -> Path:
        return Path(self.folder) / name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
