"""A full disk said plainly, from the error chain DuckDB and the OS raise; the feeds' mark."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from assets.common.store_fault import clear_feeds, faulted_feeds, mark_feeds
from assets.common.warehouse import DiskFullError, connect, store_fault


def test_a_rollback_that_fails_on_a_full_disk_says_disk_full(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    with pytest.raises(DiskFullError) as full, connect(warehouse) as con:
        try:  # DuckDB's write error; the rollback after it fails in turn, hiding it
            raise duckdb.IOException(
                f'IO Error: Could not write file "{warehouse}.wal": No space left on device'
            )
        except duckdb.IOException:
            con.execute("ROLLBACK")
    assert isinstance(full.value.__cause__, duckdb.TransactionException)
    assert "cannot rollback - no transaction is active" in str(full.value.__cause__)
    assert str(full.value).startswith("disk full: no space left for ")
    assert full.value.errno == 28
    assert str(warehouse) in str(full.value) and "free some space" in str(full.value)


def test_a_write_on_a_full_device_is_a_store_fault() -> None:
    with pytest.raises(OSError) as raised, open("/dev/full", "w") as f:
        f.write("x")
        f.flush()
    try:
        raise RuntimeError("what the step raised after it") from raised.value
    except RuntimeError as exc:
        fault = store_fault(exc)
    assert isinstance(fault, DiskFullError)
    assert "disk full" in str(fault)
    assert store_fault(RuntimeError("a bad SMS")) is None


def test_feeds_are_marked_once_and_cleared_back_to_what_they_said(tmp_path: Path) -> None:
    feed = {"schema": "x/1", "status": "ok", "message": None, "total": 12.5}
    (tmp_path / "x.json").write_text(json.dumps(feed))
    marker = {"status": "ok", "since": "2027-01-01"}  # a status marker, not a feed
    (tmp_path / "x.status.json").write_text(json.dumps(marker))

    assert mark_feeds(tmp_path, "disk full", "2027-05-01T10:00:00+00:00") == []
    before = (tmp_path / "x.json").stat().st_mtime_ns
    assert mark_feeds(tmp_path, "disk full", "2027-05-01T10:05:00+00:00") == []
    assert (tmp_path / "x.json").stat().st_mtime_ns == before  # said already: not rewritten
    marked = json.loads((tmp_path / "x.json").read_text())
    assert marked["status"] == "stale" and marked["message"] == "disk full"
    assert marked["total"] == 12.5
    assert marked["store_fault"]["since"] == "2027-05-01T10:00:00+00:00"
    assert faulted_feeds(tmp_path) == [tmp_path / "x.json"]
    assert json.loads((tmp_path / "x.status.json").read_text()) == marker

    # Another fault before the first cleared: the status to go back to is still the first one.
    mark_feeds(tmp_path, "warehouse damaged", "2027-05-01T11:00:00+00:00")
    assert clear_feeds(tmp_path) == [tmp_path / "x.json"]
    assert json.loads((tmp_path / "x.json").read_text()) == feed
    assert faulted_feeds(tmp_path) == []


def test_a_mark_keeps_what_the_feed_said_and_a_second_fault_keeps_the_first() -> None:
    from assets.common.store_fault import FAULT_KEY, with_fault, without_fault

    feed = {"schema": "homeclerk.x/1", "status": "no_data", "message": "nothing yet", "total": 5}
    marked = with_fault(feed, "disk full: free some space", "2026-01-02T03:04:05Z")
    assert marked["status"] == "stale" and marked["message"] == "disk full: free some space"
    assert marked["total"] == 5
    assert marked[FAULT_KEY] == {
        "reason": "disk full: free some space",
        "since": "2026-01-02T03:04:05Z",
        "status": "no_data",
        "message": "nothing yet",
    }
    # The same fault said again keeps its first instant; another fault starts its own, and both
    # keep what the feed said before any fault.
    again = with_fault(marked, "disk full: free some space", "2026-01-02T09:00:00Z")
    assert again[FAULT_KEY]["since"] == "2026-01-02T03:04:05Z"
    other = with_fault(marked, "warehouse damaged", "2026-01-03T00:00:00Z")
    assert other[FAULT_KEY]["since"] == "2026-01-03T00:00:00Z"
    assert (other[FAULT_KEY]["status"], other[FAULT_KEY]["message"]) == ("no_data", "nothing yet")
    assert without_fault(other) == feed
    assert without_fault(feed) == feed
