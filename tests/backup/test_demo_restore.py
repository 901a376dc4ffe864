"""The demo backed up with `homeclerk backup` and restored with `homeclerk restore`: the same
warehouse rows, books that load cleanly with the same balances, the same asset history, and
`homeclerk materialize` working on the restored folder unchanged. Also the `backup` asset."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from assets.backup.snapshot import list_snapshots, verify_snapshot
from pipeline.cli import main
from pipeline.demo.run import run_demo
from pipeline.settings import CONFIG_ENV, load_settings

END = dt.date(2025, 12, 20)  # in the past on every date the suite runs on


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backup") / "demo"
    with pytest.MonkeyPatch.context() as mp:
        for name in (CONFIG_ENV, "DAGSTER_HOME", "KITE_API_KEY", "KITE_API_SECRET"):
            mp.delenv(name, raising=False)
        mp.setenv("HOME", str(folder.parent))
        run_demo(folder, seed=3, end=END, out=io.StringIO())
    return folder


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (CONFIG_ENV, "DAGSTER_HOME", "KITE_API_KEY", "KITE_API_SECRET"):
        monkeypatch.delenv(name, raising=False)


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"').fetchall())) for n in names}


def _balances(books: Path) -> dict[str, str]:
    from beancount import loader
    from beancount.core import data

    entries, errors, _ = loader.load_file(str(books / "main.beancount"))
    assert errors == [], errors
    totals: dict[str, dict[str, object]] = defaultdict(dict)
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for p in entry.postings:
                cur = totals[p.account].get(p.units.currency, 0)
                totals[p.account][p.units.currency] = cur + p.units.number
    return {acc: json.dumps(v, default=str, sort_keys=True) for acc, v in totals.items()}


def _history(dagster_home: Path) -> dict[str, int]:
    from dagster import AssetKey, DagsterInstance

    names = ["sms_messages", "transactions", "expenses_feed", "books", "portfolio_feed"]
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        out = {}
        for name in names:
            event = instance.get_latest_materialization_event(AssetKey(name))
            out[name] = int(event.timestamp) if event else 0
        out["runs"] = len(instance.get_run_records())
        return out


def test_backup_then_restore_gives_the_same_data_books_and_history(
    demo: Path, tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    config = demo / "homeclerk.toml"
    backups = tmp_path / "snaps"
    assert main(["--config", str(config), "backup", "--to", str(backups)]) == 0
    [snap] = list_snapshots(backups)
    assert snap.good and verify_snapshot(snap.path) == []
    out = tmp_path / "restored"
    assert main(["restore", str(snap.path), "--to", str(out)]) == 0
    assert "restored" in capsys.readouterr().out

    settings = load_settings(config)
    restored = load_settings(out / "homeclerk.toml")
    assert restored.data_dir == out / "data" and restored.books_dir == out / "ledger"
    original_tables = _tables(settings.warehouse)
    assert sum(len(rows) for rows in original_tables.values()) > 0
    assert _tables(restored.warehouse) == original_tables
    assert _balances(restored.books_dir) == _balances(settings.books_dir)
    history = _history(settings.dagster_home)
    assert history["sms_messages"] > 0 and history["runs"] > 0
    assert _history(restored.dagster_home) == history

    # The restored folder works unchanged: materialize on it, on its own instance.
    assert main(["--config", str(out / "homeclerk.toml"), "materialize", "sms_messages"]) == 0
    after = _history(restored.dagster_home)
    assert after["runs"] == history["runs"] + 1
    assert _history(settings.dagster_home) == history  # the original is untouched


def test_restore_of_a_corrupted_snapshot_fails_in_plain_words(
    demo: Path, tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    backups = tmp_path / "snaps"
    assert main(["--config", str(demo / "homeclerk.toml"), "backup", "--to", str(backups)]) == 0
    [snap] = list_snapshots(backups)
    [runs_db] = (snap.path / "data" / "dagster").rglob("runs.db")
    runs_db.write_bytes(runs_db.read_bytes()[:-1])
    rel = runs_db.relative_to(snap.path).as_posix()
    capsys.readouterr()
    assert main(["restore", str(snap.path), "--to", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{rel}: size" in err and "nothing restored" in err
    assert not (tmp_path / "out").exists()


def test_the_backup_asset_snapshots_prunes_and_reports_a_failed_remote(
    demo: Path, tmp_path: Path, clean_env: None
) -> None:
    from dagster import DagsterInstance

    from assets.backup.definitions import backup, backup_fresh
    from assets.backup.resources import BackupResource
    from pipeline.definitions import build_definitions

    settings = load_settings(demo / "homeclerk.toml")
    resources = build_definitions(settings).resources
    config = BackupResource(
        **{
            **resources["backup_config"].model_dump(),
            "backup_dir": str(tmp_path / "b"),
            "remote": str(tmp_path / "missing" / "x"),  # rsync cannot make two levels
        }
    )
    from dagster import materialize

    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [backup, backup_fresh],
            resources={**resources, "backup_config": config},
            instance=instance,
            run_config={
                "resources": {"clock": {"config": {"frozen_at": "2026-05-01T03:30:00+05:30"}}}
            },
        )
    assert result.success
    [mat] = result.get_asset_materialization_events()
    metadata = mat.materialization.metadata
    assert "failed" in metadata["remote"].value and "local snapshot" in metadata["remote"].value
    [snap] = list_snapshots(tmp_path / "b")
    assert snap.path.name == "20260430T220000Z"
    assert verify_snapshot(snap.path) == []
    [check] = result.get_asset_check_evaluations()
    assert check.passed


def _failed_run_in(dagster_home: Path) -> str:
    """A real failed run recorded in the instance at `dagster_home`; returns its id."""
    from dagster import DagsterInstance, asset, materialize

    @asset
    def restore_probe() -> None:
        raise RuntimeError("a run made in the original folder after the backup")

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        result = materialize([restore_probe], instance=instance, raise_on_error=False)
        assert not result.success
        return result.run_id


def test_doctor_on_a_restored_folder_reads_its_own_instance(
    demo: Path, tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    import yaml

    backups = tmp_path / "snaps"
    assert main(["--config", str(demo / "homeclerk.toml"), "backup", "--to", str(backups)]) == 0
    [snap] = list_snapshots(backups)
    out = tmp_path / "restored"
    assert main(["restore", str(snap.path), "--to", str(out)]) == 0
    restored = load_settings(out / "homeclerk.toml")
    # Before anything reads it, the instance's settings name only the restored folder.
    text = (restored.dagster_home / "dagster.yaml").read_text()
    assert str(demo) not in text
    base_dirs = [
        Path(section["config"]["base_dir"])
        for section in yaml.safe_load(text).values()
        if isinstance(section, dict) and "base_dir" in section.get("config", {})
    ]
    assert len(base_dirs) == 3
    assert all(d.is_relative_to(restored.dagster_home.resolve()) for d in base_dirs)

    # A run the original folder makes after the backup is the original's alone.
    run_id = _failed_run_in(load_settings(demo / "homeclerk.toml").dagster_home)
    capsys.readouterr()
    main(["--config", str(out / "homeclerk.toml"), "doctor", "--json"])
    findings = {f["check"]: f for f in json.loads(capsys.readouterr().out)}
    assert run_id[:8] not in json.dumps(findings)
    assert findings["failed runs (24 h)"]["detail"] == "none"
    main(["--config", str(demo / "homeclerk.toml"), "doctor", "--json"])
    findings = {f["check"]: f for f in json.loads(capsys.readouterr().out)}
    assert run_id[:8] in findings["failed runs (24 h)"]["detail"]
