"""What learned categories cost a run of `transactions`, on a warehouse of three years.

    python benchmarks/learned_bench.py [--seed N] [--repeat N] [--histories N]

Stores the evaluation history (tests/transactions/learned_history.py: about 2,800 transactions
over 36 months) in a real DuckDB warehouse, every month filed but the last (left
`Uncategorized`), then times `apply_learned` at 0.95: (a) the first run (learn from 35 months,
suggest for the last, file what is sure enough); (b) a run with nothing changed (the
fingerprint check is all it does); (c) with the setting off and no learned row (one count).
`--histories 32` stores 32 histories at once (about 90,000 transactions, 3,300 to file).
Results go to stdout.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets.common.warehouse import connect
from assets.transactions.learned_apply import apply_learned
from tests.transactions.learned_history import MONTHS, TZ, history, store_history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--histories",
        type=int,
        default=1,
        help="store this many histories at once (a bigger owner)",
    )
    args = parser.parse_args()
    first: list[tuple[float, float]] = []
    unchanged: list[tuple[float, float]] = []
    off: list[tuple[float, float]] = []
    filed = stored = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "warehouse.duckdb"
            rows = [r for k in range(args.histories) for r in history(args.seed + k)]
            stored = store_history(path, rows, filed_before=MONTHS - 1)
            with connect(path) as con:
                filed = _timed(first, lambda: apply_learned(con, 0.95, TZ))
                assert _timed(unchanged, lambda: apply_learned(con, 0.95, TZ)) == 0
                apply_learned(con, None, TZ)  # gives the learned rows back
                _timed(off, lambda: apply_learned(con, None, TZ))
    print(f"{stored} transactions stored; the first run filed {filed} of the last month's")
    print("median wall / CPU time (CPU: all threads of this process; the wall time also counts")
    print("waiting for a shared machine's cores)")
    for label, times in (
        ("(a) first run (learn, suggest, file)", first),
        ("(b) nothing changed (fingerprint only)", unchanged),
        ("(c) setting off, nothing learned", off),
    ):
        wall = statistics.median(t[0] for t in times) * 1000
        cpu = statistics.median(t[1] for t in times) * 1000
        print(f"{label:40} {wall:8.1f} ms / {cpu:8.1f} ms")


def _timed(into: list[tuple[float, float]], run: Callable[[], int]) -> int:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    into.append((time.perf_counter() - wall, time.process_time() - cpu))
    return result


if __name__ == "__main__":
    main()
