"""The sample log: append-only JSON lines that survive a writer killed mid-write."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assets.power.log import append_sample, log_path, read_samples

T0 = dt.datetime(2027, 1, 31, 23, 58, tzinfo=dt.UTC)


def sample(at: dt.datetime, source: str = "ac") -> dict:
    return {
        "at": at.isoformat(),
        "source": source,
        "charge_percent": 90.0,
        "state": "charged",
        "minutes_remaining": None,
        "device": "BAT0",
    }


def test_append_goes_to_the_month_file_and_reads_back_sorted(tmp_path: Path) -> None:
    times = [T0 + dt.timedelta(minutes=m) for m in (3, 0, 1, 2)]
    for moment in times:
        append_sample(tmp_path, sample(moment))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "samples-2027-01.jsonl",
        "samples-2027-02.jsonl",
    ]
    read = read_samples(tmp_path)
    assert [s["at"] for s in read.samples] == [m.isoformat() for m in sorted(times)]
    assert read.torn_lines == 0
    since = read_samples(tmp_path, T0 + dt.timedelta(minutes=2))
    assert len(since.samples) == 2


def test_torn_last_line_is_skipped_and_the_next_append_stays_whole(tmp_path: Path) -> None:
    append_sample(tmp_path, sample(T0))
    path = log_path(tmp_path, T0)
    with open(path, "ab") as handle:
        handle.write(b'{"at":"2027-01-31T23:59:00+00:00","sou')  # a crash mid-line
    assert [s["at"] for s in read_samples(tmp_path).samples] == [T0.isoformat()]
    assert read_samples(tmp_path).torn_lines == 1
    append_sample(tmp_path, sample(T0 + dt.timedelta(seconds=90)))
    read = read_samples(tmp_path)
    assert len(read.samples) == 2 and read.torn_lines == 1


WRITER = """
import datetime as dt, sys
from pathlib import Path
from assets.power.log import append_sample
folder = Path(sys.argv[1])
t0 = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
print("ready", flush=True)
i = 0
while True:
    append_sample(folder, {"at": (t0 + dt.timedelta(seconds=i)).isoformat(), "source": "ac",
                           "state": "charged", "charge_percent": 99.0, "pad": "x" * 5000})
    i += 1
"""


def test_sampler_killed_mid_write_loses_at_most_the_line_in_flight(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 30
    path = tmp_path / "samples-2027-01.jsonl"
    while time.monotonic() < deadline:  # poll until the writer has written a fair amount
        if path.exists() and path.stat().st_size > 200_000:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    lines = path.read_bytes().split(b"\n")
    whole = [json.loads(x) for x in lines[:-1]]
    read = read_samples(tmp_path)
    assert len(read.samples) >= len(whole) >= 30
    assert read.torn_lines <= 1
    # The log goes on after the crash: the next sample is whole and readable.
    append_sample(
        tmp_path, {"at": "2027-01-02T00:00:00+00:00", "source": "battery", "state": "discharging"}
    )
    after = read_samples(tmp_path)
    assert after.samples[-1]["source"] == "battery"
    assert len(after.samples) == len(read.samples) + 1
