"""Stored categories follow the rules: when `[[categories.rules]]` (or the shipped rules) change,
the next derive re-files the stored transactions whose category the change decides.

The rules the stored rows were filed with are kept in `derive_state`; a run with the same rules
costs one tiny read. Otherwise each distinct (counterparty, direction, channel, instrument,
kind) among stored transactions (a few thousand at most) is categorized by the old and the new
rules, and a row is re-filed when the two differ and the row still has the old rules' category
(a category that came from elsewhere, such as an earlier homeclerk's rules, is not the rules'
to change). A warehouse that kept no rules yet re-files only what is `Uncategorized`.

A refund credit follows the same logic as at derive time (refunds.py): when its payee or its
own rules category changed, it takes its original purchase's category as stored now, else its
payee's category by the new rules as if it were a purchase.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from assets.transactions.categories import (
    UNCATEGORIZED,
    CategoryRule,
    categorize_as_purchase_if_refund,
)
from assets.transactions.model import Transaction
from assets.transactions.refunds import Purchase, original_category

if TYPE_CHECKING:
    import duckdb

_STATE_DDL = "CREATE TABLE IF NOT EXISTS derive_state (key VARCHAR PRIMARY KEY, value VARCHAR)"
_KEY = "category_rules"
# Bump when `categorize` changes beyond its rules (the stored rules then count as unknown).
CATEGORIZE_VERSION = 2  # 2: card bill payments, wallet top-ups and investments by kind
_Key = tuple[str | None, str | None, str | None, str | None, str | None]


def rules_state(rules: Sequence[CategoryRule]) -> str:
    """The rules as kept in the warehouse: what the stored categories were filed with."""
    return json.dumps([CATEGORIZE_VERSION, [list(rule) for rule in rules]])


def _stored_rules(con: duckdb.DuckDBPyConnection) -> tuple[str | None, tuple[CategoryRule, ...]]:
    row = con.execute("SELECT value FROM derive_state WHERE key = ?", [_KEY]).fetchone()
    if row is None:
        return None, ()
    version, rules = json.loads(row[0])
    if version != CATEGORIZE_VERSION:
        return None, ()
    return str(row[0]), tuple(CategoryRule(*rule) for rule in rules)


def refresh_categories(con: duckdb.DuckDBPyConnection, rules: Sequence[CategoryRule]) -> int:
    """Re-file stored transactions whose category changed rules decide; how many rows."""
    con.execute(_STATE_DDL)
    current = rules_state(rules)
    stored, old_rules = _stored_rules(con)
    if stored == current:
        return 0
    rules = tuple(rules)
    keys = con.execute(
        "SELECT DISTINCT counterparty, direction, channel, instrument, kind FROM transactions"
        " WHERE status IN ('transaction', 'linked')"
    ).fetchall()
    changes = []
    for key in keys:
        old = category_of(key, old_rules) if stored is not None else UNCATEGORIZED
        new = category_of(key, rules)
        if old != new:
            changes.append((*key, old, new))
    refiled = _refile_purchases(con, [c for c in changes if c[4] != "refund"])
    refiled += _refile_refunds(con, changes, rules)
    con.execute(
        "INSERT INTO derive_state VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [_KEY, current],
    )
    return refiled


_SAME_KEY = (
    " transactions.counterparty IS NOT DISTINCT FROM c.counterparty"
    " AND transactions.direction IS NOT DISTINCT FROM c.direction"
    " AND transactions.channel IS NOT DISTINCT FROM c.channel"
    " AND transactions.instrument IS NOT DISTINCT FROM c.instrument"
    " AND transactions.kind IS NOT DISTINCT FROM c.kind"
)
_COLUMNS = ["counterparty", "direction", "channel", "instrument", "kind", "old", "new"]


def _refile_purchases(con: duckdb.DuckDBPyConnection, changes: list[tuple]) -> int:
    """Rows (not refunds) of each changed key that still carry the old category."""
    if not changes:
        return 0
    import pandas as pd  # loaded by the run that derives, not the code server

    con.register("changed_categories", pd.DataFrame.from_records(changes, columns=_COLUMNS))
    # A row the learned model filed counts as the `Uncategorized` the rules left it: a rule
    # always wins over a learned category (learned_apply.py).
    (count,) = con.execute(
        "UPDATE transactions SET category = c.new, category_source = NULL"
        " FROM changed_categories c WHERE transactions.status IN ('transaction', 'linked') AND"
        + _SAME_KEY
        + " AND (coalesce(transactions.category, 'Uncategorized') = c.old"
        " OR (transactions.category_source = 'learned' AND c.old = 'Uncategorized'))"
    ).fetchone() or (0,)
    con.unregister("changed_categories")
    return int(count)


def _refile_refunds(
    con: duckdb.DuckDBPyConnection, changes: list[tuple], rules: tuple[CategoryRule, ...]
) -> int:
    """Refund credits of a payee whose category changed, or whose own key changed."""
    changed_keys = {tuple(c[:5]) for c in changes}
    refunds = con.execute(
        "SELECT message_guid, counterparty, direction, channel, instrument, kind, payee,"
        " coalesce(currency, 'INR'), txn_date, amount, category FROM transactions"
        " WHERE status = 'transaction' AND kind = 'refund' AND direction = 'credit'"
    ).fetchall()
    if not refunds or not changes:
        return 0
    parties = {c[0] for c in changes if c[0] is not None}
    payees = {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT payee FROM transactions WHERE status = 'transaction'"
            " AND payee IS NOT NULL AND counterparty IN (SELECT unnest(?))",
            [sorted(parties)],
        ).fetchall()
    }
    affected = [r for r in refunds if r[6] in payees or tuple(r[1:6]) in changed_keys]
    if not affected:
        return 0
    purchases: dict[str, list[Purchase]] = defaultdict(list)
    for payee, currency, day, amount, category in con.execute(
        "SELECT payee, coalesce(currency, 'INR'), txn_date, amount, category FROM transactions"
        " WHERE status = 'transaction' AND direction = 'debit' AND payee IN (SELECT unnest(?))",
        [sorted({r[6] for r in affected if r[6]})],
    ).fetchall():
        purchases[payee].append(Purchase(payee, currency, day, Decimal(amount), category or ""))
    count = 0
    for guid, *key, payee, currency, day, amount, category in affected:
        found = original_category(payee, currency, day, Decimal(amount), purchases[payee])
        new = found or category_of(tuple(key), rules)  # type: ignore[arg-type]
        if new != category:
            con.execute("UPDATE transactions SET category = ? WHERE message_guid = ?", [new, guid])
            count += 1
    return count


def category_of(key: _Key, rules: tuple[CategoryRule, ...]) -> str:
    """The rules' category for one stored shape of transaction (only these fields count), as
    derive gives it (a refund credit as the purchase it returns)."""
    counterparty, direction, channel, instrument, kind = key
    txn = Transaction(
        amount=Decimal(0),
        direction=direction,  # type: ignore[arg-type]
        counterparty=counterparty,
        account_tail=None,
        balance=None,
        reference=None,
        channel=channel,  # type: ignore[arg-type]
        date=dt.date(2000, 1, 1),
        bank="",
        instrument=instrument,  # type: ignore[arg-type]
        kind=kind or "transfer",  # type: ignore[arg-type]
    )
    return categorize_as_purchase_if_refund(txn, rules)
