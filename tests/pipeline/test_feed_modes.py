"""Feed file modes (a setting; dashboards can read them by default) and secrets-file warnings."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterInstance

from assets.portfolio.feed import feed_path, marker_path, write_feed, write_marker
from pipeline.definitions import build_definitions
from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.messages import generate_demo_messages
from pipeline.service.instance import prepare_instance
from pipeline.settings import (
    SettingsError,
    exposed_secret_files,
    load_settings,
    warn_exposed_secrets,
)

REPO = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "homeclerk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_feeds_mode_defaults_to_readable_by_others_and_is_a_setting(tmp_path: Path) -> None:
    assert load_settings(_config(tmp_path, "")).feeds_mode == 0o644
    assert load_settings(_config(tmp_path, '[feeds]\nmode = "0600"\n')).feeds_mode == 0o600
    assert load_settings(_config(tmp_path, '[feeds]\nmode = "640"\n')).feeds_mode == 0o640


@pytest.mark.parametrize("value", ['"0666"', '"0400"', '"rw-r--r--"', "644", '"0999"'])
def test_a_bad_feeds_mode_names_the_key_and_a_right_value(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(_config(tmp_path, f"[feeds]\nmode = {value}\n"))
    assert "`feeds.mode`" in str(caught.value)
    assert '"0644"' in str(caught.value)


def test_the_bank_sms_job_writes_the_expenses_feed_with_the_configured_mode(
    tmp_path: Path,
) -> None:
    messages = generate_demo_messages(dt.date(2026, 3, 10), seed=3, days=10)
    write_chat_db(tmp_path / "chat.db", messages, seed=3)
    config = write_demo_config(tmp_path, "http://127.0.0.1:9/none")
    with config.open("a", encoding="utf-8") as handle:
        handle.write('\n[feeds]\nmode = "0640"\n')
    settings = load_settings(config)
    with DagsterInstance.from_config(str(prepare_instance(settings))) as instance:
        job = build_definitions(settings).resolve_job_def("bank_sms_job")
        assert job.execute_in_process(instance=instance, raise_on_error=False).success
    assert _mode(settings.feeds_dir / "expenses.json") == 0o640


def test_portfolio_feed_and_marker_take_the_mode_given(tmp_path: Path) -> None:
    write_feed(tmp_path, {"schema": "x"}, mode=0o640)
    write_marker(tmp_path, "ok", "fine", dt.datetime(2026, 1, 5, tzinfo=dt.UTC), mode=0o644)
    assert _mode(feed_path(tmp_path)) == 0o640
    assert _mode(marker_path(tmp_path)) == 0o644


def _with_secrets(tmp_path: Path, env_mode: int, token_mode: int | None) -> Path:
    config = _config(tmp_path, '[broker]\ntoken_file = "secrets/kite-token.json"\n')
    env = tmp_path / ".env"
    env.write_text("KITE_API_KEY=k\n", encoding="utf-8")
    os.chmod(env, env_mode)
    if token_mode is not None:
        token = tmp_path / "secrets" / "kite-token.json"
        token.parent.mkdir()
        token.write_text("{}", encoding="utf-8")
        os.chmod(token, token_mode)
    return config


def test_exposed_secret_files_lists_each_file_others_can_read(tmp_path: Path) -> None:
    settings = load_settings(_with_secrets(tmp_path, 0o644, 0o640))
    exposed = dict(exposed_secret_files(settings))
    assert exposed == {tmp_path / ".env": 0o644, tmp_path / "secrets" / "kite-token.json": 0o640}


def test_private_secret_files_give_no_warning(tmp_path: Path, capsys) -> None:
    settings = load_settings(_with_secrets(tmp_path, 0o600, 0o600))
    assert warn_exposed_secrets(settings) == 0
    assert capsys.readouterr().err == ""


def test_every_command_start_warns_when_env_is_readable_by_others(tmp_path: Path) -> None:
    config = _with_secrets(tmp_path, 0o644, None)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "KITE_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "sms", "parse", "--config", str(config)],
        input="",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    env_file = tmp_path / ".env"
    assert f"{env_file} holds secrets but has mode 0644" in result.stderr
    assert f"chmod 600 {env_file}" in result.stderr
    assert "KITE_API_KEY=k" not in result.stderr + result.stdout
