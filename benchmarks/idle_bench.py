"""Idle cost of `homeclerk serve`: CPU and resident memory of the whole process tree.

Builds a demo folder (`homeclerk demo --dir …`), starts `homeclerk serve` on it with free ports,
waits until the UI, Fava and the feed server answer, lets it settle, then samples CPU time and
memory of every process of the tree from /proc for `--seconds` (default 600). Prints % of one
core, and per process and in total (average over the samples, and the peak total) three memory
figures from /proc/PID/smaps_rollup:
- RSS: pages resident for that process; the sum over processes counts a page shared by several
  processes (the interpreter, shared libraries, pages inherited across fork) once per process.
- PSS: each shared page divided among the processes sharing it; the sum is the tree's honest
  "resident in total".
- USS: pages only that process holds (what stopping it would free).
Plus the runs started and the instance's growth. Targets: ≤ 2 % of one core, ≤ 500 MB.
Linux only (/proc).

`--ntfy`: with a notification channel configured (an ntfy topic this bench serves on 127.0.0.1,
answering every message), the notify sensors tick at their own pace instead of hourly: the idle
cost of a machine that sends notifications.

Usage: python benchmarks/idle_bench.py [--seconds 600] [--settle 60] [--ntfy]
"""

from __future__ import annotations

import argparse
import http.server
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

from pipeline.service.processes import descendants  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
MB = 1e6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (not its children), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_bytes(pid: int) -> tuple[int, int, int]:
    """(RSS, PSS, USS) of one process in bytes, from /proc/PID/smaps_rollup."""
    fields: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) * 1024
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return fields.get("Rss", 0), fields.get("Pss", 0), uss


def name_of(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            parts = f.read().split(b"\0")
    except OSError:
        return "?"
    words = [p.decode(errors="replace") for p in parts if p]
    for i, word in enumerate(words):
        if word == "-m" and i + 1 < len(words):
            rest = " ".join(words[i + 1 : i + 3])
            return rest
    return " ".join(Path(w).name for w in words[:2])


def tree(pid: int) -> set[int]:
    return {pid} | descendants(pid)


class Topic(http.server.BaseHTTPRequestHandler):
    """An ntfy topic that takes every message (counted) and answers 200."""

    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Topic.received += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_count(home: Path) -> int:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dagster import DagsterInstance as I; print(I.get().get_runs_count())",
        ],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--settle", type=float, default=60, help="seconds ignored after start")
    parser.add_argument("--interval", type=float, default=5)
    parser.add_argument("--ntfy", action="store_true", help="with a notification channel")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="homeclerk-idle-")) / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "demo", "--dir", str(folder)],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    ports = {"ui": free_port(), "fava": free_port(), "feeds": free_port()}
    config = folder / "homeclerk.toml"
    with config.open("a") as f:
        f.write(
            f"\n[service]\nui_port = {ports['ui']}\nfava_port = {ports['fava']}\n"
            f"feeds_port = {ports['feeds']}\n"
        )
        if args.ntfy:
            topic = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Topic)
            threading.Thread(target=topic.serve_forever, daemon=True).start()
            f.write(f'\n[notify]\nntfy_url = "http://127.0.0.1:{topic.server_port}/homeclerk"\n')
    env["HOMECLERK_CONFIG"] = str(config)
    home = folder / "data" / "dagster"
    log = (folder / "serve.out").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "serve"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        started = time.monotonic()
        while not all(port_open(p) for p in ports.values()):
            if proc.poll() is not None or time.monotonic() - started > 300:
                raise SystemExit(f"serve did not come up; see {folder / 'serve.out'}")
            time.sleep(0.5)
        print(f"all children up after {time.monotonic() - started:.1f} s; settling {args.settle} s")
        time.sleep(args.settle)
        runs_before, size_before = run_count(home), folder_bytes(home)
        pids = tree(proc.pid)
        cpu0 = {p: cpu_seconds(p) for p in pids}
        t0 = time.monotonic()
        totals: list[tuple[int, int, int]] = []  # (RSS, PSS, USS) summed over the tree
        # Per process: the sum of its samples and how many, for an average.
        per_proc: dict[str, list[int]] = {}
        while time.monotonic() - t0 < args.seconds:
            time.sleep(args.interval)
            total = [0, 0, 0]
            for pid in tree(proc.pid):
                try:
                    mem = memory_bytes(pid)
                    cpu0.setdefault(pid, 0.0)  # a process born during the window: all its CPU
                except OSError:
                    continue
                acc = per_proc.setdefault(f"{pid} {name_of(pid)}", [0, 0, 0, 0])
                for i in range(3):
                    total[i] += mem[i]
                    acc[i] += mem[i]
                acc[3] += 1
            totals.append((total[0], total[1], total[2]))
        elapsed = time.monotonic() - t0
        used = 0.0
        per_child_cpu: dict[str, float] = {}
        for pid, start in cpu0.items():
            try:
                spent = cpu_seconds(pid) - start
            except OSError:
                continue  # exited during the window (a run worker): its CPU is not counted
            used += spent
            per_child_cpu[f"{pid} {name_of(pid)}"] = spent
        runs_after, size_after = run_count(home), folder_bytes(home)
        print(f"window {elapsed:.0f} s, {len(tree(proc.pid))} processes (memory: average MB)")
        print(f"  {'process':52} {'CPU':>7} {'RSS':>7} {'PSS':>7} {'USS':>7}")
        for key in sorted(per_child_cpu.keys() | per_proc.keys()):
            acc = per_proc.get(key, [0, 0, 0, 1])
            rss, pss, uss = (acc[i] / max(acc[3], 1) / MB for i in range(3))
            cpu = 100 * per_child_cpu.get(key, 0.0) / elapsed
            print(f"  {key[:52]:52} {cpu:5.2f} % {rss:7.1f} {pss:7.1f} {uss:7.1f}")
        n = len(totals)
        avg = [sum(t[i] for t in totals) / n / MB for i in range(3)]
        peak = [max(t[i] for t in totals) / MB for i in range(3)]
        print(
            f"idle cost: {100 * used / elapsed:.2f} % of one core (target ≤ 2 %); "
            f"memory (target ≤ 500 MB): RSS sum {avg[0]:.0f} MB average, {peak[0]:.0f} MB at "
            f"most; PSS sum {avg[1]:.0f} MB average, {peak[1]:.0f} MB at most; "
            f"USS sum {avg[2]:.0f} MB average"
        )
        print(
            f"runs started in the window: {runs_after - runs_before}; instance growth "
            f"{(size_after - size_before) / 1e6:.2f} MB ({size_after / 1e6:.1f} MB now)"
            + (f"; notifications received: {Topic.received}" if args.ntfy else "")
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    main()
