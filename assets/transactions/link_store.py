"""Where linked alerts live in the warehouse (the rules that link them: links.py).

An alert of a payment another alert is kept for keeps its parsed row, with status 'linked'
instead of 'transaction', so every reader of transactions (the expenses feed, the review, the
ledger, the balance chains) counts the payment once without knowing about links; the table
`payment_links` says which alert each was linked to (the kept one's `also_alerted_by`).

Linking runs after each derive over the new alerts and the stored ones near them (same amount,
within the window), their groups taken whole, so a re-run links nothing twice; a changed window
(`[sms] link_window_minutes`) links every stored alert again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from assets.transactions.links import links_of
from assets.transactions.relearn import store_state, stored_state
from assets.transactions.stored import read_alerts_by_guid

if TYPE_CHECKING:
    import duckdb

STATUS_LINKED = "linked"
LINKS_DDL = (
    "CREATE TABLE IF NOT EXISTS payment_links"
    " (message_guid VARCHAR PRIMARY KEY, kept_guid VARCHAR NOT NULL)"
)
_WINDOW_KEY = "link_window_minutes"

# Alerts of the same amount, currency and direction within the window of an alert in `scope`.
# The stored side is cut to the scope's time span and amounts first: a tick's few new alerts
# then read a few rows, not the whole table (~15 ms instead of ~40 at 90,000 alerts).
_NEIGHBOURS = """
WITH scope AS (
    SELECT message_guid, amount, coalesce(currency, 'INR') AS currency, direction, received_at
    FROM transactions
    WHERE {scope} AND status IN ('transaction', 'linked')
      AND amount IS NOT NULL AND direction IS NOT NULL
), near AS (
    SELECT message_guid, amount, coalesce(currency, 'INR') AS currency, direction, received_at
    FROM transactions
    WHERE status IN ('transaction', 'linked') AND direction IS NOT NULL
      AND received_at BETWEEN (SELECT min(received_at) FROM scope) - to_seconds(?)
                          AND (SELECT max(received_at) FROM scope) + to_seconds(?)
      AND amount IN (SELECT amount FROM scope)
)
SELECT DISTINCT a.message_guid, b.message_guid
FROM scope a JOIN near b
  ON a.amount = b.amount AND a.currency = b.currency AND a.direction = b.direction
 AND a.message_guid <> b.message_guid
 AND abs(epoch(a.received_at) - epoch(b.received_at)) <= ?
"""


def relink(
    con: duckdb.DuckDBPyConnection, window_minutes: float, new_guids: Sequence[str] | None
) -> int:
    """Link the alerts of one payment among `new_guids` (None: every stored alert) and the
    stored alerts near them; how many alerts are linked to another now, among those looked at.
    A window of 0 minutes links nothing (and undoes the links stored).
    """
    con.execute(LINKS_DDL)
    window = dt.timedelta(minutes=window_minutes)
    setting = repr(float(window_minutes))
    changed = stored_state(con, _WINDOW_KEY) != setting
    if changed:
        new_guids = None  # a first run, or a changed window: every alert again
    linked = 0
    if new_guids is None:
        _unlink_all(con)
    if window_minutes <= 0:
        new_guids = []  # 0 links nothing
    if new_guids is None:
        scope, params = "TRUE", []
    else:
        scope, params = "message_guid IN (SELECT unnest(?))", [list(new_guids)]
    if new_guids is None or new_guids:
        seconds = window.total_seconds()
        pairs = con.execute(
            _NEIGHBOURS.format(scope=scope), [*params, seconds, seconds, seconds]
        ).fetchall()
        touched = sorted({g for pair in pairs for g in pair})
        if touched:
            linked = _link_among(con, _whole_groups(con, touched), window)
    if changed:
        store_state(con, _WINDOW_KEY, setting)
    return linked


def _link_among(con: duckdb.DuckDBPyConnection, guids: list[str], window: dt.timedelta) -> int:
    """Link these alerts afresh (their old links dropped); how many are linked now."""
    con.execute(
        "UPDATE transactions SET status = 'transaction'"
        " WHERE status = ? AND message_guid IN (SELECT unnest(?))",
        [STATUS_LINKED, guids],
    )
    con.execute(
        "DELETE FROM payment_links WHERE message_guid IN (SELECT unnest(?))"
        " OR kept_guid IN (SELECT unnest(?))",
        [guids, guids],
    )
    links = links_of(read_alerts_by_guid(con, guids), window)
    if links:
        con.executemany("INSERT INTO payment_links VALUES (?, ?)", [list(x) for x in links])
        con.execute(
            "UPDATE transactions SET status = ? WHERE message_guid IN (SELECT unnest(?))",
            [STATUS_LINKED, [x.message_guid for x in links]],
        )
    return len(links)


def _whole_groups(con: duckdb.DuckDBPyConnection, guids: list[str]) -> list[str]:
    """`guids` and every alert already in a payment with one of them."""
    rows = con.execute(
        "SELECT message_guid, kept_guid FROM payment_links"
        " WHERE kept_guid IN (SELECT kept_guid FROM payment_links"
        "   WHERE message_guid IN (SELECT unnest(?)) OR kept_guid IN (SELECT unnest(?)))",
        [guids, guids],
    ).fetchall()
    return sorted({*guids, *(g for row in rows for g in row)})


def _unlink_all(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE transactions SET status = 'transaction' WHERE status = ?", [STATUS_LINKED])
    con.execute("DELETE FROM payment_links")
