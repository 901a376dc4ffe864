"""Score the parser on labelled corpora, per issuer and overall.

Usage: python benchmarks/parse_eval.py [CORPUS.jsonl ...]   (default: both in tests/data/sms)
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from assets.transactions.parsing import parse_message
from assets.transactions.parsing.jsonl import transaction_json

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "sms"
FIELDS = ("amount", "direction", "counterparty", "account_tail", "balance", "reference", "channel")
FIELDS = (*FIELDS, "date")


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [DATA / "sms-dev.jsonl", DATA / "sms-extra.jsonl"]
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            txn = parse_message(case["sender"], case["body"]).transaction
            for key in (case["bank"], "ALL"):
                score(stats[key], case["expected"], None if txn is None else transaction_json(txn))
    header = f"{'issuer':<22}{'txns':>5}{'found':>7}{'full':>8}{'amount':>8}"
    header += "".join(f"{f[:7]:>8}" for f in FIELDS[1:]) + f"{'negs':>6}{'FP':>5}"
    print(header)
    for bank in sorted(stats, key=lambda b: (b == "ALL", b)):
        s = stats[bank]
        n = s["positives"] or 1
        row = f"{bank:<22}{s['positives']:>5}{pct(s['found'], n):>7}{pct(s['full'], n):>8}"
        row += "".join(f"{pct(s[f], n):>8}" for f in FIELDS)  # amount first, then the rest
        row += f"{s['negatives']:>6}{pct(s['false_positives'], s['negatives'] or 1):>5}"
        print(row)
    print("full = amount, direction and counterparty right; FP = negatives taken as transactions")


def score(s: dict[str, int], expected: dict | None, got: dict | None) -> None:
    if expected is None:
        s["negatives"] += 1
        s["false_positives"] += got is not None
        return
    s["positives"] += 1
    if got is None:
        return
    s["found"] += 1
    right = {f: got[f] == expected[f] for f in FIELDS}
    for f in FIELDS:
        s[f] += right[f]
    s["full"] += right["amount"] and right["direction"] and right["counterparty"]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%"


if __name__ == "__main__":
    main()
