"""Weekly review benchmark: a 52-week backfill from the shell, on a year of demo bank SMS.

    python benchmarks/review_bench.py [--dir FOLDER] [--year 2025]

Builds a demo-like folder (a chat.db with a year of generated messages, its homeclerk.toml),
stores them (sms_messages, transactions), then times `homeclerk review --from YEAR-W01 --to
YEAR-W52` as a user runs it: a new process, one run over 52 partitions. Target ≤ 60 s.
Progress goes to stderr, results to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.demo.build import write_chat_db, write_demo_config
from pipeline.demo.messages import generate_demo_messages
from pipeline.materialize import materialize
from pipeline.settings import load_settings

TARGET_S = 60.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="review-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    end = dt.date.fromisocalendar(args.year, 52, 7)
    messages = generate_demo_messages(end, seed=11, days=371)
    write_chat_db(folder / "chat.db", messages, 11)
    config = write_demo_config(folder, broker_base_url="http://127.0.0.1:9/none")
    settings = load_settings(config)
    print(f"[bench] {len(messages)} messages; storing them", file=sys.stderr)
    rc = materialize(
        settings, "key:sms_messages or key:transactions", out=lambda s: print(s, file=sys.stderr)
    )
    if rc:
        return rc
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMECLERK_", "DAGSTER_"))}
    command = [
        sys.executable, "-m", "pipeline.cli", "--config", str(config), "review",
        "--from", f"{args.year}-W01", "--to", f"{args.year}-W52",
    ]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=env)
    elapsed = time.monotonic() - started
    if done.returncode:
        print(done.stdout + done.stderr, file=sys.stderr)
        return done.returncode
    written = len(list((settings.data_dir / "reviews").glob(f"{args.year}-W*.html")))
    print(
        f"52-week backfill: {elapsed:.1f} s wall ({written} weeks written, one run; "
        f"target ≤ {TARGET_S:.0f} s) {'OK' if elapsed <= TARGET_S else 'OVER'}"
    )
    return 0 if elapsed <= TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
