"""The owner's time zone: its default, and the one `tz` property every settings holder shares."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

# The default owner's zone (homeclerk reads Indian bank SMS); `timezone` in homeclerk.toml wins.
DEFAULT_TIMEZONE = "Asia/Kolkata"


class HasTimezone:
    """Mixin for a resource or settings object with a `timezone` field (an IANA name)."""

    if TYPE_CHECKING:
        timezone: str

    @property
    def tz(self) -> ZoneInfo:
        """The `timezone` field as a ZoneInfo."""
        return ZoneInfo(self.timezone)
