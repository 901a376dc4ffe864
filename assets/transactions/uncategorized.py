"""Spending the rules do not file, grouped by payee: what `homeclerk categorize` lists.

A group is one payee (the readable name the feeds show) in one currency: how many debits, their
total, the newest date, and one masked example. `suggested` is the account the owner's current
rules file the group under when that differs from what is stored (a rule written since the last
run of `transactions`, which re-files the rows), with confidence 1.0 (`suggested_by` "rules");
else the learned model's suggestion (learned_apply.py) with its confidence, the group's mean
probability of the category most likely over its transactions (`suggested_by` "learned"); else
all three are None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from assets.common.warehouse import has_table
from assets.transactions.categories import UNCATEGORIZED, CategoryRule
from assets.transactions.category_refresh import category_of
from assets.transactions.learned_apply import Learned, example_of, learn_from_warehouse
from assets.transactions.plausible import NOT_HELD
from assets.transactions.unrecognized import mask_for_display, parsed_warehouse


class PayeeGroup(NamedTuple):
    """Uncategorized debits to one payee in one currency."""

    payee: str
    currency: str
    count: int
    total: Decimal
    last_seen: dt.date
    example: str  # the newest message's text, masked (mask_for_display)
    counterparties: tuple[str, ...]  # the raw texts the payee was read from
    suggested: str | None = None
    confidence: float | None = None
    suggested_by: str | None = None  # "rules" | "learned"

    def summary(self) -> dict[str, Any]:
        """The group as `--json` shows it (no raw counterparty: those are not masked)."""
        return {
            "payee": self.payee,
            "currency": self.currency,
            "count": self.count,
            "total": float(self.total),  # a JSON number, as in the feeds
            "last_seen": self.last_seen.isoformat(),
            "example": self.example,
            "suggested": self.suggested,
            "confidence": self.confidence,
            "suggested_by": self.suggested_by,
        }


_QUERY = """
SELECT t.payee, coalesce(t.currency, 'INR'), t.counterparty, t.direction, t.channel,
       t.instrument, t.kind, t.amount, t.txn_date, s.body, epoch_us(t.received_at)
FROM transactions t LEFT JOIN sms_messages s ON s.guid = t.message_guid
WHERE t.status = 'transaction' AND t.direction = 'debit' AND t.category = ? {held}
ORDER BY t.txn_date, t.message_rowid
"""


def load_uncategorized(
    warehouse_path: Path | str,
    rules: Sequence[CategoryRule],
    tz: ZoneInfo | None = None,
    examples: int | None = None,
) -> list[PayeeGroup]:
    """Uncategorized debits grouped by payee, most spent first; `rules` are today's rules,
    `tz` the owner's timezone (the learned model reads the hour a payment was made; None: no
    learned suggestions). `examples`: only the first this many groups get their (masked)
    example, for a reader that shows only those (masking is most of the grouping's time); None:
    every group.

    Opens the warehouse read-only, so it works while the service runs between its writes;
    raises FileNotFoundError without a warehouse, WarehouseLockedError while a run writes,
    NoTransactionsError before the first parse.
    """
    with parsed_warehouse(warehouse_path) as con:
        held = NOT_HELD.replace("message_guid", "t.message_guid", 1)
        held = held if has_table(con, "held_amounts") else ""
        rows = con.execute(_QUERY.format(held=held), [UNCATEGORIZED]).fetchall()
        learned = learn_from_warehouse(con, tz) if rows and tz is not None else None
    return group_rows(rows, tuple(rules), learned, tz, examples)


def group_rows(
    rows: Sequence[tuple[Any, ...]],
    rules: tuple[CategoryRule, ...],
    learned: Learned | None = None,
    tz: ZoneInfo | None = None,
    examples: int | None = None,
) -> list[PayeeGroup]:
    """Rows of _QUERY (oldest first) → groups, most spent first, then by payee; `learned`
    (with the owner's `tz`) suggests for the groups the rules do not file; the first
    `examples` groups (all when None) with their masked example."""
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for (
        payee,
        currency,
        counterparty,
        direction,
        channel,
        instrument,
        kind,
        amount,
        day,
        body,
        received_us,
    ) in rows:
        name = payee or counterparty or "(no payee)"
        group = acc.setdefault(
            (name, currency),
            {
                "count": 0,
                "total": Decimal(0),
                "parties": {},
                "keys": set(),
                "last": day,
                "body": "",
            },
        )
        group["count"] += 1
        group["total"] += amount
        group["last"] = max(group["last"], day)
        group["body"] = body or group["body"]  # the newest with a readable text
        if counterparty:
            group["parties"][counterparty] = None
        group["keys"].add((counterparty, direction, channel, instrument, kind))
        if learned is not None and tz is not None:
            example = example_of(
                (payee, counterparty, direction, channel or "other", kind, amount, received_us),
                tz,
            )
            group.setdefault("posteriors", []).append(learned.posterior(example))
    groups = []
    for (name, currency), g in acc.items():
        filed = {category_of(key, rules) for key in g["keys"]}
        suggested = filed.pop() if len(filed) == 1 else None
        known = suggested not in (None, UNCATEGORIZED)
        by: str | None = "rules" if known else None
        confidence = 1.0 if known else None
        if not known and g.get("posteriors"):
            suggested, confidence = _mean_best(g["posteriors"])
            by = "learned" if suggested is not None else None
            known = suggested is not None
        groups.append(
            PayeeGroup(
                payee=name,
                currency=currency,
                count=g["count"],
                total=g["total"],
                last_seen=g["last"],
                example=g["body"],  # masked below, for the groups shown
                counterparties=tuple(g["parties"]),
                suggested=f"Expenses:{suggested}" if known else None,
                confidence=confidence if known else None,
                suggested_by=by,
            )
        )
    groups.sort(key=lambda g: (-g.total, g.payee))
    shown = len(groups) if examples is None else examples
    return [
        g._replace(example=mask_for_display(g.example) if g.example and i < shown else "")
        for i, g in enumerate(groups)
    ]


def _mean_best(posteriors: list[dict[str, float]]) -> tuple[str | None, float | None]:
    """The category with the highest mean probability over a group's transactions, and that
    mean rounded to 3 places (None, None when nothing is learned)."""
    sums: dict[str, float] = {}
    for posterior in posteriors:
        for category, p in posterior.items():
            sums[category] = sums.get(category, 0.0) + p
    if not sums:
        return None, None
    best = max(sums, key=lambda c: (sums[c], c))
    return best, round(sums[best] / len(posteriors), 3)
