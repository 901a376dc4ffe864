"""Loading the labelled SMS corpora kept under tests/data/sms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assets.transactions.model import Transaction
from assets.transactions.parsing.jsonl import transaction_json

SMS_DATA = Path(__file__).resolve().parent.parent / "data" / "sms"
# The labelled corpora the suite holds the parser to, line by line (sms-apps: wallets, payment
# apps, fintech cards and fund houses, real wordings; sms-wild, sms-wild2: the third and fourth
# batches of real wordings; the lines of all three also label `instrument`).
CORPORA = (
    "sms-dev.jsonl",
    "sms-extra.jsonl",
    "sms-apps.jsonl",
    "sms-wild.jsonl",
    "sms-wild2.jsonl",
)


def load(name: str) -> list[dict[str, Any]]:
    path = SMS_DATA / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def lowered_bodies() -> list[str]:
    """Every body of every corpus under tests/data/sms, lower-cased as the parser reads it
    (labelled or not, held-out ones included): the texts equivalence tests compare rewritten
    regexes over."""
    return [
        record["body"].lower()
        for path in sorted(SMS_DATA.glob("*.jsonl"))
        for record in load(path.name)
    ]


def as_expected(txn: Transaction) -> dict[str, Any]:
    """A transaction in the corpus' `expected` shape: what `homeclerk sms parse` emits, without
    `kind` (labelled beside `expected`) and with `currency` only when it is not rupees."""
    out = transaction_json(txn)
    del out["kind"]
    if out["currency"] == "INR":
        del out["currency"]
    return out
