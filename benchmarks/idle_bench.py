"""Idle cost of `homeclerk serve`: CPU and resident memory of the whole process tree.

Builds a demo folder (`homeclerk demo --dir …`), starts `homeclerk serve` on it with free ports,
waits until the UI, Fava and the feed server answer, lets it settle, then samples CPU time and
RSS of every process of the tree from /proc for `--seconds` (default 600). Prints % of one core,
total MB (average and peak), per child, plus the runs started and the instance's growth.
Targets: ≤ 2 % of one core, ≤ 500 MB. Linux only (/proc).

Usage: python benchmarks/idle_bench.py [--seconds 600] [--settle 60]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.processes import descendants  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (not its children), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE


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
        rss_samples: list[int] = []
        per_child_rss: dict[str, int] = {}
        while time.monotonic() - t0 < args.seconds:
            time.sleep(args.interval)
            total = 0
            for pid in tree(proc.pid):
                try:
                    rss = rss_bytes(pid)
                    cpu0.setdefault(pid, 0.0)  # a process born during the window: all its CPU
                except OSError:
                    continue
                total += rss
                per_child_rss[f"{pid} {name_of(pid)}"] = rss
            rss_samples.append(total)
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
        print(f"window {elapsed:.0f} s, {len(tree(proc.pid))} processes")
        for key in sorted(per_child_cpu):
            rss = per_child_rss.get(key, 0) / 1e6
            print(f"  {key:60} {100 * per_child_cpu[key] / elapsed:5.2f} %  {rss:6.1f} MB")
        print(
            f"idle cost: {100 * used / elapsed:.2f} % of one core (target ≤ 2 %), "
            f"{sum(rss_samples) / len(rss_samples) / 1e6:.0f} MB resident on average, "
            f"{max(rss_samples) / 1e6:.0f} MB at most (target ≤ 500 MB)"
        )
        print(
            f"runs started in the window: {runs_after - runs_before}; instance growth "
            f"{(size_after - size_before) / 1e6:.2f} MB ({size_after / 1e6:.1f} MB now)"
        )
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        log.close()


if __name__ == "__main__":
    main()
