"""Latency: a new bank SMS in chat.db → `feeds/expenses.json`, with the Dagster daemon running.

Starts `homeclerk serve` (the service: shared code server, daemon, UI, Fava, feeds; or
`homeclerk ui` with `--command ui`) on a small demo folder, appends bank SMS one at a time and
times how long each takes to show up in the feed. A real SMS arrives at any moment of the
sensor's and the run queue's 5 s loops: before each SMS the bench waits a random 0-5 s (seeded)
so the samples do not all land at the same phase of those loops, as back-to-back ones would.
Target: ≤ 10 s, median and worst of 10.
Usage: python benchmarks/latency_bench.py [--samples 10] [--command serve|ui] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assets.sms.chatdb import utc_to_apple_ns  # noqa: E402
from pipeline.demo.build import write_chat_db, write_demo_config  # noqa: E402
from pipeline.demo.chatdb_writer import NewMessage, append_messages  # noqa: E402
from pipeline.demo.messages import IST, generate_demo_messages  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def feed_has(feed: Path, guid: str) -> bool:
    try:
        recent = json.loads(feed.read_text())["recent"]
    except (FileNotFoundError, ValueError, KeyError):
        return False
    return any(row["id"] == guid for row in recent)


def wait(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise SystemExit(f"timed out waiting for {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--command", choices=("serve", "ui"), default="serve")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    ui_port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="homeclerk-latency-"))
    now = dt.datetime.now(IST)
    history = generate_demo_messages(now.date(), seed=3, days=5, until=now)
    write_chat_db(folder / "chat.db", history, seed=3)
    config = write_demo_config(folder, broker_base_url="http://127.0.0.1:9/none")
    with config.open("a") as f:  # free ports: two benches (or a running service) can coexist
        f.write(
            f"\n[service]\nui_port = {ui_port}\nfava_port = {free_port()}\n"
            f"feeds_port = {free_port()}\n"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    env["HOMECLERK_CONFIG"] = str(config)
    log = (folder / "ui.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            *(["serve"] if args.command == "serve" else ["ui", "--port", str(ui_port)]),
        ],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    feed = folder / "data" / "feeds" / "expenses.json"
    try:
        started = time.monotonic()
        wait(feed.exists, 300, "the first sensor-started run")
        print(f"service up and first feed written after {time.monotonic() - started:.1f} s")
        results = []
        for i in range(args.samples):
            time.sleep(rng.uniform(0, 5))  # a random phase of the daemon's loops, not a sync
            amount = f"{4321 + i}.{17 + i:02d}"
            body = (
                f"Rs.{amount} debited from a/c **1276 on {now:%d-%m-%y} to VPA "
                f"latency.probe@ybl(UPI Ref No {600000000000 + i}). Not you? Call 18002586161"
            )
            guid = f"LATENCY-{time.time_ns()}"
            message = NewMessage(
                guid=guid,
                sender="VM-HDFCBK",
                text=body,
                attributed_body=None,
                date=utc_to_apple_ns(dt.datetime.now(dt.UTC)),
            )
            t0 = time.monotonic()
            append_messages(folder / "chat.db", [message])
            wait(lambda g=guid: feed_has(feed, g), 120, f"SMS {i} in the feed")
            latency = time.monotonic() - t0
            results.append(latency)
            print(f"sample {i + 1}: SMS → feed in {latency:.1f} s")
        print(
            f"latency over {len(results)} samples ({args.command}): min {min(results):.1f} s, "
            f"median {statistics.median(results):.1f} s, max {max(results):.1f} s (target ≤ 10 s)"
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    main()
