"""The resource the SMS assets take: where chat.db is and which senders are banks. Plain
configuration; the logic lives in the plain-function modules. The warehouse resource is shared:
`assets.common.resources.Warehouse`."""

from __future__ import annotations

from typing import Any

from dagster import ConfigurableResource

from assets.common.settings_reader import SharedSettings


class MessagesSource(ConfigurableResource):
    """The Messages database and the senders to read, as keys ("HDFCBK", "AMERICAN EXPRESS")."""

    chat_db: str
    bank_headers: list[str]
    android_inbox: str = ""  # `[sources.android] inbox`; empty: no Android backups are read
    webhook_spool: str = ""  # the webhook's spool folder; empty: no `[sources.webhook]`


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`messages`: chat.db from `[messages]`, the senders from the parser's section."""
    return {
        "messages": MessagesSource(
            chat_db=str(settings.section("messages").chat_db),
            bank_headers=list(settings.section("parsing").bank_senders),
            android_inbox=str(settings.section("messages").android_inbox or ""),
            webhook_spool=str(settings.section("messages").webhook_spool or ""),
        )
    }
