"""Bursts: many bank SMS in a short time → how many `bank_sms_job` runs, how long, how much CPU.

Starts `homeclerk serve` on a small demo folder (its chat.db, no warehouse yet), waits for the
first run and an empty queue, then for each burst appends COUNT bank SMS evenly over SECONDS
(one chat.db transaction each, as Messages writes them) and waits until the newest is in
`feeds/expenses.json` and no run is queued or in progress. Per burst it reports the runs launched
(bank_sms_job runs created from the burst's first SMS on), the most runs queued at once, the
drain (last SMS → feed and → queue empty) and the CPU seconds of the whole serve process tree
(live processes plus the children they reaped, from /proc). After the service stopped it checks
that every SMS of every burst is in the warehouse's transactions, once.

Targets (issue 18): steady bursts (150 over 60 s, 300 over 120 s) → at most one run per 5 s of
burst plus two, feed and queue done within 30 s of the last SMS; a tight 100 in ~3 s ≤ 3 runs.
Usage: python benchmarks/burst_bench.py [--burst 150/60] [--burst 300/120] [--burst 100/3]
Linux only (/proc). Runs the checkout it sits in (PYTHONPATH is set for the service).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.sms.chatdb import utc_to_apple_ns  # noqa: E402
from pipeline.demo.build import write_chat_db, write_demo_config  # noqa: E402
from pipeline.demo.chatdb_writer import NewMessage, append_messages  # noqa: E402
from pipeline.demo.messages import IST, generate_demo_messages  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
UNFINISHED = ("QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree(root: int) -> list[int]:
    """root and every descendant, from /proc (children of each process)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def tree_cpu(root: int) -> float:
    """CPU seconds of the tree: utime+stime of each live process and of children it reaped."""
    total = 0
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def runs(home: Path) -> list[tuple[str, str, float]]:
    """(run id, status, created at) of every bank_sms_job run."""
    from dagster import DagsterInstance, RunsFilter

    with DagsterInstance.from_config(str(home)) as instance:
        return [
            (r.dagster_run.run_id, r.dagster_run.status.value, r.create_timestamp.timestamp())
            for r in instance.get_run_records(RunsFilter(job_name="bank_sms_job"))
        ]


def feed_guids(feed: Path) -> set[str]:
    try:
        return {row["id"] for row in json.loads(feed.read_text())["recent"]}
    except (FileNotFoundError, ValueError, KeyError):
        return set()


def wait(condition, timeout: float, what: str, every: float = 0.5):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise SystemExit(f"timed out waiting for {what}")


def message(guid: str, n: int, today: dt.date) -> NewMessage:
    body = (
        f"Rs.{100 + n % 900}.{n % 100:02d} debited from a/c **1276 on {today:%d-%m-%y} to VPA "
        f"burst.probe@ybl(UPI Ref No {700000000000 + n}). Not you? Call 18002586161"
    )
    return NewMessage(
        guid=guid,
        sender="VM-HDFCBK",
        text=body,
        attributed_body=None,
        date=utc_to_apple_ns(dt.datetime.now(dt.UTC)),
    )


def burst(
    folder: Path, proc: subprocess.Popen[bytes], count: int, seconds: float, tag: str
) -> tuple[dict[str, float], list[str]]:
    home, feed = folder / "data" / "dagster", folder / "data" / "feeds" / "expenses.json"
    chat_db = folder / "chat.db"
    today = dt.datetime.now(IST).date()
    before = {r[0] for r in runs(home)}
    cpu0 = tree_cpu(proc.pid)
    most_queued, stop = [0], threading.Event()

    def sample() -> None:  # the most runs waiting at once (the bench's CPU, not the service's)
        while not stop.wait(1.0):
            queued = sum(1 for r in runs(home) if r[1] in ("QUEUED", "NOT_STARTED"))
            most_queued[0] = max(most_queued[0], queued)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    guids = [f"BURST-{tag}-{i}-{time.time_ns()}" for i in range(count)]
    t0 = time.monotonic()
    for i, guid in enumerate(guids):
        due = t0 + seconds * i / max(count - 1, 1)
        time.sleep(max(0.0, due - time.monotonic()))
        append_messages(chat_db, [message(guid, i, today)])
    last = time.monotonic()
    wait(lambda: guids[-1] in feed_guids(feed), 600, "the burst's last SMS in the feed")
    in_feed = time.monotonic() - last
    wait(lambda: not any(r[1] in UNFINISHED for r in runs(home)), 600, "an empty queue")
    drained = time.monotonic() - last
    cpu = tree_cpu(proc.pid) - cpu0
    stop.set()
    sampler.join()
    launched = [r for r in runs(home) if r[0] not in before]
    return {
        "count": count,
        "seconds": seconds,
        "runs": len(launched),
        "failed_runs": sum(1 for r in launched if r[1] != "SUCCESS"),
        "target_runs": int(seconds // 5) + 2,
        "most_queued": most_queued[0],
        "last_sms_to_feed_s": round(in_feed, 1),
        "last_sms_to_empty_queue_s": round(drained, 1),
        "cpu_s": round(cpu, 1),
    }, guids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--burst", action="append", help="COUNT/SECONDS, repeatable (default 150/60, 100/3)"
    )
    args = parser.parse_args()
    bursts = [tuple(float(x) for x in b.split("/")) for b in (args.burst or ["150/60", "100/3"])]
    folder = Path(tempfile.mkdtemp(prefix="homeclerk-burst-"))
    now = dt.datetime.now(IST)
    history = generate_demo_messages(now.date(), seed=3, days=5, until=now)
    write_chat_db(folder / "chat.db", history, seed=3)
    config = write_demo_config(folder, broker_base_url="http://127.0.0.1:9/none")
    with config.open("a") as f:
        f.write(
            f"\n[service]\nui_port = {free_port()}\nfava_port = {free_port()}\n"
            f"feeds_port = {free_port()}\n"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env["HOMECLERK_CONFIG"] = str(config)
    env["PYTHONPATH"] = str(ROOT)  # this checkout, whatever the environment has installed
    log = (folder / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "serve"],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    home, feed = folder / "data" / "dagster", folder / "data" / "feeds" / "expenses.json"
    all_guids: list[str] = []
    try:
        wait(feed.exists, 400, "the first run's feed")
        wait(lambda: not any(r[1] in UNFINISHED for r in runs(home)), 300, "an empty queue")
        time.sleep(5)  # the watcher's baseline and the UI settled; not a measurement sync
        for n, (count, seconds) in enumerate(bursts):
            result, guids = burst(folder, proc, int(count), seconds, str(n))
            all_guids += guids
            print(json.dumps(result), flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()
    import duckdb

    with duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True) as db:
        db.execute("CREATE TEMP TABLE want (guid VARCHAR)")
        db.executemany("INSERT INTO want VALUES (?)", [[g] for g in all_guids])
        stored = db.execute(
            "SELECT count(*), count(DISTINCT t.message_guid) FROM transactions t"
            " JOIN want w ON w.guid = t.message_guid"
        ).fetchone()
    print(f"stored: {stored[1]} of {len(all_guids)} SMS, {stored[0]} transactions", flush=True)
    print(f"folder: {folder}")


if __name__ == "__main__":
    main()
