"""`[notify]`: where a nudge goes when something is wrong (ntfy, e-mail), and when it may go.

Secrets are not here: the ntfy token and the SMTP password come from `.env` (`NTFY_TOKEN`,
`SMTP_PASSWORD`) through Dagster `EnvVar`s in the resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assets.common.settings_reader import Section, SettingsReader, SharedPaths
from assets.notify.quiet import QuietHours, parse_quiet_hours

NTFY_EXAMPLE = '"https://ntfy.sh/homeclerk-7f3a9c"'
EMAIL_EXAMPLE = '"owner@example.com"'
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True)
class NotifySettings:
    """`[notify]`: the channels, the reminder delay, the quiet hours and the restart limit."""

    ntfy_url: str = ""  # the topic's full URL; empty: no ntfy
    smtp_host: str = ""  # empty: no e-mail
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_starttls: bool = True
    email_from: str = ""
    email_to: tuple[str, ...] = ()
    remind_after_hours: float = 12.0
    quiet_hours: QuietHours | None = None  # "22:00-07:00" in the owner's time zone
    # The service restarting one child more than this many times in an hour is an incident.
    restarts_per_hour: int = 5
    # One message per incident across restarts: what was sent, what waits (and why).
    notify_state: Path = Path("data/notify/state.json")

    @property
    def channels(self) -> tuple[str, ...]:
        """The configured channels' names ("ntfy", "email"), in the order they are tried."""
        return tuple(
            name
            for name, on in (("ntfy", bool(self.ntfy_url)), ("email", bool(self.smtp_host)))
            if on
        )


def read_notify(reader: SettingsReader, shared: SharedPaths) -> NotifySettings:
    """Read `[notify]`; e-mail needs `email_to` (and a sender) once `smtp_host` is set."""
    ntfy_url = _optional_string(reader, "notify.ntfy_url", NTFY_EXAMPLE)
    if ntfy_url and not re.match(r"^https?://[^/\s]+/\S+$", ntfy_url):
        raise reader.error(
            "notify.ntfy_url",
            f"is {ntfy_url!r}, not the topic's full http(s) URL",
            NTFY_EXAMPLE,
        )
    smtp_host = _optional_string(reader, "notify.smtp_host", '"smtp.fastmail.com"')
    smtp_user = _optional_string(reader, "notify.smtp_user", '"owner@example.com"')
    email_from = _optional_string(reader, "notify.email_from", EMAIL_EXAMPLE)
    email_to = _addresses(reader)
    if email_from and not _EMAIL.match(email_from):
        raise reader.error("notify.email_from", f"is {email_from!r}, not an address", EMAIL_EXAMPLE)
    if smtp_host:
        if not email_to:
            raise reader.error(
                "notify.email_to",
                "is missing: `smtp_host` is set, so e-mail needs a recipient",
                EMAIL_EXAMPLE,
            )
        if not email_from and not _EMAIL.match(smtp_user):
            raise reader.error(
                "notify.email_from",
                "is missing: `smtp_user` is not an address to send from",
                EMAIL_EXAMPLE,
            )
    quiet_text = _optional_string(reader, "notify.quiet_hours", '"22:00-07:00"')
    try:
        quiet = parse_quiet_hours(quiet_text) if quiet_text else None
    except ValueError as exc:
        raise reader.error("notify.quiet_hours", str(exc), '"22:00-07:00"') from None
    return NotifySettings(
        ntfy_url=ntfy_url,
        smtp_host=smtp_host,
        smtp_port=reader.port("notify.smtp_port", 587),
        smtp_user=smtp_user,
        smtp_starttls=reader.boolean("notify.smtp_starttls", True),
        email_from=email_from or (smtp_user if smtp_host else ""),
        email_to=email_to,
        remind_after_hours=reader.number("notify.remind_after_hours", 12.0, example="12"),
        quiet_hours=quiet,
        restarts_per_hour=reader.count("notify.restarts_per_hour", 5),
        notify_state=reader.path(
            "notify.state_file",
            str(shared.data_dir / "notify" / "state.json"),
            example='"~/homeclerk-data/notify/state.json"',
        ),
    )


def _optional_string(reader: SettingsReader, key: str, example: str) -> str:
    """A string that may be empty (empty: the feature is off)."""
    value = reader.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise reader.error(key, f"is {value!r}, not a string", example)
    return value.strip()


def _addresses(reader: SettingsReader) -> tuple[str, ...]:
    """`email_to`: one address, or a list of them."""
    value = reader.get("notify.email_to")
    if value is None or value == "":
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(v, str) and _EMAIL.match(v.strip()) for v in items
    ):
        raise reader.error(
            "notify.email_to",
            f"is {value!r}, not an address or a list of addresses",
            EMAIL_EXAMPLE,
        )
    return tuple(v.strip() for v in items)


SECTION = Section("notify", read_notify)
