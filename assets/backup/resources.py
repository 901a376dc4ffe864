"""The `backup` resource: where snapshots go, what they include, how many are kept, the remote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dagster import ConfigurableResource

from assets.backup.retention import Retention
from assets.backup.snapshot import BackupSources
from assets.common.settings_reader import SharedSettings
from assets.common.timezone import DEFAULT_TIMEZONE


class BackupResource(ConfigurableResource):
    """Settings' `[backup]` table plus the paths to back up (no secret values, only paths)."""

    backup_dir: str
    data_dir: str
    books_dir: str
    config_file: str | None = None
    env_file: str | None = None
    token_file: str | None = None
    include_secrets: bool = False
    keep_daily: int = 7
    keep_weekly: int = 4
    keep_monthly: int = 12
    remote: str = ""
    remote_tool: str = "rsync"
    timezone: str = DEFAULT_TIMEZONE

    def sources(self) -> BackupSources:
        """The folders and files a snapshot takes."""

        def opt(value: str | None) -> Path | None:
            return Path(value) if value else None

        return BackupSources(
            data_dir=Path(self.data_dir),
            books_dir=Path(self.books_dir),
            config_file=opt(self.config_file),
            env_file=opt(self.env_file),
            token_file=opt(self.token_file),
            include_secrets=self.include_secrets,
        )

    def retention(self) -> Retention:
        """How many daily, weekly and monthly snapshots to keep."""
        return Retention(self.keep_daily, self.keep_weekly, self.keep_monthly)


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`backup_config`: paths only; the secrets files are named so they can be left out (or
    in), never read here."""
    backup = settings.section("backup")
    return {
        "backup_config": BackupResource(
            backup_dir=str(backup.dir),
            data_dir=str(settings.data_dir),
            books_dir=str(settings.books_dir),
            config_file=str(settings.config_file) if settings.config_file else None,
            env_file=str(settings.env_file) if settings.env_file else None,
            token_file=str(settings.section("broker").token_file),
            include_secrets=backup.include_secrets,
            keep_daily=backup.keep_daily,
            keep_weekly=backup.keep_weekly,
            keep_monthly=backup.keep_monthly,
            remote=backup.remote,
            remote_tool=backup.remote_tool,
            timezone=settings.timezone,
        )
    }
