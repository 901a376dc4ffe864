"""Resources the SMS and transaction assets take: where chat.db is and how to parse. Plain
configuration; the logic lives in the plain-function modules. The warehouse resource is shared:
`assets.common.resources.Warehouse`."""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource
from pydantic import Field

from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone


class MessagesSource(ConfigurableResource):
    """The Messages database and the bank senders (DLT headers such as "HDFCBK") to read."""

    chat_db: str
    bank_headers: list[str]


class ParsingConfig(HasTimezone, ConfigurableResource):
    """The owner's category rules ({pattern, category}), extra SMS formats and timezone."""

    category_rules: list[dict[str, Any]] = Field(default_factory=list)
    formats: list[dict[str, Any]] = Field(default_factory=list)
    timezone: str = DEFAULT_TIMEZONE
