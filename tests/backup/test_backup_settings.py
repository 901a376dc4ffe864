"""`[backup]` settings, and `homeclerk doctor`'s backup line read from the backup folder."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from assets.backup.snapshot import snapshot_name
from pipeline.doctor import run_checks
from pipeline.settings import SettingsError, load_settings

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_backup_defaults_and_values(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text("")
    default = load_settings(config).backup
    assert (default.dir, default.keep_daily, default.keep_weekly, default.keep_monthly) == (
        tmp_path / "backups",
        7,
        4,
        12,
    )
    assert default.remote == "" and not default.include_secrets
    config.write_text(
        '[backup]\ndir = "snaps"\nkeep_daily = 3\nremote = "nas:/b"\nremote_tool = "restic"\n'
        "include_secrets = true\n"
    )
    backup = load_settings(config).backup
    assert backup.dir == tmp_path / "snaps" and backup.keep_daily == 3
    assert (backup.remote, backup.remote_tool, backup.include_secrets) == ("nas:/b", "restic", True)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("keep_daily = -1", "backup.keep_daily"),
        ('keep_weekly = "4"', "backup.keep_weekly"),
        ('remote_tool = "scp"', "backup.remote_tool"),
        ("remote = 3", "backup.remote"),
        ("keep_dayly = 3", "backup.keep_dayly"),
    ],
)
def test_bad_backup_settings_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text(f"[backup]\n{text}\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(config)
    assert caught.value.key == key


def test_doctor_warns_without_a_recent_snapshot(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text('[backup]\ndir = "snaps"\n')
    settings = load_settings(config)
    [finding] = [f for f in run_checks(settings, now=NOW) if f.check == "backup snapshot"]
    assert not finding.ok and finding.warning and "no good snapshot" in finding.detail
    snap = tmp_path / "snaps" / snapshot_name(NOW - dt.timedelta(hours=2))
    snap.mkdir(parents=True)
    (snap / "manifest.json").write_text(json.dumps({"format": 1, "files": []}))
    [finding] = [f for f in run_checks(settings, now=NOW) if f.check == "backup snapshot"]
    assert finding.ok and "2.0 h old" in finding.detail


def test_doctor_warns_when_the_newest_folder_is_bad_and_the_good_one_old(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text('[backup]\ndir = "snaps"\n')
    settings = load_settings(config)
    good = tmp_path / "snaps" / snapshot_name(NOW - dt.timedelta(days=3))
    good.mkdir(parents=True)
    (good / "manifest.json").write_text(json.dumps({"format": 1, "files": []}))
    (tmp_path / "snaps" / snapshot_name(NOW - dt.timedelta(minutes=5))).mkdir()  # no manifest
    [finding] = [f for f in run_checks(settings, now=NOW) if f.check == "backup snapshot"]
    assert not finding.ok and finding.warning
    assert f"newest good snapshot {good.name} is 72 h old" in finding.detail
    assert finding.fix == "run `homeclerk backup`"
