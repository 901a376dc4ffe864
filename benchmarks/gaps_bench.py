"""Balance-gap benchmark: the chains of 100,000 stored alerts read and checked, as every bank-SMS
run does (the `balances_chain_whole` check and the expenses feed each read them once).

    python benchmarks/gaps_bench.py [--alerts 100000] [--drop 0.01]

Stores a consistent stream of alerts (benchmarks/ledger_bench.py's) in a DuckDB warehouse with a
share of them dropped, then times `read_gaps` (read the rows, chain them, split by the owner's
entries) and says how many gaps it found against how many alerts were dropped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

from assets.books.accounts import parse_account_mapping
from assets.books.gaps import read_gaps
from assets.common.warehouse import connect
from assets.transactions.stored import StoredTransaction
from assets.transactions.tables import ensure_transactions_table
from benchmarks.ledger_bench import SAVINGS, TZ, make_alerts


def store_transactions(path: Path, alerts: list[StoredTransaction]) -> None:
    """The alerts as `transactions` rows of a DuckDB warehouse, in one insert."""
    import pandas as pd

    frame = pd.DataFrame(
        [
            (
                a.message_guid,
                a.message_rowid,
                "VM-HDFCBK",
                a.received_at,
                "transaction",
                None,
                str(a.amount),
                a.direction,
                a.counterparty,
                a.account_tail,
                None if a.balance is None else str(a.balance),
                a.reference,
                a.channel,
                a.txn_date,
                True,
                a.bank,
                a.instrument,
                a.category,
                "transfer",
                "INR",
                None,
                None,  # category_source: filed by the rules
            )
            for a in alerts
        ]
    )
    with connect(path) as con:
        ensure_transactions_table(con)
        con.register("frame", frame)
        con.execute("INSERT INTO transactions SELECT * FROM frame")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--drop", type=float, default=0.01)
    args = parser.parse_args()
    # Card alerts here state no limit (the stream's limit is a constant, not a real one).
    alerts = [
        a._replace(balance=None) if a.instrument == "credit_card" else a
        for a in make_alerts(args.alerts, dt.date(2020, 1, 1))
    ]
    rng = random.Random(3)
    kept = [a for a in alerts if rng.random() >= args.drop]
    dropped = len(alerts) - len(kept)
    # The gaps there must be: each run of dropped savings alerts between two kept ones (every
    # savings alert states its balance; the card's state none, so no card gap can show).
    kept_ids = {a.message_guid for a in kept}
    savings = [a.message_guid in kept_ids for a in alerts if a.instrument == "account"]
    expected = sum(
        1 for i in range(1, len(savings)) if savings[i] and not savings[i - 1] and any(savings[:i])
    )
    mapping = parse_account_mapping([{"bank": "HDFC", "tail": "1276", "account": SAVINGS}])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "warehouse.duckdb"
        store_transactions(path, kept)
        with connect(path, read_only=True) as con:
            started = time.perf_counter()
            report = read_gaps(con, mapping, TZ)
            took = time.perf_counter() - started
    print(
        f"{len(kept)} alerts stored ({dropped} dropped): {len(report.open)} gap(s) found "
        f"({expected} expected) in {took:.2f} s"
    )
    return 0 if len(report.open) == expected else 1


if __name__ == "__main__":
    sys.exit(main())
