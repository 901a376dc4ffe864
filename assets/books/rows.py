"""Plain rows the ledger writers take: a bank alert as the warehouse stores it (`AlertRow`,
the transactions domain's StoredTransaction) and an unmapped account source.

The writers never see DuckDB, so tests build these directly and the reader module fills them.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from assets.transactions.stored import StoredTransaction

# The books' name for a stored transaction: one type for the feed, the books and the importer.
AlertRow = StoredTransaction


class UnmappedAccount(NamedTuple):
    """An alert source with no account in the mapping: reported, never guessed."""

    bank: str
    tail: str | None
    instrument: str
    alerts: int
    first_seen: dt.date
    last_seen: dt.date
    toml_line: str  # the exact line the owner adds under [books] account_mapping
