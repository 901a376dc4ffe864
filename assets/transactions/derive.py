"""Warehouse `sms_messages` → `transactions`: parse and categorize each message not yet derived.

Every bank message gets one row keyed by its GUID, so re-running adds nothing twice: a
transaction, or a known non-transaction ('ignored' with its reason), or 'unrecognized' (a shape
the parser does not know, which the parse-coverage check reports).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pandas as pd

from assets.common.warehouse import connect
from assets.sms.tables import ensure_tables
from assets.transactions.categories import CategoryRule, categorize
from assets.transactions.model import UNRECOGNIZED, ParseResult
from assets.transactions.parsing import Format, parse_message

STATUS_TRANSACTION = "transaction"
STATUS_IGNORED = "ignored"
STATUS_UNRECOGNIZED = "unrecognized"


class DeriveStats(NamedTuple):
    considered: int  # messages without a transactions row before this run
    transactions: int
    ignored: int
    unrecognized: int


def _parser(formats: Sequence[Format] | None) -> Callable[[str, str], ParseResult]:
    """parse_message, with the owner's extra formats when there are any."""
    if not formats:
        return parse_message
    return lambda sender, body: parse_message(sender, body, formats)


# Columns derive_rows produces; the rest of a transactions row (rowid, sender, received_at, the
# received date in the owner's timezone) is joined from sms_messages inside DuckDB.
PARSED_COLUMNS = (
    "message_guid",
    "status",
    "reason",
    "amount",
    "direction",
    "counterparty",
    "account_tail",
    "balance",
    "reference",
    "channel",
    "body_date",
    "bank",
    "instrument",
    "category",
)


def derive_rows(
    messages: Sequence[tuple[str, str, str | None]],
    rules: Sequence[CategoryRule],
    formats: Sequence[Format] | None = None,
) -> list[tuple[str | None, ...]]:
    """(guid, sender, body) → rows in PARSED_COLUMNS order (amounts and dates as text)."""
    parse = _parser(formats)
    rules = tuple(rules)
    # The category depends only on these four fields, and merchants repeat: memoise it.
    categories: dict[tuple[str | None, str, str, str], str] = {}
    rows: list[tuple[str | None, ...]] = []
    for guid, sender, body in messages:
        result = parse(sender, body or "")
        txn = result.transaction
        if txn is None:
            status = STATUS_UNRECOGNIZED if result.reason == UNRECOGNIZED else STATUS_IGNORED
            rows.append((guid, status, result.reason, *_NO_TRANSACTION))
            continue
        key = (txn.counterparty, txn.direction, txn.channel, txn.instrument)
        category = categories.get(key)
        if category is None:
            category = categories[key] = categorize(txn, rules)
        rows.append(
            (
                guid,
                STATUS_TRANSACTION,
                None,
                str(txn.amount),
                txn.direction,
                txn.counterparty,
                txn.account_tail,
                None if txn.balance is None else str(txn.balance),
                txn.reference,
                txn.channel,
                None if txn.date is None else txn.date.isoformat(),
                txn.bank,
                txn.instrument,
                category,
            )
        )
    return rows


_NO_TRANSACTION = (None,) * (len(PARSED_COLUMNS) - 3)

# Below this many messages a second process costs more than it saves (a tick brings a handful).
PARALLEL_MIN = 20_000


def _derive_rows_parallel(
    messages: list[tuple[str, str, str | None]],
    rules: Sequence[CategoryRule],
    formats: Sequence[Format] | None,
) -> list[tuple[str | None, ...]]:
    """Half the messages in one worker process, half here: parsing is pure CPU and two cores
    halve a first ingest. Falls back to one process where none can be started."""
    if len(messages) < PARALLEL_MIN or (os.cpu_count() or 1) < 2:
        return derive_rows(messages, rules, formats)
    # fork is cheap and needs no re-import, but is unsafe on macOS: spawn there.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    half = len(messages) // 2
    try:
        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(method))
    except (OSError, ValueError):
        return derive_rows(messages, rules, formats)
    with pool:
        later = pool.submit(derive_rows, messages[half:], tuple(rules), formats)
        first = derive_rows(messages[:half], rules, formats)
        return first + later.result()


def derive_transactions(
    warehouse_path: Path | str,
    rules: Sequence[CategoryRule],
    tz: ZoneInfo,
    formats: Sequence[Format] | None = None,
) -> DeriveStats:
    """Parse, categorize and store every sms_messages row that has no transactions row yet.

    `txn_date` is the date the body states, else the received date in `tz`.
    """
    with connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        pending = con.execute(
            "SELECT s.guid, s.sender, s.body FROM sms_messages s"
            " ANTI JOIN transactions t ON t.message_guid = s.guid"
            " ORDER BY s.rowid"
        ).fetchall()
    if not pending:
        return DeriveStats(0, 0, 0, 0)
    # Parsing runs with the warehouse closed: the connection is held only to read and to write.
    rows = _derive_rows_parallel(pending, rules, formats)
    frame = _frame(rows)
    statuses = frame["status"].value_counts()
    with connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        con.register("new_txn", frame)
        con.execute(_INSERT, [tz.key])
        con.unregister("new_txn")
    return DeriveStats(
        considered=len(pending),
        transactions=int(statuses.get(STATUS_TRANSACTION, 0)),
        ignored=int(statuses.get(STATUS_IGNORED, 0)),
        unrecognized=int(statuses.get(STATUS_UNRECOGNIZED, 0)),
    )


_INSERT = """
INSERT OR IGNORE INTO transactions
SELECT
    n.message_guid, s.rowid, s.sender, s.received_at, n.status, n.reason,
    CAST(n.amount AS DECIMAL(18,2)), n.direction, n.counterparty, n.account_tail,
    CAST(n.balance AS DECIMAL(18,2)), n.reference, n.channel,
    CASE WHEN n.status = 'transaction'
         THEN COALESCE(CAST(n.body_date AS DATE), CAST(timezone($1, s.received_at) AS DATE))
    END,
    CASE WHEN n.status = 'transaction' THEN n.body_date IS NOT NULL END,
    n.bank, n.instrument, n.category
FROM new_txn n JOIN sms_messages s ON s.guid = n.message_guid
"""


def _frame(rows: list[tuple[str | None, ...]]) -> pd.DataFrame:
    """Text columns only (typed as strings), so DuckDB never guesses a type from a sample."""
    columns = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            name: pd.array(values, dtype="string")
            for name, values in zip(PARSED_COLUMNS, columns, strict=True)
        }
    )
