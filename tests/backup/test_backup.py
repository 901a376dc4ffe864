"""Snapshots that restore: a consistent warehouse under a writer, the instance's SQLite files,
the manifest catching corruption, restore refusing to overwrite, retention over a year, remote."""

from __future__ import annotations

import datetime as dt
import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from assets.backup.freshness import freshness
from assets.backup.remote import RemoteResult, push
from assets.backup.restore import restore_snapshot
from assets.backup.retention import Retention, prune
from assets.backup.snapshot import (
    BackupError,
    BackupSources,
    SnapshotResult,
    list_snapshots,
    sha256_file,
    snapshot_name,
    take_snapshot,
    verify_snapshot,
)
from pipeline.service.instance import render_dagster_yaml
from pipeline.service.serve import WORKSPACE_FILE, log_dir
from pipeline.settings import load_settings
from tests.support import wait_for

NOW = dt.datetime(2026, 3, 10, 22, 0, tzinfo=dt.UTC)
DAYS = lambda n: dt.timedelta(days=n)  # noqa: E731
BATCH = 500


def _sources(root: Path, **kw: object) -> BackupSources:
    return BackupSources(
        data_dir=root / "data",
        books_dir=root / "ledger",
        config_file=root / "homeclerk.toml",
        env_file=root / ".env",
        token_file=root / "data" / "secrets" / "kite-token.json",
        **kw,  # type: ignore[arg-type]
    )


def _folder(root: Path) -> BackupSources:
    data = root / "data"
    (data / "feeds").mkdir(parents=True)
    (data / "feeds" / "expenses.json").write_text('{"total": 12}\n')
    (data / "secrets").mkdir()
    (data / "secrets" / "kite-token.json").write_text('{"access_token": "tok-SECRET"}')
    (root / "ledger").mkdir()
    (root / "ledger" / "main.beancount").write_text('include "generated/*.beancount"\n')
    (root / ".env").write_text("KITE_API_SECRET=env-SECRET\n")
    (root / "homeclerk.toml").write_text(
        '[paths]\ndata_dir = "data"\nbooks_dir = "ledger"\n\n[messages]\nchat_db = "chat.db"\n'
    )
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(1000)")
    home = data / "dagster" / "history"
    home.mkdir(parents=True)
    with sqlite3.connect(home / "runs.db") as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE runs (id INTEGER)")
        db.executemany("INSERT INTO runs VALUES (?)", [(i,) for i in range(50)])
    return _sources(root)


def test_snapshot_holds_everything_but_secrets_and_restores_it(tmp_path: Path) -> None:
    sources = _folder(tmp_path / "home")
    # A live WAL reader/writer keeps the newest rows in runs.db-wal: a raw copy would lose them.
    live = sqlite3.connect(sources.dagster_home / "history" / "runs.db")
    live.execute("PRAGMA wal_autocheckpoint=0")
    live.execute("INSERT INTO runs VALUES (999)")
    live.commit()
    result = take_snapshot(sources, tmp_path / "backups", NOW)
    live.close()
    assert result.path.name == snapshot_name(NOW)
    manifest = json.loads((result.path / "manifest.json").read_text())
    paths = {e["path"] for e in manifest["files"]}
    assert {
        "data/warehouse.duckdb",
        "data/feeds/expenses.json",
        "data/dagster/history/runs.db",
        "books/main.beancount",
        "config/homeclerk.toml",
    } <= paths
    assert not any("secret" in p or p.endswith(".env") or p.endswith("-wal") for p in paths)
    assert manifest["warehouse_tables"] == {"t": 1000}
    assert verify_snapshot(result.path) == []

    restored = restore_snapshot(result.path, tmp_path / "restored")
    with duckdb.connect(str(restored.data_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*), sum(i) FROM t").fetchone() == (1000, 499500)
    with sqlite3.connect(restored.data_dir / "dagster" / "history" / "runs.db") as db:
        assert db.execute("SELECT count(*), max(id) FROM runs").fetchone() == (51, 999)
    assert (restored.books_dir / "main.beancount").read_text().startswith("include")
    config = restored.config.read_text()
    assert 'data_dir = "data"' in config and 'books_dir = "ledger"' in config
    # The chat.db is the Messages app's: the restored config points at the original one.
    assert json.dumps(str(tmp_path / "home" / "chat.db")) in config
    assert not (tmp_path / "restored" / ".env").exists()


def _running_service_files(root: Path) -> list[str]:
    """What a running `serve` keeps in the data folder: logs, child PIDs, locks, a socket."""
    settings = load_settings(root / "homeclerk.toml")
    logs = log_dir(settings)
    logs.mkdir(parents=True)
    (logs / "children.pids").write_text("4242\n4243\n")
    (logs / "serve.log").write_text("started code-server (pid 4242)\n")
    (logs / "fava.log.1").write_text("rotated\n")
    home = settings.dagster_home
    (home / "homeclerk-ui.lock").write_text('{"pid": 4241, "port": 3000}')
    (home / "homeclerk-fava.lock").write_text("")
    (home / WORKSPACE_FILE).write_text("load_from:\n  - grpc_server: {port: 41234}\n")
    (settings.data_dir / "power" / "sampler.pid").parent.mkdir(parents=True)
    (settings.data_dir / "power" / "sampler.pid").write_text("4250\n")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(settings.data_dir / "feeds" / "control.sock"))
    sock.close()
    return [
        "data/logs/children.pids",
        "data/logs/serve.log",
        "data/logs/fava.log.1",
        "data/dagster/homeclerk-ui.lock",
        "data/dagster/homeclerk-fava.lock",
        f"data/dagster/{WORKSPACE_FILE}",
        "data/power/sampler.pid",
        "data/feeds/control.sock",
    ]


def test_a_running_services_files_stay_out_of_the_snapshot(tmp_path: Path) -> None:
    sources = _folder(tmp_path / "home")
    runtime = _running_service_files(tmp_path / "home")
    result = take_snapshot(sources, tmp_path / "backups", NOW)
    paths = {e["path"] for e in json.loads((result.path / "manifest.json").read_text())["files"]}
    assert paths.isdisjoint(runtime), sorted(paths & set(runtime))
    assert not (result.path / "data" / "logs").exists()
    # Everything else is still there.
    assert {"data/feeds/expenses.json", "data/dagster/history/runs.db"} <= paths
    assert verify_snapshot(result.path) == []


def test_restore_leaves_out_the_runtime_files_an_older_snapshot_carried(tmp_path: Path) -> None:
    result = take_snapshot(_folder(tmp_path / "home"), tmp_path / "backups", NOW)
    # Snapshots taken before runtime files were left out carry the live service's child PIDs.
    manifest = json.loads((result.path / "manifest.json").read_text())
    for rel, text in (("data/logs/children.pids", "4242\n"), ("data/dagster/x.lock", "")):
        (result.path / rel).parent.mkdir(parents=True, exist_ok=True)
        (result.path / rel).write_text(text)
        size, digest = (result.path / rel).stat().st_size, sha256_file(result.path / rel)
        manifest["files"].append({"path": rel, "size": size, "sha256": digest})
    (result.path / "manifest.json").write_text(json.dumps(manifest))
    assert verify_snapshot(result.path) == []
    restored = restore_snapshot(result.path, tmp_path / "r")
    assert not (restored.data_dir / "logs" / "children.pids").exists()
    assert not (restored.data_dir / "dagster" / "x.lock").exists()
    assert (restored.data_dir / "feeds" / "expenses.json").is_file()


@pytest.mark.parametrize("through_a_symlink", [False, True])
def test_restore_points_the_instance_settings_at_the_restored_folder(
    tmp_path: Path, through_a_symlink: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = _folder(tmp_path / "home")
    if through_a_symlink:
        # As /var is /private/var on macOS: the settings name the link, the instance the target.
        (tmp_path / "link").symlink_to(tmp_path / "home")
        sources = _sources(tmp_path / "link")
    home = sources.dagster_home.resolve()
    (home / "dagster.yaml").write_text(render_dagster_yaml(home))
    # A neighbour whose name starts like the original's: not the original, never rewritten.
    neighbour = str(tmp_path / "home" / "data2")
    with (home / "dagster.yaml").open("a") as f:
        f.write(f"local_artifact_storage:\n  config:\n    base_dir: {neighbour}\n")
    result = take_snapshot(sources, tmp_path / "backups", NOW)
    restored = restore_snapshot(result.path, tmp_path / "r")
    text = (restored.data_dir / "dagster" / "dagster.yaml").read_text()
    new_home = (restored.data_dir / "dagster").resolve()
    assert f"base_dir: {new_home}/storage/history\n" in text
    assert f"base_dir: {new_home}/storage/history/runs\n" in text
    assert f"base_dir: {new_home}/storage/schedules\n" in text
    assert str(tmp_path / "home" / "data") + "/" not in text
    assert restored.foreign_paths == (neighbour,)
    # The command says so, naming the file and the path.
    from pipeline.cli import main

    assert main(["restore", str(result.path), "--to", str(tmp_path / "r2")]) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'r2' / 'data' / 'dagster' / 'dagster.yaml'} names {neighbour}" in err


def test_include_secrets_takes_env_and_token(tmp_path: Path) -> None:
    _folder(tmp_path / "home")
    sources = _sources(tmp_path / "home", include_secrets=True)
    result = take_snapshot(sources, tmp_path / "backups", NOW)
    paths = {e["path"] for e in json.loads((result.path / "manifest.json").read_text())["files"]}
    assert {"secrets/.env", "data/secrets/kite-token.json"} <= paths
    restore_snapshot(result.path, tmp_path / "r")
    assert (tmp_path / "r" / ".env").stat().st_mode & 0o077 == 0


def test_corrupted_file_is_caught_and_nothing_restored(tmp_path: Path) -> None:
    result = take_snapshot(_folder(tmp_path / "home"), tmp_path / "backups", NOW)
    target = result.path / "data" / "warehouse.duckdb"
    blob = bytearray(target.read_bytes())
    blob[len(blob) // 2] ^= 0xFF  # one flipped byte, same size
    target.write_bytes(bytes(blob))
    problems = verify_snapshot(result.path)
    assert problems == [
        "data/warehouse.duckdb: SHA-256 differs from the manifest (the file is corrupted)"
    ]
    with pytest.raises(BackupError, match="does not match its manifest"):
        restore_snapshot(result.path, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_restore_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    result = take_snapshot(_folder(tmp_path / "home"), tmp_path / "backups", NOW)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(BackupError, match="not empty"):
        restore_snapshot(result.path, out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


# Another process appending BATCH rows per transaction, ten transactions per connection (so
# committed rows sit in DuckDB's write-ahead log, not yet in the file, as in a real run), waiting
# for the lock like a queued run. After each commit it records the committed row count.
WRITER = """
import os, sys, time, duckdb, pathlib
path, progress, stop = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[5])
batches, size = int(sys.argv[3]), int(sys.argv[4])
deadline = time.monotonic() + 300  # bounded, whatever happens to the test
def connect():
    while True:
        try:
            return duckdb.connect(path)
        except duckdb.IOException:
            time.sleep(0.01)
n = 0
while n < batches and not stop.exists() and time.monotonic() < deadline:
    with connect() as con:
        for _ in range(10):
            con.execute(f"INSERT INTO t SELECT range + {10_000 + n * size} FROM range({size})")
            n += 1
            tmp = progress.with_suffix(".tmp")
            tmp.write_text(str(1000 + n * size))
            os.replace(tmp, progress)
"""


def test_backup_while_another_process_writes_is_never_torn(tmp_path: Path) -> None:
    sources = _folder(tmp_path / "home")
    progress = tmp_path / "committed"
    stop = tmp_path / "stop"
    # The writer keeps committing until told to stop, so it is writing during every backup
    # however slow the machine is.
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            WRITER,
            str(sources.warehouse),
            str(progress),
            "100000",
            str(BATCH),
            str(stop),
        ]
    )
    seen: list[tuple[int, SnapshotResult]] = []
    try:
        wait_for(lambda: progress.exists() or None, 60, "the writer's first commit")
        for i in range(3):
            committed_before = int(progress.read_text())
            result = take_snapshot(sources, tmp_path / "backups", NOW + dt.timedelta(hours=i))
            seen.append((committed_before, result))
        running_during_backup = proc.poll() is None
    finally:
        stop.touch()
        assert proc.wait(120) == 0
    assert running_during_backup, "the writer finished before the backups: make it write longer"
    for i, (committed_before, result) in enumerate(seen):
        out = restore_snapshot(result.path, tmp_path / f"r{i}")
        with duckdb.connect(str(out.data_dir / "warehouse.duckdb"), read_only=True) as con:
            (count,) = con.execute("SELECT count(*) FROM t").fetchone()
        # Whole transactions only, every one committed before the backup began, and the count
        # the manifest recorded under the same lock.
        assert (count - 1000) % BATCH == 0
        assert count >= committed_before > 1000
        assert count == result.warehouse_tables["t"]


def _fake_snapshot(backup_dir: Path, when: dt.datetime, trigger: str = "scheduled") -> Path:
    path = backup_dir / snapshot_name(when)
    path.mkdir(parents=True)
    manifest = {"format": 1, "files": [], "trigger": trigger}
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_retention_over_a_simulated_year(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    ist = ZoneInfo("Asia/Kolkata")
    day = dt.date(2026, 1, 1)
    while day <= dt.date(2026, 12, 31):
        # 03:30 in Kolkata each night, then prune, as the nightly asset does.
        night = dt.datetime(day.year, day.month, day.day, 3, 30, tzinfo=ist)
        _fake_snapshot(backups, night)
        prune(backups, Retention(), "Asia/Kolkata", night)
        day += dt.timedelta(days=1)
    kept = [s.taken_at.astimezone(ist).date() for s in list_snapshots(backups)]
    daily = {dt.date(2026, 12, d) for d in range(25, 32)}
    # 2026-12-31 is a Thursday: the newest of the three ISO weeks before its own are Sundays.
    weekly = {dt.date(2026, 12, 27), dt.date(2026, 12, 20), dt.date(2026, 12, 13)}
    monthly = {dt.date(2026, m + 1, 1) - dt.timedelta(days=1) for m in range(1, 12)}
    monthly.add(dt.date(2026, 12, 31))
    assert sorted(kept) == sorted(daily | weekly | monthly)
    # Dec 31 is daily, weekly and monthly at once; Dec 27 daily and weekly.
    assert len(kept) == 7 + 2 + 11


def test_pruning_never_deletes_the_newest_good_snapshot(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    good = _fake_snapshot(backups, NOW)
    bad = backups / snapshot_name(NOW + dt.timedelta(days=1))
    bad.mkdir()  # no manifest: not good, and left alone for the owner
    older = _fake_snapshot(backups, NOW - dt.timedelta(days=3))
    report = prune(backups, Retention(daily=0, weekly=0, monthly=0), "UTC", NOW + DAYS(3))
    assert report.removed == [older]
    assert good.is_dir() and bad.is_dir()
    assert f"kept {bad.name}: no readable manifest: left for you to look at" in report.lines()


NOTHING_BY_RULE = Retention(daily=0, weekly=0, monthly=0)


def test_retention_keeps_snapshots_younger_than_a_day(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    # Three scheduled snapshots and a newer one by hand, all the same day: the rule keeps only
    # the newest; the others are kept because they are younger than a day.
    earlier = [_fake_snapshot(backups, NOW - dt.timedelta(hours=h)) for h in (25, 23, 2)]
    _fake_snapshot(backups, NOW, trigger="manual")
    report = prune(backups, NOTHING_BY_RULE, "UTC", NOW, prune_manual=True)
    assert report.removed == [earlier[0]]
    assert [p.is_dir() for p in earlier] == [False, True, True]
    lines = report.lines()
    assert f"kept {earlier[1].name}: younger than a day" in lines
    assert f"kept {earlier[2].name}: younger than a day" in lines
    assert lines[-1] == "kept 1 snapshot(s) by the retention rule"


def test_retention_keeps_snapshots_taken_by_hand_unless_asked(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    by_hand = _fake_snapshot(backups, NOW - DAYS(30), trigger="manual")
    nightly = _fake_snapshot(backups, NOW - DAYS(29))
    newest = _fake_snapshot(backups, NOW - DAYS(2))
    report = prune(backups, NOTHING_BY_RULE, "UTC", NOW)
    assert report.removed == [nightly]
    assert by_hand.is_dir() and newest.is_dir()
    assert (
        f"kept {by_hand.name}: taken by hand (`homeclerk backup`): `homeclerk backup --prune` "
        "lets retention delete it"
    ) in report.lines()
    assert prune(backups, NOTHING_BY_RULE, "UTC", NOW, prune_manual=True).removed == [by_hand]
    assert newest.is_dir()


def test_homeclerk_backup_keeps_the_days_earlier_snapshot_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main
    from pipeline.settings import CONFIG_ENV

    monkeypatch.delenv(CONFIG_ENV, raising=False)
    root = tmp_path / "home"
    _folder(root)
    config = root / "homeclerk.toml"
    with config.open("a") as f:
        f.write("\n[backup]\nkeep_daily = 1\nkeep_weekly = 0\nkeep_monthly = 0\n")
    backups = root / "backups"
    # The command stamps snapshots with the real time: the planted ones are placed around it.
    now = dt.datetime.now(dt.UTC)
    nightly = _fake_snapshot(backups, now - dt.timedelta(hours=3))
    by_hand = _fake_snapshot(backups, now - DAYS(10), trigger="manual")
    old = _fake_snapshot(backups, now - DAYS(9))

    assert main(["--config", str(config), "backup"]) == 0
    out = capsys.readouterr().out
    [taken] = [s for s in list_snapshots(backups) if s.path not in {nightly, by_hand, old}]
    assert json.loads((taken.path / "manifest.json").read_text())["trigger"] == "manual"
    assert nightly.is_dir() and by_hand.is_dir() and not old.exists()
    assert f"pruned {old}" in out
    assert f"kept {nightly.name}: younger than a day" in out
    assert f"kept {by_hand.name}: taken by hand" in out
    assert "kept 1 snapshot(s) by the retention rule" in out

    # Asked: the old one taken by hand goes too; the day's earlier one still stays.
    assert main(["--config", str(config), "backup", "--prune"]) == 0
    out = capsys.readouterr().out
    assert f"pruned {by_hand}" in out and not by_hand.exists()
    assert nightly.is_dir() and taken.path.is_dir()


def test_freshness_warns_after_36_hours(tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    ok, text = freshness(backups, NOW)
    assert not ok and "no good snapshot" in text
    _fake_snapshot(backups, NOW)
    assert freshness(backups, NOW + dt.timedelta(hours=35))[0]
    ok, text = freshness(backups, NOW + dt.timedelta(hours=37))
    assert not ok and "37 h old" in text


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: None,  # no manifest: a backup killed before it was renamed, or a stray copy
        lambda p: (p / "manifest.json").write_text('{"format": 1, "files": ['),  # truncated
        lambda p: (p / "manifest.json").write_text('{"format": 1}'),  # no file list
    ],
    ids=["no-manifest", "truncated-manifest", "no-file-list"],
)
def test_freshness_judges_the_newest_good_snapshot_not_the_newest_folder(
    tmp_path: Path, spoil: object
) -> None:
    backups = tmp_path / "backups"
    old = _fake_snapshot(backups, NOW - DAYS(4))
    newest = backups / snapshot_name(NOW - dt.timedelta(hours=1))
    newest.mkdir()
    spoil(newest)  # type: ignore[operator]
    ok, text = freshness(backups, NOW)
    assert not ok
    assert f"newest good snapshot {old.name} is 96 h old" in text


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_remote_rsync_to_a_local_folder_copies_every_file(tmp_path: Path) -> None:
    result = take_snapshot(_folder(tmp_path / "home"), tmp_path / "backups", NOW)
    remote = tmp_path / "remote"
    remote.mkdir()
    pushed = push(result.path, str(remote))
    assert pushed == RemoteResult(True, f"copied {result.path.name} to {remote} with rsync")
    copy = remote / result.path.name
    assert _files(copy) == _files(result.path) and len(_files(copy)) == result.files + 1
    assert verify_snapshot(copy) == []
    # A second push of the same snapshot (tonight's retry) is fine too, and changes nothing.
    assert push(result.path, str(remote) + "/").ok
    assert _files(copy) == _files(result.path)


def test_a_remote_that_cannot_be_reached_is_reported_in_plain_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = take_snapshot(_folder(tmp_path / "home"), tmp_path / "backups", NOW)
    place = tmp_path / "no" / "such" / "deep" / "place"  # rsync makes one level, not four
    failed = push(result.path, str(place))
    assert not failed.ok
    assert failed.message.startswith(f"off-box copy to {place} failed (rsync exit ")
    assert f"the local snapshot {result.path} is fine" in failed.message
    assert not place.parent.exists() and verify_snapshot(result.path) == []
    assert push(result.path, str(place), tool="scp") == RemoteResult(
        False, "unknown remote tool 'scp': use one of ('rsync', 'restic')"
    )
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # a machine without restic
    missing = push(result.path, str(place), tool="restic")
    assert not missing.ok
    assert "restic is not installed" in missing.message and "local snapshot" in missing.message


def test_homeclerk_backup_with_a_failing_remote_warns_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main
    from pipeline.settings import CONFIG_ENV

    for name in (CONFIG_ENV, "DAGSTER_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    home = tmp_path / "home"
    home.mkdir()
    place = tmp_path / "no" / "such" / "deep" / "place"
    config = home / "homeclerk.toml"
    config.write_text(f'[backup]\ndir = "snaps"\nremote = "{place}"\n')
    assert main(["--config", str(config), "backup"]) == 0
    out, err = capsys.readouterr()
    [snap] = list_snapshots(home / "snaps")
    assert snap.good and f"snapshot {snap.path}:" in out
    # stderr also carries the run's progress and log lines; the warning is said once, plainly.
    [warning] = [w for w in err.splitlines() if w.startswith("homeclerk: warning: off-box")]
    assert warning.startswith(f"homeclerk: warning: off-box copy to {place} failed (rsync exit ")
    assert f"the local snapshot {snap.path} is fine" in warning


def test_the_sms_webhook_spool_stays_out_of_the_snapshot(tmp_path: Path) -> None:
    # It holds OTPs and personal SMS until the next run: no backup may keep a copy.
    from assets.sms.webhook_spool import append_message, spool_folder

    sources = _folder(tmp_path / "home")
    spool = spool_folder(sources.data_dir)
    append_message(
        spool, {"id": "i:1", "from": "VM-HDFCBK", "body": "452118 is OTP", "received_at": 1}
    )
    result = take_snapshot(sources, tmp_path / "backups", NOW)
    paths = {e["path"] for e in json.loads((result.path / "manifest.json").read_text())["files"]}
    assert not any("sms-spool" in p for p in paths)
    assert not any(b"452118" in p.read_bytes() for p in result.path.rglob("*") if p.is_file())
