"""The resource the transactions asset takes: how to parse and categorize. Plain configuration;
the logic lives in the plain-function modules."""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource
from pydantic import Field

from assets.common.settings_reader import SharedSettings
from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone
from assets.transactions.links import DEFAULT_LINK_WINDOW_MINUTES


class ParsingConfig(HasTimezone, ConfigurableResource):
    """The owner's category rules ({pattern, category}), extra SMS formats, readable payees
    ({name, match}), timezone, `[sms] max_plausible_amount` (None: learned, see plausible.py),
    `[sms] link_window_minutes` (links.py), and `command`: how to run homeclerk on these
    settings (with their `--config`), for the commands a check prints."""

    category_rules: list[dict[str, Any]] = Field(default_factory=list)
    formats: list[dict[str, Any]] = Field(default_factory=list)
    payees: list[dict[str, Any]] = Field(default_factory=list)
    timezone: str = DEFAULT_TIMEZONE
    max_plausible_amount: float | None = None
    # [categories] auto_apply_confidence (None: learned categories are suggested, never filed)
    auto_apply_confidence: float | None = None
    # [sms] link_window_minutes: alerts of one payment arrive within it (links.py).
    link_window_minutes: float = DEFAULT_LINK_WINDOW_MINUTES
    command: str = "homeclerk"


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`parsing`: the parser's section, the timezone and the command checks print."""
    parsing = settings.section("parsing")
    return {
        "parsing": ParsingConfig(
            category_rules=[dict(r) for r in parsing.category_rules],
            formats=[dict(f) for f in parsing.sms_formats],
            payees=[dict(p) for p in parsing.payees],
            timezone=settings.timezone,
            max_plausible_amount=parsing.max_plausible_amount,
            auto_apply_confidence=parsing.auto_apply_confidence,
            link_window_minutes=parsing.link_window_minutes,
            command=settings.command,
        )
    }
