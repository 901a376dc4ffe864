"""Warehouse `sms_messages` → `transactions`: parse and categorize each message not yet derived.

Every bank message gets one row keyed by its GUID, so re-running adds nothing twice: a
transaction, or a known non-transaction ('ignored' with its reason), or 'unrecognized' (a shape
the parser does not know, which the parse-coverage check reports).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import pandas as pd

from assets.common.warehouse import connect
from assets.sms.tables import TRANSACTION_COLUMNS, ensure_tables
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


def derive_rows(
    messages: Sequence[tuple[int, str, str, dt.datetime, str | None]],
    rules: Sequence[CategoryRule],
    tz: ZoneInfo,
    formats: Sequence[Format] | None = None,
) -> list[tuple[Any, ...]]:
    """(rowid, guid, sender, received_at, body) → rows in TRANSACTION_COLUMNS order."""
    parse = _parser(formats)
    rows: list[tuple[Any, ...]] = []
    for rowid, guid, sender, received_at, body in messages:
        result: ParseResult = parse(sender, body or "")
        txn = result.transaction
        if txn is None:
            status = STATUS_UNRECOGNIZED if result.reason == UNRECOGNIZED else STATUS_IGNORED
            rows.append(
                (guid, rowid, sender, received_at, status, result.reason)
                + (None,) * 8
                + (None, None, None, None)
            )
            continue
        from_body = txn.date is not None
        txn_date = txn.date if from_body else received_at.astimezone(tz).date()
        rows.append(
            (
                guid,
                rowid,
                sender,
                received_at,
                STATUS_TRANSACTION,
                None,
                str(txn.amount),
                txn.direction,
                txn.counterparty,
                txn.account_tail,
                None if txn.balance is None else str(txn.balance),
                txn.reference,
                txn.channel,
                txn_date,
                from_body,
                txn.bank,
                txn.instrument,
                categorize(txn, rules),
            )
        )
    return rows


def derive_transactions(
    warehouse_path: Path | str,
    rules: Sequence[CategoryRule],
    tz: ZoneInfo,
    formats: Sequence[Format] | None = None,
) -> DeriveStats:
    """Parse, categorize and store every sms_messages row that has no transactions row yet."""
    with connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        pending = con.execute(
            "SELECT s.rowid, s.guid, s.sender, s.received_at, s.body FROM sms_messages s"
            " WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.message_guid = s.guid)"
            " ORDER BY s.rowid"
        ).fetchall()
    if not pending:
        return DeriveStats(0, 0, 0, 0)
    # Parsing runs with the warehouse closed: the connection is held only to read and to write.
    rows = derive_rows(pending, rules, tz, formats)
    frame = _frame(rows)
    statuses = frame["status"].value_counts()
    with connect(Path(warehouse_path)) as con:
        ensure_tables(con)
        con.register("new_txn", frame)
        casts = ", ".join(_select_expr(c) for c in TRANSACTION_COLUMNS)
        con.execute(f"INSERT OR IGNORE INTO transactions SELECT {casts} FROM new_txn")
        con.unregister("new_txn")
    return DeriveStats(
        considered=len(pending),
        transactions=int(statuses.get(STATUS_TRANSACTION, 0)),
        ignored=int(statuses.get(STATUS_IGNORED, 0)),
        unrecognized=int(statuses.get(STATUS_UNRECOGNIZED, 0)),
    )


_CASTS = {
    "message_rowid": "BIGINT",
    "received_at": "TIMESTAMPTZ",
    "amount": "DECIMAL(18,2)",
    "balance": "DECIMAL(18,2)",
    "txn_date": "DATE",
    "date_from_body": "BOOLEAN",
}


def _select_expr(column: str) -> str:
    cast = _CASTS.get(column, "VARCHAR")
    return f"CAST({column} AS {cast}) AS {column}"


_TEXT = "string"


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Typed columns, so DuckDB never has to guess a type from a sample of Python objects."""
    columns = dict(zip(TRANSACTION_COLUMNS, zip(*rows, strict=True), strict=True))
    frame = pd.DataFrame(
        {
            name: pd.array(values, dtype=_TEXT)
            for name, values in columns.items()
            if name not in _CASTS or name in ("amount", "balance")
        }
    )
    frame["message_rowid"] = pd.array(columns["message_rowid"], dtype="int64")
    frame["received_at"] = pd.to_datetime(list(columns["received_at"]), utc=True)
    frame["txn_date"] = pd.to_datetime(list(columns["txn_date"]))
    frame["date_from_body"] = pd.array(columns["date_from_body"], dtype="boolean")
    return frame
