"""Everything homeclerk writes under the data folder is the owner's alone, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb

from pipeline.doctor import run_checks
from pipeline.permissions import data_dir_mode, feeds_dir_mode, fix_command, loose_paths
from pipeline.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _modes(top: Path) -> dict[Path, int]:
    found = {top: stat.S_IMODE(top.stat().st_mode)}
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            path = Path(root) / name
            if not path.is_symlink():
                found[path] = stat.S_IMODE(path.lstat().st_mode)
    return found


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_a_demo_under_umask_022_writes_only_private_files_but_feeds(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo", "--dir", str(folder)],
        env=_env(),
        cwd=tmp_path,
        check=True,
        capture_output=True,
        preexec_fn=lambda: os.umask(0o022),  # the shell's usual umask
    )
    data = folder / "data"
    feeds = data / "feeds"
    modes = _modes(data)
    assert len(modes) > 20  # the warehouse, the instance, logs, reviews, feeds...
    assert (data / "warehouse.duckdb") in modes and (data / "dagster") in modes
    open_to_others = {
        path: f"{mode:04o}"
        for path, mode in modes.items()
        if mode & 0o077 and path not in (data, feeds) and path.parent != feeds
    }
    assert open_to_others == {}
    # Feeds keep [feeds] mode (0644 by default), and dashboards can reach them.
    assert modes[data] == data_dir_mode(0o644) == 0o711
    assert modes[feeds] == feeds_dir_mode(0o644) == 0o755
    assert {modes[p] for p in feeds.glob("*.json")} == {0o644}
    # Generated books are the owner's too.
    generated = [p for p in (folder / "ledger").rglob("*.beancount") if "generated" in p.parts]
    assert generated and all(stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in generated)

    settings = load_settings(folder / "homeclerk.toml")
    [finding] = [f for f in run_checks(settings) if f.check == "private files"]
    assert finding.ok, finding


def test_doctor_names_loose_files_and_its_fix_pastes(tmp_path: Path) -> None:
    config = tmp_path / "homeclerk.toml"
    config.write_text('[paths]\ndata_dir = "data"\n\n[feeds]\nmode = "0600"\n')
    settings = load_settings(config)
    data = settings.data_dir
    (data / "dagster" / "storage").mkdir(parents=True)
    (data / "feeds").mkdir()
    warehouse = data / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    run_log = data / "dagster" / "storage" / "run 1.db"  # a space: the fix must quote it
    run_log.write_text("events")
    feed = data / "feeds" / "expenses.json"
    feed.write_text("{}")
    for path, mode in (
        (data, 0o755),
        (data / "dagster", 0o755),
        (data / "dagster" / "storage", 0o750),
        (warehouse, 0o644),
        (run_log, 0o640),
        (data / "feeds", 0o755),
        (feed, 0o644),  # [feeds] mode is 0600 here: this one is loose too
    ):
        os.chmod(path, mode)

    [finding] = [f for f in run_checks(settings) if f.check == "private files"]
    assert not finding.ok
    assert "7 under" in finding.detail and f"{warehouse} (0644)" in finding.detail
    assert set(dict(loose_paths(data, data / "feeds", 0o600))) == {
        data,
        data / "dagster",
        data / "dagster" / "storage",
        warehouse,
        run_log,
        data / "feeds",
        feed,
    }
    assert finding.fix is not None
    subprocess.run(["sh", "-c", finding.fix], check=True)  # pasted into a shell as printed
    [after] = [f for f in run_checks(settings) if f.check == "private files"]
    assert after.ok, after
    assert stat.S_IMODE(warehouse.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_the_fix_gives_feeds_their_mode_and_keeps_them_reachable(tmp_path: Path) -> None:
    data, feeds = tmp_path / "data", tmp_path / "data" / "feeds"
    feeds.mkdir(parents=True)
    feed = feeds / "power.json"
    feed.write_text("{}")
    os.chmod(feed, 0o666)
    os.chmod(feeds, 0o777)
    os.chmod(data, 0o777)
    loose = [path for path, _mode in loose_paths(data, feeds, 0o640)]
    assert set(loose) == {data, feeds, feed}
    subprocess.run(["sh", "-c", fix_command(loose, data, feeds, 0o640)], check=True)
    assert stat.S_IMODE(data.stat().st_mode) == 0o710
    assert stat.S_IMODE(feeds.stat().st_mode) == 0o750
    assert stat.S_IMODE(feed.stat().st_mode) == 0o640
    assert list(loose_paths(data, feeds, 0o640)) == []
