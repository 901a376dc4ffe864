"""SMS webhook benchmark: latency at a steady rate, and the kill -9 test's numbers.

    python benchmarks/webhook_bench.py [--rate 50] [--seconds 20] [--crash-posts 1000] [--dir D]

The spools are written in temp folders under D (default: the system's temp folder; on a tmpfs
an fsync costs nothing, so give a folder on the disk the data folder is on).

1. Latency: a server (`python -m pipeline.service.webhook_server`, a process of its own, spool
   in a temp folder) gets `rate` POSTs a second, each a new bank SMS with its own id, paced on a
   fixed schedule (not "after the previous answer", which would hide queueing), over 8
   connections for `seconds`; p50/p99/max of the answer time, each answer 202 after the fsync.
   Target: p99 ≤ 50 ms at 50 requests/s.
2. Crash: `crash-posts` POSTs from 8 threads, the server killed with SIGKILL after half are
   answered, restarted; the ingest then stores the spool into a fresh warehouse. Reported: how
   many were answered 202, how many stored, how many of the 202s are missing (must be 0), how
   many are stored twice (must be 0), and after the unanswered are sent again (an app's retry)
   and ingested, whether every message is stored exactly once.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.sms.webhook_ingest import ingest_webhook_spool, message_guid  # noqa: E402

TOKEN = "benchmark-token-0123456789abcdef"
BODY = "Sent Rs.{a}.00\nFrom HDFC Bank A/C *1276\nTo SHOP {n}\nOn 24/08/25\nRef 4{n:011d}"
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
WORK_DIR: list[str | None] = [None]


def payload(n: int) -> bytes:
    at = int((START + dt.timedelta(seconds=n)).timestamp() * 1000)
    return json.dumps(
        {"from": "VM-HDFCBK", "body": BODY.format(a=100 + n % 900, n=n), "received_at": at,
         "id": f"bench-{n}"}
    ).encode()  # fmt: skip


def start_server(spool: Path) -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ, SMS_WEBHOOK_TOKEN=TOKEN)
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.service.webhook_server", str(spool), "--port", "0",
         "--rate", "100000", "--burst", "100000"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, int(line.rsplit(":", 1)[1].split("/")[0])


class Poster:
    """One keep-alive connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def post(self, data: bytes) -> int:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.local.connection = connection
        try:
            connection.request(
                "POST", "/sms", body=data,
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            )  # fmt: skip
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            connection.close()
            self.local.connection = None
            raise


def latency(rate: float, seconds: float) -> None:
    with tempfile.TemporaryDirectory(dir=WORK_DIR[0]) as tmp:
        proc, port = start_server(Path(tmp) / "sms-spool")
        poster = Poster(port)
        count = int(rate * seconds)
        times: list[float] = []
        statuses: list[int] = []
        lock = threading.Lock()
        begin = time.perf_counter() + 0.2

        def one(n: int) -> None:
            due = begin + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            t0 = time.perf_counter()
            status = poster.post(payload(n))
            took = time.perf_counter() - t0
            with lock:
                times.append(took)
                statuses.append(status)

        try:
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(one, range(count)))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        ms = sorted(t * 1000 for t in times)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"latency: {count} POSTs at {rate:g}/s over {seconds:g} s: p50 "
            f"{statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {ms[-1]:.1f} ms; "
            f"{statuses.count(202)} answered 202 (target p99 ≤ 50 ms: "
            f"{'met' if p99 <= 50 else 'NOT met'})"
        )


def crash(posts: int) -> None:
    with tempfile.TemporaryDirectory(dir=WORK_DIR[0]) as tmp:
        spool, warehouse = Path(tmp) / "sms-spool", Path(tmp) / "warehouse.duckdb"
        proc, port = start_server(spool)
        poster = Poster(port)
        answered: dict[int, int] = {}

        def one(n: int) -> None:
            with contextlib.suppress(OSError, http.client.HTTPException):
                answered[n] = poster.post(payload(n))

        def killer() -> None:
            while len(answered) < posts // 2:
                time.sleep(0.001)
            os.kill(proc.pid, signal.SIGKILL)

        threading.Thread(target=killer, daemon=True).start()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(posts)))
        proc.wait(timeout=30)
        accepted = {n for n, s in answered.items() if s == 202}
        torn_before = (spool / "spool.jsonl").read_bytes()
        torn = 0 if not torn_before or torn_before.endswith(b"\n") else 1
        stats = ingest_webhook_spool(spool, warehouse, ["HDFCBK"])
        stored = _stored(warehouse)
        wanted = {message_guid(f"i:bench-{n}") for n in accepted}
        everything = {message_guid(f"i:bench-{n}") for n in range(posts)}
        print(
            f"crash: {posts} POSTs, SIGKILL after {posts // 2} answers: {len(accepted)} answered "
            f"202, {stats.stored} stored by the ingest after the restart ({stats.torn_lines} torn "
            f"line(s) skipped; torn tail at the kill: {torn}); 202s missing "
            f"{len(wanted - set(stored))}, stored twice {len(stored) - len(set(stored))}, "
            f"stored but never posted {len(set(stored) - everything)}"
        )
        proc, port = start_server(spool)
        poster = Poster(port)
        retried = [n for n in range(posts) if n not in accepted]
        try:
            again = [poster.post(payload(n)) for n in retried]
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        ingest_webhook_spool(spool, warehouse, ["HDFCBK"])
        stored = _stored(warehouse)
        print(
            f"crash: the {len(retried)} unanswered sent again ({again.count(202)} × 202, "
            f"{again.count(200)} × 200 duplicate); stored now {len(stored)} distinct of {posts} "
            f"posted, each exactly once: {sorted(stored) == sorted(everything)}"
        )


def _stored(warehouse: Path) -> list[str]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [g for (g,) in con.execute("SELECT guid FROM sms_messages").fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--crash-posts", type=int, default=1000)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    WORK_DIR[0] = args.dir
    latency(args.rate, args.seconds)
    crash(args.crash_posts)


if __name__ == "__main__":
    main()
