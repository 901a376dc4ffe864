"""The parser's cost in CPU instructions per message, which a shared host cannot blur.

Wall-clock and CPU-second figures of `parse_throughput.py` drift with the host: on one host the
same commit measured from 150,000 down to 54,000 msgs per CPU second on different days, while its
`timeit` reference barely moved. Instructions retired do not drift: this runs the throughput
benchmark's workload (the labelled corpora repeated and shuffled) under valgrind's callgrind for
N messages and for none, and prints the difference per message. `--tree PATH` runs the parser of
another checkout (a `git worktree add` of an older commit) on this checkout's corpora, so two
parsers are compared on the same messages.

Usage: python benchmarks/parse_instructions.py [N] [--tree PATH] [--corpora A.jsonl,B.jsonl]
(default 5000 messages of sms-dev and sms-extra; needs valgrind)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "sms"

# Runs inside valgrind: the workload of parse_throughput.py, with the parser of sys.path[0].
_WORKLOAD = """
import json, random, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from assets.transactions.parsing import parse_message
data = Path(sys.argv[2])
corpus = [
    (record["sender"], record["body"])
    for name in sys.argv[4].split(",")
    for record in map(json.loads, (data / name).read_text(encoding="utf-8").splitlines())
]
count = int(sys.argv[3])
messages = [corpus[i % len(corpus)] for i in range(count)]
random.Random(7).shuffle(messages)
for sender, body in messages:
    parse_message(sender, body)
"""


DEFAULT_CORPORA = "sms-dev.jsonl,sms-extra.jsonl"  # parse_throughput.py's workload


def instructions(tree: Path, count: int, workdir: Path, corpora: str = DEFAULT_CORPORA) -> int:
    """Instructions valgrind counted for a run over `count` messages with `tree`'s parser."""
    script = workdir / "workload.py"
    script.write_text(_WORKLOAD, encoding="utf-8")
    out = workdir / f"callgrind.{count}"
    result = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            str(script),
            str(tree),
            str(DATA),
            str(count),
            corpora,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # string hashes cost the same every run
        check=False,
    )
    found = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"valgrind run failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return int(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=5000)
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout whose parser runs")
    parser.add_argument(
        "--corpora",
        default=DEFAULT_CORPORA,
        help="comma-separated files of tests/data/sms (default: the throughput benchmark's); "
        "e.g. sms-heldout.jsonl,sms-researched.jsonl,sms-wild.jsonl for wordings of banks "
        "without formats of their own, read by the generic layer",
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind (Debian/Ubuntu)")
    tree = args.tree.resolve()
    with tempfile.TemporaryDirectory() as workdir:
        base = instructions(tree, 0, Path(workdir), args.corpora)
        total = instructions(tree, args.count, Path(workdir), args.corpora)
    per_message = (total - base) / args.count
    print(f"{per_message:,.0f} instructions per message ({args.count} messages, parser of {tree})")


if __name__ == "__main__":
    main()
