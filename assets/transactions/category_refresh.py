"""Stored categories follow the rules: when `[[categories.rules]]` (or the shipped rules) change,
the next derive re-files the transactions already stored whose category the rules now change.

Like the payee refresh (payee_refresh.py): the rules' fingerprint is kept in `derive_state`; a run
whose rules match it costs one tiny read. Otherwise each distinct (counterparty, direction,
channel, instrument, kind) among stored transactions (a few thousand at most) is categorized
again and the rows whose category changed are updated in one statement.

Refunds are left as derived: a refund carries the category of the purchase it returns money
for (refunds.py), which the rules alone cannot say.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from assets.transactions.categories import CategoryRule, categorize
from assets.transactions.model import Transaction

if TYPE_CHECKING:
    import duckdb

_STATE_DDL = "CREATE TABLE IF NOT EXISTS derive_state (key VARCHAR PRIMARY KEY, value VARCHAR)"
_KEY = "category_rules_fingerprint"
# Bump when `categorize` changes beyond its rules, so stored categories follow it.
CATEGORIZE_VERSION = 1


def rules_fingerprint(rules: Sequence[CategoryRule]) -> str:
    """A digest of every rule, in order: what the stored categories were filed with."""
    described = [CATEGORIZE_VERSION, [list(rule) for rule in rules]]
    return hashlib.sha256(json.dumps(described).encode()).hexdigest()


def _stored(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute("SELECT value FROM derive_state WHERE key = ?", [_KEY]).fetchone()
    return None if row is None else str(row[0])


def refresh_categories(con: duckdb.DuckDBPyConnection, rules: Sequence[CategoryRule]) -> int:
    """Re-file stored transactions when the rules changed; the number of rows re-filed."""
    con.execute(_STATE_DDL)
    current = rules_fingerprint(rules)
    if _stored(con) == current:
        return 0
    rules = tuple(rules)
    keys = con.execute(
        "SELECT DISTINCT counterparty, direction, channel, instrument, kind FROM transactions"
        " WHERE status = 'transaction' AND kind IS DISTINCT FROM 'refund'"
    ).fetchall()
    refiled = 0
    if keys:
        import pandas as pd  # loaded by the run that derives, not the code server

        frame = pd.DataFrame.from_records(
            [(*key, category_of(key, rules)) for key in keys],
            columns=["counterparty", "direction", "channel", "instrument", "kind", "category"],
        )
        con.register("new_categories", frame)
        (refiled,) = con.execute(
            "UPDATE transactions SET category = c.category FROM new_categories c"
            " WHERE transactions.status = 'transaction'"
            " AND transactions.kind IS DISTINCT FROM 'refund'"
            " AND transactions.counterparty IS NOT DISTINCT FROM c.counterparty"
            " AND transactions.direction IS NOT DISTINCT FROM c.direction"
            " AND transactions.channel IS NOT DISTINCT FROM c.channel"
            " AND transactions.instrument IS NOT DISTINCT FROM c.instrument"
            " AND transactions.kind IS NOT DISTINCT FROM c.kind"
            " AND transactions.category IS DISTINCT FROM c.category"
        ).fetchone() or (0,)
        con.unregister("new_categories")
    con.execute(
        "INSERT INTO derive_state VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [_KEY, current],
    )
    return int(refiled)


def category_of(key: tuple[str | None, ...], rules: tuple[CategoryRule, ...]) -> str:
    """The rules' category for one stored shape of transaction (only these fields count)."""
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
    return categorize(txn, rules)
