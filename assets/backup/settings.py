"""`[backup]`: where nightly snapshots go, how many are kept, the optional off-box copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assets.common.settings_reader import Section, SettingsReader, SharedPaths


@dataclass(frozen=True)
class BackupSettings:
    """`[backup]`: where nightly snapshots go, how many are kept, the optional off-box copy."""

    dir: Path = Path("backups")
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 12
    remote: str = ""  # an rsync destination (or restic repository); empty: no off-box copy
    remote_tool: str = "rsync"
    include_secrets: bool = False  # `.env` and the broker token stay out unless true


def read_backup(reader: SettingsReader, shared: SharedPaths) -> BackupSettings:
    """Read `[backup]`; the retention counts are whole numbers, 0 keeps none of that kind."""
    remote = reader.get("backup.remote")
    if remote is not None and not isinstance(remote, str):
        raise reader.error(
            "backup.remote", f"is {remote!r}, not a string", '"nas:/backups/homeclerk"'
        )
    return BackupSettings(
        dir=reader.path("backup.dir", "backups", example='"~/homeclerk-backups"'),
        keep_daily=reader.count("backup.keep_daily", 7),
        keep_weekly=reader.count("backup.keep_weekly", 4),
        keep_monthly=reader.count("backup.keep_monthly", 12),
        remote=(remote or "").strip(),
        remote_tool=reader.choice("backup.remote_tool", "rsync", ("rsync", "restic")),
        include_secrets=reader.boolean("backup.include_secrets", False),
    )


SECTION = Section("backup", read_backup)
