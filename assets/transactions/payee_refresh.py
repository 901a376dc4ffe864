"""Stored payees follow the alias tables: when the owner's `[[payees]]` or the shipped table
change, the next derive renames the payees of the transactions already stored.

The tables' fingerprint is kept in the one-row table `transactions_payees`; a run whose tables
match it costs one tiny read. Otherwise every distinct counterparty (a few thousand at most) is
resolved again and the rows whose payee changed are updated in one statement. Categories and
refunds' categories are left as derived.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assets.transactions.payees import SHIPPED_FILE, PayeeAlias, PayeeResolver

if TYPE_CHECKING:
    import duckdb

# Bump when the clean-up of an unaliased counterparty changes, so stored payees follow it.
CLEANUP_VERSION = 1
_DDL = "CREATE TABLE IF NOT EXISTS transactions_payees (fingerprint VARCHAR)"


def payees_fingerprint(owner: Sequence[PayeeAlias]) -> str:
    """What the payees of stored transactions were resolved with: both tables and the rules."""
    digest = hashlib.sha256(SHIPPED_FILE.read_bytes())
    digest.update(json.dumps([CLEANUP_VERSION, [list(a) for a in owner]]).encode())
    return digest.hexdigest()


def refresh_payees(con: duckdb.DuckDBPyConnection, owner: Sequence[PayeeAlias]) -> int:
    """Re-resolve stored payees when the alias tables changed; the number of rows renamed."""
    con.execute(_DDL)
    current = payees_fingerprint(owner)
    stored = con.execute("SELECT fingerprint FROM transactions_payees").fetchone()
    if stored is not None and stored[0] == current:
        return 0
    resolve = PayeeResolver(owner)
    names = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT counterparty FROM transactions"
            " WHERE status IN ('transaction', 'linked') AND counterparty IS NOT NULL"
        ).fetchall()
    ]
    renamed = 0
    if names:
        import pandas as pd  # loaded by the run that derives, not the code server

        con.register(
            "new_payees",
            pd.DataFrame({"counterparty": names, "payee": [resolve(n) for n in names]}),
        )
        (renamed,) = con.execute(
            "UPDATE transactions SET payee = p.payee FROM new_payees p"
            " WHERE transactions.counterparty = p.counterparty"
            " AND transactions.status IN ('transaction', 'linked')"
            " AND transactions.payee IS DISTINCT FROM p.payee"
        ).fetchone() or (0,)
        con.unregister("new_payees")
    con.execute("DELETE FROM transactions_payees")
    con.execute("INSERT INTO transactions_payees VALUES (?)", [current])
    return int(renamed)
