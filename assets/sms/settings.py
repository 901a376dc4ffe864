"""`[messages] chat_db`: where the Messages database is (the banks to read are the parser's);
`[sources.android] inbox`: a folder of Android "SMS Backup & Restore" XML backups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assets.common.settings_reader import Section, SettingsReader, SharedPaths

DEFAULT_CHAT_DB = "~/Library/Messages/chat.db"


@dataclass(frozen=True)
class MessagesSettings:
    """`[messages] chat_db`: the macOS Messages database the bank SMS are read from."""

    chat_db: Path = field(default_factory=lambda: Path(DEFAULT_CHAT_DB).expanduser())
    # `[sources.android] inbox`: where Android SMS backups arrive; None reads none.
    android_inbox: Path | None = None


def read_messages(reader: SettingsReader, shared: SharedPaths) -> MessagesSettings:
    """Read `[messages] chat_db` and `[sources.android] inbox` (relative to the config file's
    folder)."""
    chat_db = reader.path("messages.chat_db", DEFAULT_CHAT_DB, example=f'"{DEFAULT_CHAT_DB}"')
    inbox = (
        reader.path("sources.android.inbox", "", example='"~/SMSBackupRestore"')
        if reader.get("sources.android.inbox") is not None
        else None
    )
    return MessagesSettings(chat_db=chat_db, android_inbox=inbox)


SECTION = Section("messages", read_messages)
