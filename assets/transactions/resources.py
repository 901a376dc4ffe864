"""The resource the transactions asset takes: how to parse and categorize. Plain configuration;
the logic lives in the plain-function modules."""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource
from pydantic import Field

from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone


class ParsingConfig(HasTimezone, ConfigurableResource):
    """The owner's category rules ({pattern, category}), extra SMS formats, readable payees
    ({name, match}), timezone, `[sms] max_plausible_amount` (None: learned, see plausible.py),
    and `command`: how to run homeclerk on these settings (with their `--config`), for the
    commands a check prints."""

    category_rules: list[dict[str, Any]] = Field(default_factory=list)
    formats: list[dict[str, Any]] = Field(default_factory=list)
    payees: list[dict[str, Any]] = Field(default_factory=list)
    timezone: str = DEFAULT_TIMEZONE
    max_plausible_amount: float | None = None
    command: str = "homeclerk"
