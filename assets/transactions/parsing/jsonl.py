"""JSON lines in, JSON lines out: the `homeclerk sms parse` contract (docs/parser.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from assets.transactions.categories import DEFAULT_RULES, CategoryRule, categorize
from assets.transactions.model import Transaction
from assets.transactions.parsing.core import parse_message
from assets.transactions.parsing.format import Format


def transaction_json(txn: Transaction) -> dict[str, Any]:
    """The public fields of a transaction; amounts as JSON numbers, the date as ISO or null."""
    return {
        "amount": float(txn.amount),
        "direction": txn.direction,
        "counterparty": txn.counterparty,
        "account_tail": txn.account_tail,
        "balance": None if txn.balance is None else float(txn.balance),
        "reference": txn.reference,
        "channel": txn.channel,
        "date": None if txn.date is None else txn.date.isoformat(),
        "currency": txn.currency,
        "kind": txn.kind,
    }


def parse_jsonl(
    lines: Iterable[str],
    formats: Sequence[Format] | None = None,
    rules: Sequence[CategoryRule] = DEFAULT_RULES,
) -> Iterator[str]:
    """One line out per non-blank line in; a bad line yields an `error` line, never a crash.

    Each line is `{"id", "transaction", "reason"}`: the transaction (with its issuer `bank` and
    its `category` under `rules`) and a null reason, or a null transaction and the reason there
    is none (otp, promo, declined, …, unrecognized).
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield _error(None, f"line {number}: not JSON ({error.msg})")
            continue
        if not isinstance(record, dict):
            yield _error(None, f"line {number}: expected an object with id, sender, body")
            continue
        record_id = record.get("id")
        sender, body = record.get("sender"), record.get("body")
        if not isinstance(sender, str) or not isinstance(body, str):
            yield _error(record_id, f'line {number}: "sender" and "body" must be strings')
            continue
        txn, reason = parse_message(sender, body, formats)
        out: dict[str, Any] = {"id": record_id, "transaction": None, "reason": reason}
        if txn is not None:
            out["transaction"] = {
                **transaction_json(txn),
                "bank": txn.bank,
                "category": categorize(txn, rules),
            }
        yield json.dumps(out, ensure_ascii=False)


def _error(record_id: Any, message: str) -> str:
    return json.dumps({"id": record_id, "error": message}, ensure_ascii=False)
