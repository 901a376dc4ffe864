"""`[notify]` as the owner writes it: the channels it turns on, and one clear line per mistake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assets.notify.quiet import parse_quiet_hours, quiet_until
from pipeline.settings import SettingsError, load_settings

KOLKATA = ZoneInfo("Asia/Kolkata")


def settings_with(tmp_path: Path, notify: str):  # type: ignore[no-untyped-def]
    config = tmp_path / "homeclerk.toml"
    config.write_text(f"[notify]\n{notify}")
    return load_settings(config)


def test_no_notify_section_means_no_channel_and_the_state_under_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOMECLERK_CONFIG", raising=False)  # the folder's own (no) file, not one set
    settings = load_settings(cwd=tmp_path)
    assert settings.notify.channels == ()
    assert settings.notify.notify_state == tmp_path.resolve() / "data" / "notify" / "state.json"


def test_both_channels_with_email_from_defaulting_to_the_login(tmp_path: Path) -> None:
    notify = settings_with(
        tmp_path,
        'ntfy_url = "https://ntfy.example.net/home"\nsmtp_host = "smtp.example.com"\n'
        'smtp_user = "me@example.com"\nemail_to = ["me@example.com", "you@example.com"]\n'
        'quiet_hours = "22:30-06:45"\nremind_after_hours = 4\n',
    ).notify
    assert notify.channels == ("ntfy", "email")
    assert notify.email_from == "me@example.com"
    assert notify.email_to == ("me@example.com", "you@example.com")
    assert str(notify.quiet_hours) == "22:30-06:45" and notify.remind_after_hours == 4


@pytest.mark.parametrize(
    ("lines", "key", "words"),
    [
        ('ntfy_url = "ntfy.sh/topic"', "notify.ntfy_url", "not the topic's full http(s) URL"),
        ('ntfy_url = "https://ntfy.sh/"', "notify.ntfy_url", "not the topic's full http(s) URL"),
        ('smtp_host = "smtp.example.com"', "notify.email_to", "e-mail needs a recipient"),
        (
            'smtp_host = "smtp.example.com"\nsmtp_user = "me"\nemail_to = "a@example.com"',
            "notify.email_from",
            "not an address to send from",
        ),
        ('email_to = ["a@example.com", "not-an-address"]', "notify.email_to", "not an address"),
        ('quiet_hours = "10pm-7am"', "notify.quiet_hours", "not a window HH:MM-HH:MM"),
        ('quiet_hours = "22:00-24:00"', "notify.quiet_hours", "hours are 00-23"),
        ('quiet_hours = "07:00-07:00"', "notify.quiet_hours", "same minute"),
        ("remind_after_hours = 0", "notify.remind_after_hours", "not a positive finite number"),
        ("smtp_port = 70000", "notify.smtp_port", "not a TCP port"),
        ('ntfy_token = "abc"', "notify.ntfy_token", "is not a known setting"),
    ],
)
def test_each_mistake_is_one_line_naming_the_key_and_a_right_value(
    tmp_path: Path, lines: str, key: str, words: str
) -> None:
    with pytest.raises(SettingsError) as error:
        settings_with(tmp_path, lines + "\n")
    message = str(error.value)
    assert f"`{key}`" in message and words in message
    assert "\n" not in message


def test_a_secret_in_the_toml_is_refused_not_read(tmp_path: Path) -> None:
    # The token belongs in .env: a `ntfy_token` key is an unknown setting, so it is never used.
    with pytest.raises(SettingsError, match="ntfy_token"):
        settings_with(tmp_path, 'ntfy_url = "https://ntfy.sh/t"\nntfy_token = "tk_1"\n')


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ("2026-03-02 21:59", None),
        ("2026-03-02 22:00", "2026-03-03 07:00"),
        ("2026-03-03 00:30", "2026-03-03 07:00"),
        ("2026-03-03 06:59", "2026-03-03 07:00"),
        ("2026-03-03 07:00", None),
        ("2026-03-03 12:00", None),
    ],
)
def test_quiet_hours_across_midnight_in_the_owners_zone(local: str, until: str | None) -> None:
    quiet = parse_quiet_hours("22:00-07:00")
    now = dt.datetime.fromisoformat(local).replace(tzinfo=KOLKATA)
    expected = (
        dt.datetime.fromisoformat(until).replace(tzinfo=KOLKATA).astimezone(dt.UTC)
        if until
        else None
    )
    assert quiet_until(quiet, now, KOLKATA) == expected


def test_quiet_hours_within_one_day() -> None:
    quiet = parse_quiet_hours("13:00-15:30")
    at = dt.datetime(2026, 3, 2, 14, 0, tzinfo=KOLKATA)
    assert quiet_until(quiet, at, KOLKATA) == dt.datetime(2026, 3, 2, 15, 30, tzinfo=KOLKATA)
    assert quiet_until(quiet, at.replace(hour=15, minute=30), KOLKATA) is None
    assert quiet_until(quiet, at.replace(hour=12, minute=59), KOLKATA) is None
