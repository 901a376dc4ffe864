"""`homeclerk notify test` as a script runs it, against real local receivers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import load_settings
from tests.notify.receivers import http_receiver, smtp_receiver
from tests.support import free_port

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

TOKEN = "tk_cli_secret_5521"
PASSWORD = "pw_cli_secret_8843"


def homeclerk(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env = {k: v for k, v in env.items() if k not in ("NTFY_TOKEN", "SMTP_PASSWORD")}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def write_config(folder: Path, notify: str) -> Path:
    config = folder / "homeclerk.toml"
    config.write_text(f'[paths]\ndata_dir = "data"\n[notify]\n{notify}')
    env = folder / ".env"
    env.write_text(f"NTFY_TOKEN={TOKEN}\nSMTP_PASSWORD={PASSWORD}\n")
    env.chmod(0o600)
    return config


def test_every_channel_delivered_exits_0(tmp_path: Path) -> None:
    with http_receiver("owner-topic") as topic, smtp_receiver(password=PASSWORD) as smtp:
        config = write_config(
            tmp_path,
            f'ntfy_url = "{topic.url}"\nsmtp_host = "127.0.0.1"\nsmtp_port = {smtp.port}\n'
            'smtp_user = "owner@example.com"\nsmtp_starttls = false\n'
            'email_to = ["owner@example.com", "partner@example.com"]\n',
        )
        result = homeclerk("--config", str(config), "notify", "test", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"ntfy: delivered to {topic.url}",
        "email: delivered to owner@example.com, partner@example.com",
    ]
    assert topic.posts[0].headers["Title"] == "homeclerk: test message"
    assert topic.posts[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert smtp.logins == [("owner@example.com", PASSWORD)]
    assert smtp.envelopes == [("owner@example.com", ["owner@example.com", "partner@example.com"])]
    assert TOKEN not in result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_each_failed_channel_is_one_line_with_why_and_exit_1(tmp_path: Path) -> None:
    closed = free_port()  # nothing listens there
    with http_receiver() as topic:
        topic.refuse = 1
        config = write_config(
            tmp_path,
            f'ntfy_url = "{topic.url}"\nsmtp_host = "127.0.0.1"\nsmtp_port = {closed}\n'
            'smtp_starttls = false\nemail_from = "clerk@example.com"\n'
            'email_to = "owner@example.com"\n',
        )
        result = homeclerk("notify", "test", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("ntfy: FAILED: ") and "HTTP 503" in lines[0]
    assert lines[1].startswith(f"email: FAILED: SMTP 127.0.0.1:{closed}: ")
    assert "refused" in lines[1].lower()
    assert TOKEN not in result.stdout + result.stderr


def test_one_failed_channel_among_two_still_exits_1(tmp_path: Path) -> None:
    closed = free_port()
    with http_receiver() as topic:
        config = write_config(
            tmp_path,
            f'ntfy_url = "{topic.url}"\nsmtp_host = "127.0.0.1"\nsmtp_port = {closed}\n'
            'smtp_starttls = false\nemail_from = "c@example.com"\nemail_to = "o@example.com"\n',
        )
        result = homeclerk("notify", "test", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"ntfy: delivered to {topic.url}"]
    assert [line.split(":")[0] for line in result.stderr.splitlines()] == ["email"]


def _pasted(fix: str) -> tuple[str, list[str]]:
    """The file the fix names and the TOML lines it shows (after the line ending in a colon)."""
    head, _, rest = fix.partition(":\n")
    lines = rest.splitlines()
    toml = [line for line in lines[: lines.index(next(x for x in lines if x.startswith("then")))]]
    where = re.search(r"(/\S+homeclerk\.toml)", head)
    assert where is not None, head
    return where.group(1), toml


@pytest.mark.parametrize("existing", ["", "[notify]\nremind_after_hours = 6\n", "[power]\n"])
def test_no_channel_prints_toml_that_pasted_as_is_configures_one(
    tmp_path: Path, existing: str
) -> None:
    config = tmp_path / "homeclerk.toml"
    if existing:
        config.write_text(existing)
    args = ("--config", str(config)) if existing else ()
    result = homeclerk(*args, "notify", "test", cwd=tmp_path)
    assert result.returncode == 1
    assert "no notification channel is configured" in result.stderr
    where, toml = _pasted(result.stderr)
    assert Path(where) == config.resolve()
    if "under [notify], put" in result.stderr:
        text = config.read_text().replace("[notify]\n", "[notify]\n" + "\n".join(toml) + "\n")
    else:
        text = (config.read_text() if config.exists() else "") + "\n".join(toml) + "\n"
    config.write_text(text)
    settings = load_settings(config)
    assert settings.notify.channels == ("ntfy",)
    assert re.fullmatch(r"https://ntfy\.sh/homeclerk-[0-9a-f]{16}", settings.notify.ntfy_url)
    # Run again with a topic the tests can receive: the "not configured" message is gone.
    with http_receiver() as topic:
        config.write_text(text.replace(settings.notify.ntfy_url, topic.url))
        again = homeclerk(*args, "notify", "test", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "no notification channel" not in again.stderr
    assert len(topic.posts) == 1
