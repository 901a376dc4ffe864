"""The resource the SMS assets take: where chat.db is and which senders are banks. Plain
configuration; the logic lives in the plain-function modules. The warehouse resource is shared:
`assets.common.resources.Warehouse`."""

from __future__ import annotations

from dagster import ConfigurableResource


class MessagesSource(ConfigurableResource):
    """The Messages database and the bank senders (DLT headers such as "HDFCBK") to read."""

    chat_db: str
    bank_headers: list[str]
