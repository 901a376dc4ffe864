"""The `notifier` resource: `[notify]` plus the two secrets, which arrive as Dagster `EnvVar`s
(`NTFY_TOKEN`, `SMTP_PASSWORD` from `.env`) and are read only when a message is sent."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dagster import ConfigurableResource, EnvVar
from pydantic import Field

from assets.common.settings_reader import SharedSettings
from assets.common.timezone import DEFAULT_TIMEZONE, HasTimezone
from assets.notify.channels import Channel, SmtpServer, configured_channels
from assets.notify.incidents import State, deliver, remind
from assets.notify.quiet import QuietHours, parse_quiet_hours
from assets.notify.store import changing_state

NTFY_TOKEN = "NTFY_TOKEN"
SMTP_PASSWORD = "SMTP_PASSWORD"


class Notifier(HasTimezone, ConfigurableResource):
    """Where messages go and when; `state_file` keeps incidents and the outbox across restarts."""

    state_file: str
    ntfy_url: str = ""
    ntfy_token: str = ""  # EnvVar(NTFY_TOKEN) when .env has it
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""  # EnvVar(SMTP_PASSWORD) when .env has it
    smtp_starttls: bool = True
    email_from: str = ""
    email_to: list[str] = Field(default_factory=list)
    remind_after_hours: float = 12.0
    quiet_hours: str = ""
    restarts_per_hour: int = 5
    timezone: str = DEFAULT_TIMEZONE
    # Where a message's link points: the Dagster UI (a failed run) and the feed server (the
    # review), as `homeclerk serve` runs them on this machine.
    ui_url: str = ""
    feeds_url: str = ""

    def channels(self) -> list[Channel]:
        """The configured channels, with their secrets read from the environment now."""
        smtp = SmtpServer(self.smtp_host, self.smtp_port, self.smtp_user, self.smtp_starttls)
        return configured_channels(
            self.ntfy_url,
            _secret(self.ntfy_token),
            smtp if self.smtp_host else None,
            _secret(self.smtp_password),
            self.email_from,
            self.email_to,
        )

    @property
    def quiet(self) -> QuietHours | None:
        """The quiet window, if any."""
        return parse_quiet_hours(self.quiet_hours) if self.quiet_hours else None

    def change(
        self,
        update: Callable[[State], list[str]],
        now: dt.datetime,
        log: Callable[[str], None] = lambda line: None,
    ) -> list[str]:
        """Apply `update` to the state (opening or clearing incidents), queue the reminders due,
        then deliver what can go now. Returns `update`'s lines; delivery failures are logged
        and retried later, never raised."""
        with changing_state(Path(self.state_file), log) as state:
            lines = update(state)
            remind(state, now, dt.timedelta(hours=self.remind_after_hours))
            deliver(state, self.channels(), now, self.quiet, self.tz, log)
        return lines


def _secret(value: Any) -> str:
    # Held by a sensor rather than resolved by a run, the field still holds the EnvVar itself.
    if isinstance(value, EnvVar):
        return value.get_value() or ""
    return value or ""


def resources_from_settings(settings: SharedSettings) -> dict[str, Any]:
    """`notifier`: `[notify]` with the secrets as EnvVars (left empty when `.env` lacks them,
    so a run never fails on a notification setting)."""
    notify = settings.section("notify")
    return {
        "notifier": Notifier(
            state_file=str(notify.notify_state),
            ntfy_url=notify.ntfy_url,
            ntfy_token=_env(NTFY_TOKEN),
            smtp_host=notify.smtp_host,
            smtp_port=notify.smtp_port,
            smtp_user=notify.smtp_user,
            smtp_password=_env(SMTP_PASSWORD),
            smtp_starttls=notify.smtp_starttls,
            email_from=notify.email_from,
            email_to=list(notify.email_to),
            remind_after_hours=notify.remind_after_hours,
            quiet_hours=str(notify.quiet_hours) if notify.quiet_hours else "",
            restarts_per_hour=notify.restarts_per_hour,
            timezone=settings.timezone,
            **_urls(settings),
        )
    }


def _urls(settings: SharedSettings) -> dict[str, str]:
    service = getattr(settings, "service", None)
    if service is None:
        return {}
    return {
        "ui_url": f"http://127.0.0.1:{service.ui_port}",
        "feeds_url": f"http://127.0.0.1:{service.feeds_port}",
    }


def _env(name: str) -> Any:
    return EnvVar(name) if os.environ.get(name) else ""
