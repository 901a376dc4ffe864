"""The one thing every broker adapter does: produce a holdings snapshot or raise a BrokerError."""

from __future__ import annotations

from typing import Protocol

from assets.portfolio.model import HoldingsSnapshot


class BrokerAdapter(Protocol):
    """A source of holdings (the Kite API, a CSV folder)."""

    def fetch_holdings(self) -> HoldingsSnapshot:
        """The broker's current holdings; raises a BrokerError subclass (errors.py) on failure."""
        ...
