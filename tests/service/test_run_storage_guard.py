"""A damaged run storage holds the Dagster children (no crash loop) and turns the feeds stale;
the children start again once the file is whole."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from functools import partial
from pathlib import Path

import pytest

from pipeline.service.serve import store_fault_line
from pipeline.service.store_watch import RunStorageGuard, damaged_run_storage, disk_full_line
from pipeline.service.supervisor import ChildSpec, Supervisor
from tests.pipeline.service_support import service_settings
from tests.support import homeclerk_instance, pinned_feed_server

FEED = {"schema": "homeclerk.expenses/1", "status": "ok", "message": None, "total": 42.0}


def test_a_damaged_run_storage_holds_its_children_and_marks_the_feeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = service_settings(tmp_path)
    home = settings.dagster_home
    with homeclerk_instance(home):
        pass
    runs = home / "storage" / "history" / "runs.db"
    good = tmp_path / "runs.db.good"
    shutil.copy2(runs, good)
    settings.feeds_dir.mkdir(parents=True, exist_ok=True)
    feed_file = settings.feeds_dir / "expenses.json"
    feed_file.write_text(json.dumps(FEED))
    with runs.open("r+b") as f:
        f.write(b"garbage " * 512)
    assert damaged_run_storage(home) == (runs, "file is not a database")

    guard = RunStorageGuard(settings, home)
    now = [0.0]
    needs = ChildSpec(
        "code-server", (sys.executable, "-c", "import time; time.sleep(60)"), tmp_path, guard=guard
    )
    free = ChildSpec("fava", (sys.executable, "-c", "import time; time.sleep(60)"), tmp_path)
    sup = Supervisor([needs, free], tmp_path / "logs", clock=lambda: now[0])
    sup.start_all()
    held, other = sup.children
    try:
        assert held.proc is None and other.proc is not None  # the rest runs
        for _ in range(5):  # no restart loop, however long it waits
            now[0] += 120
            sup.check()
        assert held.proc is None and held.restarts == 0
        err = capsys.readouterr().err
        [line] = [x for x in err.splitlines() if "damaged" in x]
        assert f"the Dagster run storage {runs} is damaged (file is not a database)" in line
        assert "no good snapshot to restore from: mv " in line  # the fix, for this folder

        # Every feed says why, the figures kept; the feed server says it for any feed.
        marked = json.loads(feed_file.read_text())
        assert marked["status"] == "stale" and marked["message"] == guard.current()
        assert marked["total"] == 42.0
        (settings.feeds_dir / "power.json").write_text(json.dumps(FEED))  # not marked on disk
        at = dt.datetime(2027, 5, 3, 10, 0, tzinfo=dt.UTC)
        with pinned_feed_server(settings.feeds_dir, at) as served:
            served.server.fault = guard.current
            status, body = served.get("power.json")
        assert status == 200 and json.loads(body)["status"] == "stale"
        assert json.loads(body)["message"] == guard.current()
        (settings.feeds_dir / "power.json").unlink()

        shutil.copy(good, runs)  # restored
        now[0] += 2
        sup.check()  # the change is looked at once it holds for one more check
        assert held.proc is None
        now[0] += 2
        sup.check()
        assert held.proc is not None and held.proc.poll() is None
        assert json.loads(feed_file.read_text()) == FEED
        assert "is whole again: starting it" in capsys.readouterr().err

        # Damaged while it runs: its exit holds it instead of a restart.
        with runs.open("r+b") as f:
            f.write(b"garbage " * 512)
        held.proc.kill()
        held.proc.wait()
        now[0] += 2
        sup.check()
        now[0] += 120
        sup.check()
        assert held.proc is None and held.held
        # Said as held until the file changes, not as a restart that would only fail again.
        err = capsys.readouterr().err
        assert "restarting in" not in err and "not starting code-server until the file" in err
        assert json.loads(feed_file.read_text())["status"] == "stale"
    finally:
        sup.stop_all()


def test_feeds_are_served_stale_while_the_disk_is_full_and_ok_once_there_is_space(
    tmp_path: Path,
) -> None:
    settings = service_settings(tmp_path)
    settings.feeds_dir.mkdir(parents=True)
    written = json.dumps(FEED).encode()
    (settings.feeds_dir / "expenses.json").write_bytes(written)
    free = [0]

    def usage(_folder: Path) -> tuple[int, int, int]:
        return (100 << 30, (100 << 30) - free[0], free[0])

    guard = RunStorageGuard(settings, settings.dagster_home)
    at = dt.datetime(2027, 5, 3, 10, 0, tzinfo=dt.UTC)
    with pinned_feed_server(settings.feeds_dir, at) as served:
        served.server.fault = partial(store_fault_line, guard, settings.data_dir, usage)
        status, body = served.get("expenses.json")
        feed = json.loads(body)
        assert status == 200 and feed["status"] == "stale"
        assert feed["message"].startswith(
            f"disk full: 0 KB left on the disk of {settings.data_dir}"
        )
        assert feed["total"] == 42.0
        free[0] = 10 << 30  # space again: no restart, no rewrite needed
        assert served.get("expenses.json") == (200, written)
    # The real disk under the test's folder has room.
    assert store_fault_line(guard, settings.data_dir) is None
    assert disk_full_line(settings.data_dir) is None


def test_without_a_snapshot_the_printed_move_aside_lets_them_start_on_a_fresh_storage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    settings = service_settings(tmp_path)
    home = settings.dagster_home
    with homeclerk_instance(home):
        pass
    with (home / "storage" / "schedules" / "schedules.db").open("r+b") as f:
        f.write(b"garbage " * 512)
    guard = RunStorageGuard(settings, home)
    now = [0.0]
    needs = ChildSpec(
        "ui-daemon", (sys.executable, "-c", "import time; time.sleep(60)"), tmp_path, guard=guard
    )
    sup = Supervisor([needs], tmp_path / "logs", clock=lambda: now[0])
    sup.start_all()
    [held] = sup.children
    try:
        assert held.proc is None
        err = capsys.readouterr().err
        fix = err.split("wait until it is restored: no good snapshot to restore from: ", 1)[1]
        done = subprocess.run(["sh", "-c", fix.strip()], capture_output=True, text=True)
        assert done.returncode == 0, (fix, done.stderr)
        assert (home / "storage.damaged").is_dir() and not (home / "storage").exists()
        for _ in range(2):
            now[0] += 2
            sup.check()
        assert held.proc is not None  # Dagster makes a fresh storage, as on a first start
    finally:
        sup.stop_all()


def test_the_guard_checks_unchanged_files_once_and_a_changed_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.service import store_watch

    settings = service_settings(tmp_path)
    home = settings.dagster_home
    with homeclerk_instance(home):
        pass
    checks: list[Path] = []

    def counted(where: Path) -> tuple[Path, str] | None:
        checks.append(where)
        return damaged_run_storage(where)

    monkeypatch.setattr(store_watch, "damaged_run_storage", counted)
    guard = RunStorageGuard(settings, home)
    assert guard.problem() is None and guard.problem() is None
    assert len(checks) == 1  # the second child to start asks about the same files
    runs = home / "storage" / "history" / "runs.db"
    with runs.open("r+b") as f:
        f.write(b"garbage " * 512)
    problem = guard.problem()
    assert problem is not None and f"{runs} is damaged" in problem
    assert len(checks) == 2
