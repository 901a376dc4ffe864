"""Plain rows the ledger writers take besides the transactions domain's StoredTransaction (a
bank alert as the warehouse stores it): an unmapped account source.

The writers never see DuckDB, so tests build these directly and the reader module fills them.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class UnmappedAccount(NamedTuple):
    """An alert source with no account in the mapping: reported, never guessed."""

    bank: str
    tail: str | None
    instrument: str
    alerts: int
    first_seen: dt.date
    last_seen: dt.date
    toml_entry: str  # the `[[books.accounts]]` entry the owner appends to homeclerk.toml
