"""Resources shared by several domains: the warehouse, where feeds go, the owner's timezone,
the clock."""

import datetime as dt
from pathlib import Path

from dagster import ConfigurableResource

from assets.common.atomic import DEFAULT_FEED_MODE
from assets.common.clock import now_utc
from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file; open it with `assets.common.warehouse.connect`."""

    path: str

    @property
    def file(self) -> Path:
        """The warehouse file's path."""
        return Path(self.path)


class Feeds(HasTimezone, ConfigurableResource):
    """The folder the dashboard reads, and the timezone 'today' and 'this week' are counted in."""

    folder: str
    timezone: str = DEFAULT_TIMEZONE
    # Mode of the feed files (settings' `[feeds] mode`); secrets files never take it.
    file_mode: int = DEFAULT_FEED_MODE

    def path(self, name: str) -> Path:
        """The path of the feed file `name` in the feeds folder."""
        return Path(self.folder) / name


class Clock(ConfigurableResource):
    """Where every asset and check reads "now": the real time, or `frozen_at` (an ISO 8601
    instant with its offset) when a run must see a fixed moment (the demo, tests)."""

    frozen_at: str | None = None

    def now(self) -> dt.datetime:
        """The current instant (aware, UTC)."""
        return now_utc(self.frozen_at)
