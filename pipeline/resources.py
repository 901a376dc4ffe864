"""Resource wiring: settings in, the resources each domain's assets take out."""

from __future__ import annotations

from typing import Any

from assets.common.resources import Feeds
from assets.sms.resources import MessagesSource, ParsingConfig, Warehouse

from .settings import Settings


def build_resources(settings: Settings) -> dict[str, Any]:
    return {
        "warehouse": Warehouse(path=str(settings.warehouse)),
        "messages": MessagesSource(
            chat_db=str(settings.chat_db), bank_headers=list(settings.bank_senders)
        ),
        "parsing": ParsingConfig(
            category_rules=[dict(r) for r in settings.category_rules],
            formats=[dict(f) for f in settings.sms_formats],
            timezone=settings.timezone,
        ),
        "feeds": Feeds(folder=str(settings.feeds_dir), timezone=settings.timezone),
    }
