"""`[messages] chat_db`: where the Messages database is (the banks to read are the parser's);
`[sources.android] inbox`: a folder of Android "SMS Backup & Restore" XML backups;
`[sources.webhook]`: the HTTP endpoint SMS-forwarder apps POST to (pipeline/service/webhook_server).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assets.common.settings_reader import Section, SettingsReader, SharedPaths
from assets.sms.webhook_spool import spool_folder

DEFAULT_CHAT_DB = "~/Library/Messages/chat.db"
DEFAULT_WEBHOOK_PORT = 5090
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class MessagesSettings:
    """`[messages] chat_db`: the macOS Messages database the bank SMS are read from."""

    chat_db: Path = field(default_factory=lambda: Path(DEFAULT_CHAT_DB).expanduser())
    # `[sources.android] inbox`: where Android SMS backups arrive; None reads none.
    android_inbox: Path | None = None
    # `[sources.webhook]`: the port the SMS webhook listens on; None (no such table): no webhook.
    webhook_port: int | None = None
    webhook_bind: str = LOOPBACK  # another address only behind a TLS reverse proxy
    webhook_rate: float = 20.0  # requests a second, on average …
    webhook_burst: int = 50  # … and at once, before 429
    webhook_spool: Path | None = None  # `<data_dir>/sms-spool` when the webhook is configured


def read_messages(reader: SettingsReader, shared: SharedPaths) -> MessagesSettings:
    """Read `[messages] chat_db` and `[sources.android] inbox` (relative to the config file's
    folder)."""
    chat_db = reader.path("messages.chat_db", DEFAULT_CHAT_DB, example=f'"{DEFAULT_CHAT_DB}"')
    inbox = (
        reader.path("sources.android.inbox", "", example='"~/SMSBackupRestore"')
        if reader.get("sources.android.inbox") is not None
        else None
    )
    # Every key is read (known) whether or not the table is there; the table turns it on.
    port = reader.port("sources.webhook.port", DEFAULT_WEBHOOK_PORT)
    bind = reader.string("sources.webhook.bind", LOOPBACK, example=f'"{LOOPBACK}"')
    rate = reader.number("sources.webhook.rate", 20.0, example="20")
    burst = reader.count("sources.webhook.burst", 50)
    if burst < 1:
        raise reader.error("sources.webhook.burst", "is 0: no request would ever pass", "50")
    sources = reader.raw.get("sources")
    if not isinstance(sources, dict) or sources.get("webhook") is None:
        return MessagesSettings(chat_db=chat_db, android_inbox=inbox)
    return MessagesSettings(
        chat_db=chat_db,
        android_inbox=inbox,
        webhook_port=port,
        webhook_bind=bind,
        webhook_rate=rate,
        webhook_burst=burst,
        webhook_spool=spool_folder(shared.data_dir),
    )


SECTION = Section("messages", read_messages)
