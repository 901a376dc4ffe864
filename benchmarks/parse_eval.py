"""Score the parser on labelled corpora, per issuer and overall.

Usage: python benchmarks/parse_eval.py [--loio] [--misses] [CORPUS.jsonl ...]
(default corpora: sms-dev, sms-extra, sms-heldout, sms-researched, sms-apps, sms-wild,
sms-wild2, sms-wild3, sms-wild4 and sms-wild5 in tests/data/sms)

--loio (leave one issuer out): each issuer's messages are parsed with that issuer's own formats
switched off, so the figures say how the rest of the parser (the generic layer and generic
formats) reads a bank it was not written for. Messages of banks without formats are scored as
they are (nothing to switch off).

--misses: after the table, every message that is not fully right (or is a false positive),
with what was expected and what came out, to read each miss.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from assets.transactions.parsing import issuer_for_sender, parse_message
from assets.transactions.parsing.core import disable_issuer_formats
from assets.transactions.parsing.jsonl import transaction_json

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "sms"
CORPORA = (
    "sms-dev.jsonl",
    "sms-extra.jsonl",
    "sms-heldout.jsonl",
    "sms-researched.jsonl",
    "sms-apps.jsonl",
    "sms-wild.jsonl",
    "sms-wild2.jsonl",
    "sms-wild3.jsonl",
    "sms-wild4.jsonl",
    "sms-wild5.jsonl",
)
FIELDS = ("amount", "direction", "counterparty", "account_tail", "balance", "reference", "channel")
FIELDS = (*FIELDS, "date")


def main() -> None:
    args = sys.argv[1:]
    loio = "--loio" in args
    show_misses = "--misses" in args
    paths = [Path(p) for p in args if not p.startswith("--")] or [DATA / name for name in CORPORA]
    cases = [
        json.loads(line)
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: list[tuple[dict, dict | None]] = []
    for case in cases:
        issuer = issuer_for_sender(case["sender"])
        disable_issuer_formats([issuer] if loio and issuer else [])
        txn = parse_message(case["sender"], case["body"]).transaction
        got = None if txn is None else transaction_json(txn)
        for key in (case["bank"], "ALL"):
            score(stats[key], case["expected"], got)
        if show_misses and not fully_right(case["expected"], got):
            misses.append((case, got))
    disable_issuer_formats([])
    print("leave-one-issuer-out: each issuer's own formats disabled" if loio else "all formats")
    width = max(len(bank) for bank in stats) + 2
    header = f"{'issuer':<{width}}{'txns':>5}{'found':>7}{'full':>8}{'amount':>8}"
    header += "".join(f"{f[:7]:>8}" for f in FIELDS[1:]) + f"{'negs':>6}{'FP':>5}"
    print(header)
    for bank in sorted(stats, key=lambda b: (b == "ALL", b)):
        s = stats[bank]
        n = s["positives"] or 1
        row = f"{bank:<{width}}{s['positives']:>5}{pct(s['found'], n):>7}{pct(s['full'], n):>8}"
        row += "".join(f"{pct(s[f], n):>8}" for f in FIELDS)  # amount first, then the rest
        row += f"{s['negatives']:>6}{pct(s['false_positives'], s['negatives'] or 1):>5}"
        print(row)
    s = stats["ALL"]
    found = s["found"] or 1
    print(
        f"of those found: amount and direction right {pct(s['amount_direction'], found)}; "
        f"false positives {s['false_positives']} of {s['negatives']} negatives"
    )
    print(
        "full = amount (in its currency), direction and counterparty right; "
        "FP = negatives taken as transactions"
    )
    for case, got in misses:
        print(f"\n{case['id']} {case['sender']}: {case['body']!r}")
        expected = case["expected"]
        if expected is None or got is None:
            print(f"  expected {expected}\n  got      {got}")
            continue
        for f in FIELDS:
            if got[f] != expected[f]:
                print(f"  {f}: expected {expected[f]!r}, got {got[f]!r}")


def fully_right(expected: dict | None, got: dict | None) -> bool:
    """Whether a case came out fully right: a negative refused, or amount, direction, payee."""
    if expected is None or got is None:
        return expected is None and got is None
    return (
        got["amount"] == expected["amount"]
        and got["currency"] == expected.get("currency", "INR")
        and got["direction"] == expected["direction"]
        and got["counterparty"] == expected["counterparty"]
    )


def score(s: dict[str, int], expected: dict | None, got: dict | None) -> None:
    """Add one case to the tallies: a negative or a positive, and which fields came out right."""
    if expected is None:
        s["negatives"] += 1
        s["false_positives"] += got is not None
        return
    s["positives"] += 1
    if got is None:
        return
    s["found"] += 1
    right = {f: got[f] == expected[f] for f in FIELDS}
    right["amount"] = right["amount"] and got["currency"] == expected.get("currency", "INR")
    for f in FIELDS:
        s[f] += right[f]
    s["amount_direction"] += right["amount"] and right["direction"]
    s["full"] += right["amount"] and right["direction"] and right["counterparty"]


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%"


if __name__ == "__main__":
    main()
