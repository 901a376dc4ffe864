"""JSON lines in, JSON lines out: the `homeclerk sms parse` contract (docs/parser.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from assets.transactions.categories import DEFAULT_RULES, CategoryRule, categorize
from assets.transactions.links import DEFAULT_LINK_WINDOW_MINUTES, links_of
from assets.transactions.model import Transaction
from assets.transactions.parsing.core import parse_message
from assets.transactions.parsing.format import Format
from assets.transactions.parsing.inr_equivalent import rupee_figure
from assets.transactions.stored import StoredTransaction


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
    window_minutes: float = DEFAULT_LINK_WINDOW_MINUTES,
) -> Iterator[str]:
    """One line out per non-blank line in; a bad line yields an `error` line, never a crash.

    Each line is `{"id", "transaction", "reason"}`: the transaction (with its issuer `bank` and
    its `category` under `rules`) and a null reason, or a null transaction and the reason there
    is none (otp, promo, declined, …, unrecognized).

    Alerts of one payment (links.py; an optional `received_at` ISO time per line, else all
    lines count as received together) are shown linked: the kept line gets `also_alerted_by`
    (the other lines' ids), each other line `linked_to` (the kept line's id). Lines come out
    once all are read, since a later line may link an earlier one.
    """
    outputs: list[dict[str, Any] | str] = []
    alerts: list[StoredTransaction] = []
    for out in _parsed(lines, formats, rules):
        if isinstance(out, tuple):
            record, txn, received_at = out
            alerts.append(
                StoredTransaction.from_parsed(
                    txn,
                    message_guid=str(len(outputs)),
                    received_at=received_at,
                    category=None,
                    message_rowid=len(outputs),
                )
            )
            outputs.append(record)
        else:
            outputs.append(out)
    # An alert's GUID here is its line's place in `outputs`, which holds a dict for it.
    records = {str(i): out for i, out in enumerate(outputs) if isinstance(out, dict)}
    for link in links_of(alerts, dt.timedelta(minutes=window_minutes)):
        kept, other = records[link.kept_guid], records[link.message_guid]
        kept.setdefault("also_alerted_by", []).append(other["id"])
        other["linked_to"] = kept["id"]
    for out in outputs:
        yield out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)


def _parsed(
    lines: Iterable[str], formats: Sequence[Format] | None, rules: Sequence[CategoryRule]
) -> Iterator[str | tuple[dict[str, Any], Transaction, dt.datetime]]:
    """Each line's error line, its output without a transaction, or (output, transaction,
    received at) for a transaction."""
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
        received_at = _received_at(record.get("received_at"))
        if received_at is None:
            yield _error(record_id, f'line {number}: "received_at" must be an ISO date and time')
            continue
        txn, reason = parse_message(sender, body, formats)
        out: dict[str, Any] = {"id": record_id, "transaction": None, "reason": reason}
        if txn is None:
            yield json.dumps(out, ensure_ascii=False)
            continue
        # A foreign spend's rupee figure as the bank states it (null when none, or in rupees).
        figure = rupee_figure(txn.currency, body)
        out["transaction"] = {
            **transaction_json(txn),
            "inr_amount": None if figure is None else float(figure),
            "bank": txn.bank,
            "category": categorize(txn, rules),
        }
        yield out, txn, received_at


# Lines without a time: received together (any two are within any window).
_TOGETHER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _received_at(value: Any) -> dt.datetime | None:
    if value is None:
        return _TOGETHER
    try:
        when = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if when is None:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _error(record_id: Any, message: str) -> str:
    return json.dumps({"id": record_id, "error": message}, ensure_ascii=False)
