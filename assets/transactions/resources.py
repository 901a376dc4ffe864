"""The resource the transactions asset takes: how to parse and categorize. Plain configuration;
the logic lives in the plain-function modules."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from dagster import ConfigurableResource
from pydantic import Field


class ParsingConfig(ConfigurableResource):
    """The owner's category rules ({pattern, category}), extra SMS formats and timezone."""

    category_rules: list[dict[str, Any]] = Field(default_factory=list)
    formats: list[dict[str, Any]] = Field(default_factory=list)
    timezone: str = "Asia/Kolkata"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
