"""Amounts too large to believe without the owner's word: held out of totals and the books.

An alert claiming "Rs.9,99,99,99,999.00" (a garbled SMS, a spoof) would otherwise be summed into
the day's spending and posted to the ledger. The rule:

- The ceiling is `[sms] max_plausible_amount` when set; else it is learned from the owner's own
  history: CEILING_FACTOR (20) × the 99th percentile of past rupee debits, never below
  CEILING_FLOOR (₹10,00,000). With fewer than MIN_HISTORY (20) past debits there is nothing to
  learn from, so the floor alone applies. "Past" means received before the transaction judged
  (held ones left out): a new amount never raises its own ceiling.
- A newly derived transaction (either direction, any currency: the number as the alert states
  it) whose amount is above the ceiling is recorded in `held_amounts`. Every reader of stored
  transactions (the expenses feed, the books, the review) leaves it out until the owner confirms
  it with `homeclerk sms confirm GUID`; the `amounts_plausible` check names each held message
  with that command. A confirmed amount counts from the next run, everywhere at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from assets.common.warehouse import has_table

if TYPE_CHECKING:
    import duckdb

CEILING_FACTOR = 20
CEILING_FLOOR = Decimal("1000000")
MIN_HISTORY = 20

HELD_AMOUNTS_DDL = """
CREATE TABLE IF NOT EXISTS held_amounts (
    message_guid VARCHAR PRIMARY KEY,
    amount DECIMAL(18,2),
    currency VARCHAR,
    ceiling DECIMAL(18,2),
    confirmed_at TIMESTAMPTZ
)
"""
# The clause every reader of stored transactions adds (the table may not exist yet).
NOT_HELD = (
    " AND message_guid NOT IN (SELECT message_guid FROM held_amounts WHERE confirmed_at IS NULL)"
)


class Held(NamedTuple):
    """A transaction kept out of totals and the books until the owner confirms it."""

    message_guid: str
    sender: str
    amount: Decimal
    currency: str
    ceiling: Decimal
    received_at: dt.datetime


class ConfirmError(ValueError):
    """`sms confirm` was given a GUID that is not held; the message says what to do."""


def learned_ceiling(debits: Sequence[Decimal]) -> Decimal:
    """The ceiling the owner's past rupee debits give (the floor with too little history)."""
    ordered = sorted(debits)
    return ceiling_from(len(ordered), ordered[p99_rank(len(ordered)) - 1] if ordered else None)


def p99_rank(count: int) -> int:
    """The nearest rank of the 99th percentile among `count` values: ceil(0.99 × count)."""
    return -(-99 * count // 100)


def ceiling_from(count: int, p99: Decimal | None) -> Decimal:
    """The learned ceiling from the number of past debits and their 99th percentile."""
    if count < MIN_HISTORY or p99 is None:
        return CEILING_FLOOR
    return max(CEILING_FLOOR, CEILING_FACTOR * p99)


def hold_implausible(
    con: duckdb.DuckDBPyConnection,
    new: Iterable[tuple[str, str | None]],
    setting: float | None,
) -> list[str]:
    """Record in `held_amounts` the new transactions, (GUID, amount as text), above the
    ceiling; their GUIDs. A tick whose amounts are all below the lowest possible ceiling (the
    floor, or the setting) costs no query at all."""
    lowest = Decimal(str(setting)) if setting is not None else CEILING_FLOOR
    candidates = [guid for guid, amount in new if amount is not None and Decimal(amount) > lowest]
    held = []
    for guid in candidates:
        con.execute(HELD_AMOUNTS_DDL)
        amount, received_at = con.execute(
            "SELECT amount, received_at FROM transactions WHERE message_guid = ?", [guid]
        ).fetchall()[0]
        ceiling = lowest if setting is not None else _ceiling_before(con, received_at)
        if amount > ceiling:
            con.execute(
                "INSERT INTO held_amounts"
                " SELECT message_guid, amount, coalesce(currency, 'INR'), ?, NULL"
                " FROM transactions WHERE message_guid = ? ON CONFLICT DO NOTHING",
                [ceiling, guid],
            )
            held.append(guid)
    return held


def _ceiling_before(con: duckdb.DuckDBPyConnection, moment: dt.datetime) -> Decimal:
    """The learned ceiling from the rupee debits received before `moment`, not held
    themselves (counted and ranked by DuckDB: an owner may have 100,000)."""
    past = (
        " FROM transactions WHERE status = 'transaction' AND direction = 'debit'"
        " AND coalesce(currency, 'INR') = 'INR' AND amount IS NOT NULL AND received_at < ?"
        + NOT_HELD
    )
    count = int(con.execute("SELECT count(*)" + past, [moment]).fetchall()[0][0])
    if count < MIN_HISTORY:
        return CEILING_FLOOR
    p99 = con.execute(
        "SELECT amount" + past + " ORDER BY amount LIMIT 1 OFFSET ?",
        [moment, p99_rank(count) - 1],
    ).fetchall()[0][0]
    return ceiling_from(count, p99)


def held_amounts(con: duckdb.DuckDBPyConnection) -> list[Held]:
    """The held transactions not confirmed yet, oldest first."""
    if not has_table(con, "held_amounts"):
        return []
    rows = con.execute(
        "SELECT h.message_guid, t.sender, h.amount, h.currency, h.ceiling, t.received_at"
        " FROM held_amounts h JOIN transactions t USING (message_guid)"
        " WHERE h.confirmed_at IS NULL ORDER BY t.received_at, h.message_guid"
    ).fetchall()
    return [Held(*row) for row in rows]


def confirm(con: duckdb.DuckDBPyConnection, guid: str, now: dt.datetime) -> Held:
    """Mark the held transaction `guid` as confirmed by the owner; raises ConfirmError when it
    is not held (unknown, or confirmed before)."""
    held = {h.message_guid: h for h in held_amounts(con)}
    if guid not in held:
        known = (
            has_table(con, "held_amounts")
            and con.execute(
                "SELECT count(*) FROM held_amounts WHERE message_guid = ?", [guid]
            ).fetchall()[0][0]
        )
        raise ConfirmError(
            f"{guid} is already confirmed: it counts in the feed and the books"
            if known
            else f"no held amount has GUID {guid!r}: the `amounts_plausible` check lists the "
            "held ones with their command"
        )
    con.execute("UPDATE held_amounts SET confirmed_at = ? WHERE message_guid = ?", [now, guid])
    return held[guid]
