"""A damaged warehouse or run storage: doctor names the file and pastes a fix that restores it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assets.common.warehouse import WarehouseBrokenError, connect

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _doctor(config: Path) -> dict[str, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "doctor", "--json"],
        env=_env(),
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return {f["check"]: f for f in json.loads(done.stdout)}


def _paste(fix: object, cwd: Path) -> None:
    assert isinstance(fix, str)
    command = fix.removeprefix("stop the service, then: ")
    done = subprocess.run(
        ["sh", "-c", command], env=_env(), cwd=cwd, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (command, done.stdout, done.stderr)


def _made_demo(folder: Path) -> Path:
    """`homeclerk demo --dir folder`, as a user runs it; the folder."""
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo", "--dir", str(folder)],
        env=_env(),
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _made_demo(tmp_path_factory.mktemp("broken") / "demo")


def test_a_truncated_warehouse_is_named_and_restored_by_the_printed_fix(demo: Path) -> None:
    config = demo / "homeclerk.toml"
    warehouse = demo / "data" / "warehouse.duckdb"
    with warehouse.open("r+b") as f:
        f.truncate(16384)  # cut short: headers and a little of the data
    with pytest.raises(WarehouseBrokenError) as broken, connect(warehouse, read_only=True) as con:
        con.execute("SELECT count(*) FROM sms_messages, transactions").fetchall()
    assert str(warehouse) in str(broken.value) and "damaged" in str(broken.value)

    found = _doctor(config)
    assert not found["warehouse"]["ok"]
    assert "is damaged" in str(found["warehouse"]["detail"])
    assert found["chat.db"]["ok"]  # the other checks still ran
    _paste(found["warehouse"]["fix"], demo)

    assert _doctor(config)["warehouse"]["ok"]
    assert (demo / "data" / "warehouse.duckdb.damaged").stat().st_size == 16384
    with connect(warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM sms_messages").fetchone()[0] > 0


def test_a_run_storage_with_garbage_is_named_and_restored(demo: Path) -> None:
    config = demo / "homeclerk.toml"
    runs = demo / "data" / "dagster" / "storage" / "history" / "runs.db"
    assert runs.is_file()
    with runs.open("r+b") as f:
        f.seek(0)
        f.write(b"garbage " * 512)

    found = _doctor(config)
    assert "dagster instance" in found, sorted(found)
    assert "damaged" in str(found["dagster instance"]["detail"])
    assert str(runs.parent.parent) in str(found["dagster instance"]["detail"])
    assert found["warehouse"]["ok"]  # not hidden by the broken instance
    _paste(found["dagster instance"]["fix"], demo)

    assert "dagster instance" not in _doctor(config)


def _materialize(config: Path, selection: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "materialize", selection],
        env=_env(),
        cwd=config.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _feeds(folder: Path) -> dict[str, dict[str, object]]:
    feeds = folder / "data" / "feeds"
    return {
        name: json.loads((feeds / name).read_text())
        for name in ("expenses.json", "portfolio.json", "power.json")
    }


def test_a_run_failing_on_a_damaged_warehouse_turns_every_feed_stale_until_restored(
    tmp_path: Path,
) -> None:
    demo = _made_demo(tmp_path / "demo")
    config = demo / "homeclerk.toml"
    # A snapshot to restore from: the fix in the feeds is then the restore command.
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "--config", str(config), "backup"],
        env=_env(),
        cwd=demo,
        check=True,
        capture_output=True,
        timeout=300,
    )
    good = _feeds(demo)
    assert {feed["status"] for feed in good.values()} == {"ok"}
    warehouse = demo / "data" / "warehouse.duckdb"
    with warehouse.open("r+b") as f:
        f.truncate(16384)

    failed = _materialize(config, "sms_messages+")
    assert failed.returncode == 1
    assert f"FAILED sms_messages: WarehouseBrokenError: warehouse {warehouse} is damaged" in (
        failed.stdout
    )
    stale = _feeds(demo)
    for name, feed in stale.items():
        reason = str(feed["message"])
        assert feed["status"] == "stale", name
        assert f"warehouse {warehouse} is damaged" in reason, name
        assert "restore" in reason and "&& mv" in reason, reason
        # The last good figures stay; only the status and its message changed.
        figures = {k: v for k, v in feed.items() if k not in ("status", "message", "store_fault")}
        assert figures == {k: v for k, v in good[name].items() if k not in ("status", "message")}
        assert feed["store_fault"] == {  # type: ignore[comparison-overlap]
            "reason": reason,
            "since": feed["store_fault"]["since"],  # type: ignore[index]
            "status": "ok",
            "message": good[name]["message"],
        }

    _paste(stale["expenses.json"]["message"].split("restore it: ", 1)[1], demo)  # type: ignore[union-attr]
    assert _materialize(config, "sms_messages+").returncode == 0
    # Every feed is back, the ones no asset of that run rewrote too.
    back = _feeds(demo)
    assert {name: feed["status"] for name, feed in back.items()} == dict.fromkeys(back, "ok")
    assert not any("store_fault" in feed for feed in back.values())
    assert back["power.json"] == good["power.json"]


def test_a_run_on_a_full_disk_says_disk_full_and_the_next_run_after_space_returns_clears_it(
    tmp_path: Path,
) -> None:
    from assets.sms.chatdb import utc_to_apple_ns
    from pipeline.demo.chatdb_writer import NewMessage, append_messages

    demo = _made_demo(tmp_path / "demo")
    config = demo / "homeclerk.toml"
    good = _feeds(demo)
    now = dt.datetime.now(dt.UTC)
    body = f"Rs.12.00 debited from a/c **1276 on {now:%d-%m-%y} to VPA disk.full@ybl"
    append_messages(
        demo / "chat.db",
        [NewMessage("DISK-FULL-1", "VM-HDFCBK", body, None, utc_to_apple_ns(now))],
    )
    # DuckDB's write-ahead log on a device that is always full: every write the run commits
    # fails with the real ENOSPC, as on a full disk, and DuckDB's rollback after it fails too.
    wal = demo / "data" / "warehouse.duckdb.wal"
    assert not wal.exists()
    wal.symlink_to("/dev/full")

    failed = _materialize(config, "sms_messages+")
    assert failed.returncode == 1
    assert "FAILED sms_messages: DiskFullError: disk full: no space left for " in failed.stdout
    assert "cannot rollback" not in failed.stdout
    for name, feed in _feeds(demo).items():
        assert feed["status"] == "stale", name
        assert str(feed["message"]).startswith("disk full: "), feed["message"]
        assert (
            feed["periods" if name == "expenses.json" else "generated_at"]
            == good[name]["periods" if name == "expenses.json" else "generated_at"]
        )
    doctor = _doctor(config)
    assert "disk full" in str(doctor["expenses.json"]["detail"])

    wal.unlink()  # space again
    assert _materialize(config, "sms_messages+").returncode == 0
    back = _feeds(demo)
    assert {name: feed["status"] for name, feed in back.items()} == dict.fromkeys(back, "ok")
    with connect(demo / "data" / "warehouse.duckdb", read_only=True) as con:
        stored = con.execute("SELECT count(*) FROM sms_messages WHERE guid = 'DISK-FULL-1'")
        assert stored.fetchone() == (1,)  # the SMS the full disk held back: not lost
