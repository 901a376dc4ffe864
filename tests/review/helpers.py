"""A real DuckDB warehouse with a known history, for the weekly review's tests.

Dates are in 2025 so every weekly partition exists whatever year 2026–2030 the suite runs in.
History: bank SMS from Mon 13 Oct 2025 (ISO 2025-W42) to Sun 9 Nov (2025-W45), none on
5–7 Nov (a quiet spell inside W45), none after 9 Nov. Broker snapshots from Tue 21 Oct
(inside W43), one a day at 16:00 IST.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from assets.common.warehouse import connect
from assets.portfolio.history import append_snapshot
from assets.portfolio.model import Holding, HoldingsSnapshot
from assets.sms.tables import ensure_tables
from assets.transactions.tables import ensure_transactions_table

if TYPE_CHECKING:
    import duckdb

IST = ZoneInfo("Asia/Kolkata")
FIRST_DAY = dt.date(2025, 10, 13)
LAST_DAY = dt.date(2025, 11, 9)
QUIET = (dt.date(2025, 11, 5), dt.date(2025, 11, 7))
BROKER_FIRST = dt.date(2025, 10, 21)


def sms_days() -> list[dt.date]:
    days = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        if not QUIET[0] <= day <= QUIET[1]:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def day_transactions(day: dt.date) -> list[tuple[str, Decimal, str, str | None, str | None]]:
    """(suffix, amount, direction, counterparty, category) stored for `day`."""
    rows = [("food", Decimal(day.day * 10), "debit", "SWIGGY", "Food:Delivery")]
    if day.weekday() == 0:
        rows.append(("salary", Decimal(1000), "credit", "ACME PAYROLL", "Salary"))
    if day.weekday() == 2:
        rows.append(("transfer", Decimal(500), "debit", "OWN CARD", "Transfer"))
    if day.weekday() == 4:
        # Stored as the parser stores an alert no rule matched.
        rows.append(("mystery", Decimal(123), "debit", "MYSTERY SHOP.IN", "Uncategorized"))
    if day.weekday() == 5:
        rows.append(("old", Decimal(7), "debit", "OLD ROW", None))  # a NULL category too
    return rows


def build_warehouse(path: Path) -> None:
    """The history above, as the SMS and transactions domains would have stored it."""
    rowid = 0
    balance = Decimal(100000)
    with connect(path) as con:
        ensure_tables(con)
        ensure_transactions_table(con)
        for day in sms_days():
            for n, (suffix, amount, direction, counterparty, category) in enumerate(
                day_transactions(day)
            ):
                rowid += 1
                at = dt.datetime.combine(day, dt.time(10, n), IST)
                guid = f"G-{day.isoformat()}-{suffix}"
                balance += amount if direction == "credit" else -amount
                store_alert(
                    con, rowid, guid, at, amount, direction, counterparty, category, balance, day
                )
    day = BROKER_FIRST
    while day <= LAST_DAY:
        append_snapshot(path, snapshot_on(day))
        day += dt.timedelta(days=1)


def store_alert(
    con: duckdb.DuckDBPyConnection,
    rowid: int,
    guid: str,
    at: dt.datetime,
    amount: Decimal | None,
    direction: str | None,
    counterparty: str | None,
    category: str | None,
    balance: Decimal | None,
    txn_date: dt.date,
    status: str = "transaction",
    date_from_body: bool = True,
) -> None:
    """One bank SMS and the row derive stored for it. `txn_date` is the body's date, or (with
    `date_from_body` False) the local day the SMS arrived, as derive stores it."""
    con.execute(
        "INSERT INTO sms_messages (rowid, guid, sender, received_at, body,"
        " from_attributed_body) VALUES (?, ?, 'VM-HDFCBK', ?, 'body', FALSE)",
        [rowid, guid, at],
    )
    con.execute(
        "INSERT INTO transactions VALUES (?, ?, 'VM-HDFCBK', ?, ?, NULL,"
        " ?, ?, ?, '1276', ?, NULL, 'upi', ?, ?, 'HDFC', 'account', ?,"
        " 'transfer', 'INR', NULL, NULL, NULL)",
        [
            guid,
            rowid,
            at,
            status,
            amount,
            direction,
            counterparty,
            balance,
            txn_date,
            date_from_body,
            category,
        ],
    )


def price_on(symbol: str, day: dt.date) -> Decimal:
    n = (day - BROKER_FIRST).days
    return Decimal(100 + n) if symbol == "INFY" else Decimal(200 - n)


def snapshot_on(day: dt.date) -> HoldingsSnapshot:
    holdings = tuple(
        Holding(symbol, "NSE", None, Decimal(qty), Decimal(100), price_on(symbol, day), None, None)
        for symbol, qty in (("INFY", 10), ("TCS", 5))
    )
    at = dt.datetime.combine(day, dt.time(16, 0), IST).astimezone(dt.UTC)
    return HoldingsSnapshot(fetched_at=at, source="csv:test", holdings=holdings)


def value_on(day: dt.date) -> Decimal:
    return 10 * price_on("INFY", day) + 5 * price_on("TCS", day)
