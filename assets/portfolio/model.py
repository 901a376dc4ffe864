"""Plain data for broker holdings, shared by the adapters, the feed and the ledger cross-check."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import NamedTuple


class Holding(NamedTuple):
    """One instrument as the broker reports it, normalised across adapters (API, CSV)."""

    symbol: str  # tradingsymbol, e.g. "INFY"; an ISIN for mutual funds
    exchange: str  # "NSE", "BSE", or "MF"
    isin: str | None
    quantity: Decimal  # units held: settled + T1 (+ collateral)
    average_price: Decimal
    last_price: Decimal
    close_price: Decimal | None  # previous close, for the day change
    day_change: Decimal | None  # per unit, INR


class HoldingsSnapshot(NamedTuple):
    """Every holding as one fetch saw it, with when and where from."""

    fetched_at: dt.datetime  # timezone-aware
    source: str  # "kite" or "csv:<file name>"
    holdings: tuple[Holding, ...]
