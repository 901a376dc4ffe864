"""Plain rows the ledger writers take: one bank alert as the warehouse stores it.

The writers never see DuckDB, so tests build these directly and the reader module fills them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple


class AlertRow(NamedTuple):
    """A parsed, categorized bank alert (a `transactions` row with status 'transaction')."""

    message_guid: str
    received_at: dt.datetime  # timezone-aware: the bank's own send time as Messages recorded it
    amount: Decimal
    direction: str  # "debit" | "credit"
    counterparty: str | None
    account_tail: str | None
    balance: Decimal | None  # bank: available balance; credit card: available limit
    reference: str | None
    channel: str
    txn_date: dt.date | None  # None: use the local date of received_at
    bank: str
    instrument: str  # "account" | "debit_card" | "credit_card"
    category: str | None  # an account-name tail such as "Food:Delivery"; None = uncategorized
    message_rowid: int = 0  # tie-breaker when two alerts share a timestamp


class UnmappedAccount(NamedTuple):
    """An alert source with no account in the mapping: reported, never guessed."""

    bank: str
    tail: str | None
    instrument: str
    alerts: int
    first_seen: dt.date
    last_seen: dt.date
    toml_line: str  # the exact line the owner adds under [books] account_mapping
