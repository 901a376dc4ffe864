"""The sample log in detail: UTC months on a machine in another zone, the exact bytes of a line,
the file's mode, torn lines counted and passed over (found by mutation testing)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assets.power.log import append_sample, log_path, read_samples
from tests.support import machine_timezone

# 03:00 UTC on 1 September is still 31 August in Los Angeles.
SEPT = dt.datetime(2027, 9, 1, 3, 0, tzinfo=dt.UTC)


@pytest.fixture
def machine_in_los_angeles() -> Iterator[None]:
    with machine_timezone("America/Los_Angeles"):
        yield


def sample(at: dt.datetime, note: str = "ok") -> dict:
    return {"at": at.isoformat(), "source": "ac", "charge_percent": 90.0, "note": note}


def test_months_are_utc_months_whatever_the_machine_s_zone(
    tmp_path: Path, machine_in_los_angeles: None
) -> None:
    assert log_path(tmp_path, SEPT).name == "samples-2027-09.jsonl"
    # An August file with a torn line: a read since September never opens it.
    august = tmp_path / "samples-2027-08.jsonl"
    august.write_text(json.dumps(sample(SEPT - dt.timedelta(days=2))) + "\n{torn\n")
    append_sample(tmp_path, sample(SEPT))
    read = read_samples(tmp_path, since=SEPT)
    assert (len(read.samples), read.torn_lines) == (1, 0)
    everything = read_samples(tmp_path)
    assert (len(everything.samples), everything.torn_lines) == (2, 1)


def test_a_line_is_compact_utf8_json_in_a_new_folder_with_mode_600(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "power"  # neither exists yet
    one = sample(SEPT, note="₹ बिजली")
    old_umask = os.umask(0o022)
    try:
        path = append_sample(folder, one)
    finally:
        os.umask(old_umask)
    expected = json.dumps(one, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert path.read_bytes() == expected.encode("utf-8")
    assert b'"note":"\xe2\x82\xb9 ' in path.read_bytes()  # the rupee sign itself, not \\u20b9
    assert path.stat().st_mode & 0o777 == 0o600  # the owner's alone, whatever the umask


def test_every_torn_line_is_counted_and_the_lines_after_it_are_read(tmp_path: Path) -> None:
    lines = [
        json.dumps(sample(SEPT)),
        "",
        "{half a line",
        json.dumps(sample(SEPT + dt.timedelta(minutes=1))),
        "   ",
        '{"at": "not a time"}',
        json.dumps(sample(SEPT + dt.timedelta(minutes=2))),
    ]
    (tmp_path / "samples-2027-09.jsonl").write_text("\n".join(lines) + "\n")
    read = read_samples(tmp_path)
    assert [s["at"] for s in read.samples] == [
        (SEPT + dt.timedelta(minutes=n)).isoformat() for n in range(3)
    ]
    assert read.torn_lines == 2
